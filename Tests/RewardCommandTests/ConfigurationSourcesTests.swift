import ArgumentParser
import Foundation
import Logging
import Testing
@testable import reward

/// flag > REWARD_* > config file > default, for single-valued options, repeatable options and flags.
struct ConfigurationSourcesTests {
    static func serve(_ commandLine: [String], env: [String: String] = [:], file: String? = nil) throws -> Serve {
        let sources = ConfigurationSources(settings: .serve())
        var environment = env
        if file != nil { environment["REWARD_CONFIG"] = "/test/reward.conf" }
        let arguments = try sources.arguments(commandLine, environment: environment) { path in
            guard path == "/test/reward.conf", let file else { throw CocoaError(.fileNoSuchFile) }
            return file
        }
        return try Serve.parse(arguments)
    }

    @Test func aSingleValuedSettingTakesFlagThenEnvironmentThenFileThenDefault() throws {
        #expect(try Self.serve([]).port == 8080)
        #expect(try Self.serve([], file: "port = 9001").port == 9001)
        #expect(try Self.serve([], env: ["REWARD_PORT": "9002"], file: "port = 9001").port == 9002)
        #expect(try Self.serve(["--port", "9003"], env: ["REWARD_PORT": "9002"], file: "port = 9001").port == 9003)
        #expect(try Self.serve(["--port=9004"], env: ["REWARD_PORT": "9002"]).port == 9004)
        // Empty variables count as unset (a blank in a compose file must not override the file).
        #expect(try Self.serve([], env: ["REWARD_PORT": ""], file: "port = 9001").port == 9001)
    }

    @Test func encoderThreadsDefaultToEveryCoreAndRefuseZero() throws {
        #expect(try Self.serve([]).service.resolvedEncoderThreads() == ProcessInfo.processInfo.activeProcessorCount)
        #expect(try Self.serve([], env: ["REWARD_ENCODER_THREADS": "3"]).service.resolvedEncoderThreads() == 3)
        #expect(try Self.serve(["--encoder-threads", "1"], file: "encoder-threads = 2").service.resolvedEncoderThreads() == 1)
        #expect(throws: ValidationError.self) { try Self.serve(["--encoder-threads", "0"]).service.resolvedEncoderThreads() }
    }

    /// `none` keeps the encoder out even where the default model directory exists (make test fetches it).
    @Test func encoderNoneServesFeaturesOnly() throws {
        let logger = Logger(label: "test")
        #expect(try Self.serve(["--encoder", "none"]).service.loadEncoder(logger: logger) == nil)
        #expect(try Self.serve([], env: ["REWARD_ENCODER": "none"]).service.loadEncoder(logger: logger) == nil)
        #expect(throws: ValidationError.self) { try Self.serve(["--encoder", "/nonexistent"]).service.loadEncoder(logger: logger) }
    }

    @Test func settingsOfTheOptionGroupsWorkTheSameWay() throws {
        let file = """
            # limits
            max-items = 10
            max-in-flight = 5
            db-pool-size = "7"
            """
        let s = try Self.serve(["--max-in-flight", "3"], env: ["REWARD_MAX_ITEMS": "20"], file: file)
        #expect(s.service.maxItems == 20)
        #expect(s.service.maxInFlight == 3)
        #expect(s.database.poolSize == 7)
        #expect(s.service.apiConfiguration(accepting: { true }).maxInFlight == 3)
    }

    @Test func aRepeatableSettingComesWhollyFromTheHighestSourceThatHasIt() throws {
        let file = "head = a=/heads/a\nhead = b=/heads/b"
        #expect(try Self.serve([], file: file).service.heads == ["a=/heads/a", "b=/heads/b"])
        #expect(try Self.serve([], env: ["REWARD_HEAD": "c=/c, d=/d"], file: file).service.heads == ["c=/c", "d=/d"])
        #expect(try Self.serve([], env: ["REWARD_HEADS": "e=/e"], file: file).service.heads == ["e=/e"])
        #expect(try Self.serve(["--head", "f=/f"], env: ["REWARD_HEAD": "c=/c"], file: file).service.heads == ["f=/f"])
    }

