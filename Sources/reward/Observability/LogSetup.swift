#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Logging
import RewardService

/// `--log-format json|text|auto` and `--log-level`: the process-wide swift-log backend.
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// JSON when stderr is not a terminal (containers, systemd, CI), text on a terminal.
    case auto
    case json
    case text

    var resolved: LogFormat {
        guard self == .auto else { return self }
        return isatty(2) == 1 ? .text : .json
    }

    static func bootstrap(_ format: LogFormat, level: Logger.Level) {
        let json = format.resolved == .json
        LoggingSystem.bootstrap({ label, provider in
            if json {
                var handler = JSONLogHandler(label: label, metadataProvider: provider)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
            handler.logLevel = level
            return handler
        }, metadataProvider: requestMetadata)
    }

    /// `request.id` on every line logged while a request is being handled (its task and child tasks).
    static let requestMetadata = Logger.MetadataProvider {
        guard let id = RequestTiming.current?.requestID else { return [:] }
        return ["request.id": .string(id)]
    }
}
