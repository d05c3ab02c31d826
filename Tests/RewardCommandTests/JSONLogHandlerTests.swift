import Foundation
import Logging
import Testing
@testable import reward
import RewardService
import Locking

struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let lines = Locked<[[UInt8]]>([])
        var all: [[UInt8]] { lines.withLock { $0 } }
    }

    @Test func oneJSONObjectPerLineWithTimestampLevelLabelMessageAndMetadata() throws {
        let sink = Lines()
        var handler = JSONLogHandler(label: "reward.api", sink: { line in sink.lines.withLock { $0.append(line) } })
        handler.logLevel = .debug
        handler[metadataKey: "request.id"] = "req-7"
        let logger = Logger(label: "reward.api", factory: { _ in handler })
        logger.error("internal \"error\"\nsecond line", metadata: ["error": "boom\u{1}", "nested": ["a": ["1", "2"]]])
        let line = try #require(sink.all.first)
        #expect(line.last == 0x0A)
        #expect(!line.dropLast().contains(0x0A))  // the message's newline is escaped: still one line
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["level"] as? String == "error")
        #expect(object["label"] as? String == "reward.api")
        #expect(object["msg"] as? String == "internal \"error\"\nsecond line")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["request.id"] as? String == "req-7")
        #expect(metadata["error"] as? String == "boom\u{1}")
        #expect((metadata["nested"] as? [String: Any])?["a"] as? [String] == ["1", "2"])
        let ts = try #require(object["ts"] as? String)
        let parsed = try #require(ISO8601DateFormatter.withFractionalSeconds.date(from: ts))
        #expect(abs(parsed.timeIntervalSinceNow) < 60)
    }

    @Test func levelBelowTheThresholdIsDropped() {
        let sink = Lines()
        var handler = JSONLogHandler(label: "x", sink: { line in sink.lines.withLock { $0.append(line) } })
        handler.logLevel = .warning
        let logger = Logger(label: "x", factory: { _ in handler })
        logger.info("quiet")
        logger.warning("loud")
        #expect(sink.all.count == 1)
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }
}

extension JSONLogHandlerTests {
    @Test func logSettingsAreValidatedAtStartup() throws {
        #expect(try Serve.parse(["--log-format", "json", "--log-level", "debug"]).logFormat == .json)
        #expect(throws: (any Error).self) { try Serve.parse(["--log-format", "xml"]) }
        #expect(throws: (any Error).self) { try Serve.parse(["--log-level", "loud"]) }
        #expect(LogFormat.json.resolved == .json && LogFormat.text.resolved == .text)
    }
}

extension JSONLogHandlerTests {
    @Test func linesLoggedWhileARequestRunsCarryItsID() async throws {
        let sink = Lines()
        let handler = JSONLogHandler(label: "reward", metadataProvider: LogFormat.requestMetadata,
                                     sink: { line in sink.lines.withLock { $0.append(line) } })
        let logger = Logger(label: "reward", factory: { _ in handler })
        logger.info("outside")
        await RequestTiming.$current.withValue(RequestTiming(requestID: "req-9")) {
            logger.info("inside")
            await Task { logger.info("child task") }.value
        }
        let ids = try sink.all.map { line -> String? in
            let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            return (object?["metadata"] as? [String: Any])?["request.id"] as? String
        }
        #expect(ids == [nil, "req-9", "req-9"])
    }
}