    @Test func flagsTakeTrueOrFalse() throws {
        #expect(try Self.serve([]).accessLog == true)
        #expect(try Self.serve([], file: "access-log = off").accessLog == false)
        #expect(try Self.serve([], env: ["REWARD_ACCESS_LOG": "true"], file: "access-log = off").accessLog == true)
        #expect(try Self.serve(["--no-access-log"], env: ["REWARD_ACCESS_LOG": "true"]).accessLog == false)
        #expect(try Self.serve([], env: ["REWARD_HTTP2": "0"]).http2 == false)
        #expect(throws: ConfigurationSources.Failure.self) { try Self.serve([], env: ["REWARD_HTTP2": "maybe"]) }
    }

    @Test func establishedVariableNamesStillWork() throws {
        #expect(try Self.serve([], env: ["DATABASE_URL": "postgres://a"]).database.databaseURL == "postgres://a")
        #expect(try Self.serve([], env: ["DATABASE_URL": "postgres://a", "REWARD_DATABASE_URL": "postgres://b"]).database.databaseURL == "postgres://b")
    }

    @Test func theConfigFileComesFromTheFlagOrTheEnvironment() throws {
        let sources = ConfigurationSources(settings: .serve())
        let files = ["/a.conf": "port = 1111", "/b.conf": "port = 2222"]
        let read: (String) throws -> String = { path in
            guard let text = files[path] else { throw CocoaError(.fileNoSuchFile) }
            return text
        }
        #expect(try Serve.parse(sources.arguments([], environment: ["REWARD_CONFIG": "/a.conf"], readFile: read)).port == 1111)
        #expect(try Serve.parse(sources.arguments(["--config", "/b.conf"], environment: ["REWARD_CONFIG": "/a.conf"], readFile: read)).port == 2222)
        #expect(throws: ConfigurationSources.Failure.self) {
            try sources.arguments(["--config", "/missing.conf"], environment: [:], readFile: read)
        }
    }

    @Test func badConfigFilesAreRefusedWithTheLine() throws {
        let sources = ConfigurationSources(settings: .serve())
        func failure(_ text: String) -> String {
            do {
                _ = try sources.arguments([], environment: ["REWARD_CONFIG": "f"]) { _ in text }
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(failure("prot = 1").contains("f:1: unknown setting \"prot\""))
        #expect(failure("\n\nport 1").contains("f:3: expected key = value"))
        #expect(failure("host = \"x").contains("unterminated"))
        #expect(failure("http2 = sometimes").contains("f:1: http2 is true or false"))
        #expect(failure("config = other.conf").contains("unknown setting \"config\""))
    }

    @Test func otherSubcommandsAreLeftAlone() {
        #expect(ConfigurationSources.commandLine(["migrate", "--x"], environment: ["REWARD_PORT": "1"]) == ["migrate", "--x"])
        #expect(ConfigurationSources.commandLine(["serve", "--help"], environment: ["REWARD_PORT": "1"]) == ["serve", "--help"])
        #expect(ConfigurationSources.commandLine(["serve"], environment: ["REWARD_PORT": "1"]) == ["serve", "--port=1"])
    }

    @Test func valuesThatLookLikeFlagsStayValues() throws {
        #expect(try Self.serve([], env: ["REWARD_CORS_ORIGINS": "-weird"]).service.corsOrigins == "-weird")
    }

    @Test func unknownVariablesAreReported() {
        let sources = ConfigurationSources(settings: .serve())
        let unknown = sources.unknownVariables(["REWARD_MAX_INFLIGHT": "3", "REWARD_MAX_IN_FLIGHT": "3", "REWARD_HEADS": "x", "HOME": "/"])
        #expect(unknown == ["REWARD_MAX_INFLIGHT"])
    }
}
