#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Logging

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
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
