import Foundation
import HTTPServer
import Logging
import PreferenceStore
import RewardAPI
import RewardService
import Testing
import TextEncoder

/// A live API on port 0 with the real Postgres, the text encoder and the demo head (text features), set up
/// for the annotation-tool integrations; plus the recorded payloads under Fixtures/.
enum IntegrationServer {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static var encoderDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["REWARD_ENCODER_DIR"], !dir.isEmpty { return dir }
        return root.appendingPathComponent(".reward/models/all-MiniLM-L6-v2").path
    }
    static var encoderPresent: Bool { FileManager.default.fileExists(atPath: encoderDirectory + "/vocab.txt") }
    /// Needs the database and the encoder; under CI=true both are provided by `make test`, so run (and fail) there.
    static var enabled: Bool {
        AnnotationLoopTests.databaseURL != nil && (encoderPresent || ProcessInfo.processInfo.environment["CI"] == "true")
    }
    /// A fixed secret for the recorded Argilla deliveries (`whsec_` + base64 of 24 bytes).
    static let argillaSecret = "whsec_" + Data((0..<24).map { UInt8($0 * 7 + 3) }).base64EncodedString()

    static func fixture(_ path: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(path)", withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The elements of a fixture that holds a JSON array, re-serialised one by one.
    static func fixtureArray(_ path: String) throws -> [String] {
        let array = try #require(try JSONSerialization.jsonObject(with: Data(fixture(path).utf8)) as? [Any])
        return try array.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
    }

    static func withServer(
        integrations: IntegrationSettings? = nil, _ body: @Sendable (LiveClient, RewardService) async throws -> Void
    ) async throws {
        var storeConfiguration = PostgresConfiguration(url: AnnotationLoopTests.databaseURL!)
        storeConfiguration.schema = "integrations_\(UInt32.random(in: 0...UInt32.max))"
        let logger = Logger(label: "e2e", factory: { _ in SwiftLogNoOpLogHandler() })
        let store = try await PostgresPreferenceStore.connect(storeConfiguration, logger: logger)
        let encoder = try TextEncoder(directory: encoderDirectory)
        let service = RewardService(store: store, encoder: encoder)
        try service.loadHeads([.init(name: "demo", directory: root.appendingPathComponent("Deploy/heads/demo").path)])
        var configuration = APIConfiguration()
        configuration.integrations = integrations ?? {
            var s = IntegrationSettings()
            s.labelStudioProjects = ["7": .init(tenant: "default", head: "demo"), "9": .init(tenant: "default")]
            s.argillaSecrets = ["default": argillaSecret]
            return s
        }()
        let app = RewardApplication(service: service, configuration: configuration, logger: logger)
        var serverConfiguration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, loopCount: 2)
        serverConfiguration.accessLog = false
        serverConfiguration.inlineResponder = { RewardApplication.inlineIntegrationPaths.contains($0.path) }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = HTTPServer(configuration: serverConfiguration, responder: app, logger: logger,
                                onServerRunning: { continuation.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var it = ports.makeAsyncIterator()
            let port = try #require(await it.next())
            var failure: (any Error)?
            do { try await body(LiveClient(port: port), service) } catch { failure = error }
            server.triggerGracefulShutdown()
            try? await group.waitForAll()
            await service.shutdown()
            await store.shutdown()
            if let failure { throw failure }
        }
    }

    /// Standard Webhooks headers for a body, as Argilla sends them (argilla-server webhooks/v1/commons.py).
    static func signed(_ body: String, secret: String = argillaSecret, timestamp: Date = Date(), id: String = "msg_2Xk9v0Lq3a7Ry1Tz")
        -> [String: String]
    {
        let key = Array(Data(base64Encoded: String(secret.dropFirst(6)))!)
        let stamp = String(Int(timestamp.timeIntervalSince1970))
        let mac = MessageAuthentication.hmacSHA256(key: key, message: Array("\(id).\(stamp).".utf8) + Array(body.utf8))
        return ["webhook-id": id, "webhook-timestamp": stamp, "webhook-signature": "v1," + Data(mac).base64EncodedString()]
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }
}

/// The annotation-tool suites run one after another: each runs the text encoder (CPU-heavy in debug
/// builds), and the budget test saturates the model worker on purpose — run together they would starve
/// the timing-sensitive suites that `make test` runs alongside.
@Suite(.serialized) enum IntegrationSuites {}
