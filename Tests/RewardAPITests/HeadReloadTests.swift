import Foundation
import HTTPServer
import PreferenceStore
import RewardModel
import Testing
@testable import RewardAPI
@testable import RewardService

/// `POST /v1/admin/heads:reload` in process: new versions swap in, a broken head keeps its old one.
struct HeadReloadTests {
    static func config(version: String) -> HeadConfig {
        HeadConfig(kind: .palB, featureDim: APITestHarness.d, stateDim: APITestHarness.k, hiddenDim: 8, outputDim: 4,
                   activation: .gelu, backbone: .init(name: "test", featureDim: APITestHarness.d), version: version)
    }

    static func write(version: String, seed: UInt64, to directory: URL) throws {
        try RewardHead.random(config: config(version: version), seed: seed).save(directory: directory.path)
    }

    static func versions(_ app: RewardApplication) async -> [String: String] {
        let reply = await app.respond(to: Request(method: .get, target: "/v1/heads"))
        guard case .bytes(let body) = reply.body, case .object(let o)? = try? JSONParser.parse(body),
              case .array(let heads)? = o["heads"] else { return [:] }
        var out: [String: String] = [:]
        for case .object(let h) in heads {
            if case .string(let n)? = h["name"], case .string(let v)? = h["version"] { out[n] = v }
        }
        return out
    }

    @Test func reloadSwapsNewVersionsInAndABrokenHeadKeepsItsPreviousVersion() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let a = root.appendingPathComponent("a"), b = root.appendingPathComponent("b")
        try Self.write(version: "a1", seed: 1, to: a)
        try Self.write(version: "b1", seed: 2, to: b)
        let service = RewardService(store: InMemoryPreferenceStore())
        try service.loadHeads([.init(name: "a", directory: a.path), .init(name: "b", directory: b.path)])
        let app = RewardApplication(service: service)
        #expect(await Self.versions(app) == ["a": "a1", "b": "b1"])

        try Self.write(version: "a2", seed: 3, to: a)
        try Self.write(version: "b2", seed: 4, to: b)
        let ok = await app.respond(to: Request(method: .post, target: "/v1/admin/heads:reload"))
        #expect(ok.status == 200)
        #expect(await Self.versions(app) == ["a": "a2", "b": "b2"])

        // b's weights are truncated: a still moves on to a3, b keeps serving b2 and the answer names it.
        try Self.write(version: "a3", seed: 5, to: a)
        try Self.write(version: "b3", seed: 6, to: b)
        let weights = b.appendingPathComponent("model.safetensors")
        try Data(try Data(contentsOf: weights).prefix(40)).write(to: weights)
        let held = try service.catalog.head("b")  // a request that started before the reload
        let failed = await app.respond(to: Request(method: .post, target: "/v1/admin/heads:reload"))
        #expect(failed.status == 500)
        guard case .bytes(let body) = failed.body else { Issue.record("no body"); return }
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains("/heads/b"))
        #expect(text.contains("head b kept version b2"))
        #expect(!text.contains("/heads/a"))
        #expect(await Self.versions(app) == ["a": "a3", "b": "b2"])
        #expect(held === (try service.catalog.head("b")))  // the very same head object keeps serving
        let score = Request(method: .post, target: "/v1/score", headers: ["Content-Type": "application/json"],
                            body: RequestBody(bytes: Array(#"{"head":"b","items":[{"features":[0.1,0.2,0.3,0.4]}]}"#.utf8)))
        #expect(await app.respond(to: score).status == 200)
    }
}
