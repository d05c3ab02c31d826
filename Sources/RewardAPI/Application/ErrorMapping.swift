import HTTPServer
import Logging
import RewardService

/// The one place where failures become HTTP statuses.
enum ErrorMapping {
    static func problem(for error: any Error, retryAfter: Int, logger: Logger) -> Problem {
        switch error {
        case let p as Problem:
            return p
        case let e as ScoringError:
            var p = Problem(status: status(e.code), title: title(e.code), detail: e.message)
            if let pointer = e.pointer, p.status == 422 || p.status == 404 {
                p.errors = [.init(pointer: pointer, message: e.message)]
            }
            if p.status == 429 || p.status == 503 { p.headers.add("Retry-After", String(retryAfter)) }
            if p.status == 500 { logger.error("internal error", metadata: ["error": "\(e)"]) }
            return p
        case let e as RequestBodyError:
            switch e {
            case .tooLarge(let limit): return Problem(status: 413, title: "Payload too large", detail: "the body exceeds \(limit) bytes")
            case .aborted: return Problem(status: 400, title: "Malformed request", detail: "the request body was cut short")
            }
        case let e as JSONParseError:
            return Problem.malformed(e.description)
        default:
            logger.error("unexpected error", metadata: ["error": "\(error)"])
            return Problem(status: 500, title: "Internal error", detail: "the server failed to handle this request")
        }
    }

    static func status(_ code: ScoringError.Code) -> Int {
        switch code {
        case .invalidInput, .encoderMissing, .unsupported: 422
        case .headNotFound, .userNotFound, .notFound: 404
        case .conflict, .historyMismatch: 409
        case .overloaded: 429
        case .unavailable, .timeout: 503
        default: 500
        }
    }

    static func title(_ code: ScoringError.Code) -> String {
        switch code {
        case .invalidInput: "Request validation failed"
        case .encoderMissing: "No text encoder configured"
        case .unsupported: "Operation not supported by this head"
        case .headNotFound: "Unknown head"
        case .userNotFound: "Unknown user"
        case .notFound: "Not found"
        case .conflict: "Conflict"
        case .historyMismatch: "Stored history does not fit this head"
        case .overloaded: "Overloaded"
        case .unavailable: "Service unavailable"
        case .timeout: "Store timeout"
        default: "Internal error"
        }
    }
}
