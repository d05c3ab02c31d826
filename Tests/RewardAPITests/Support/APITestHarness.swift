import Foundation
import HTTPServer
import PreferenceStore
import RewardModel
import Tensors
@testable import RewardAPI
@testable import RewardService

/// An API wired to the in-memory store and small random heads, called in process.
struct APITestHarness {
    static let d = 4
    static let k = 3
    let app: RewardApplication
    let service: RewardService

    init(kinds: [HeadKind] = [.palB], cors: [String] = [], store: InMemoryPreferenceStore = InMemoryPreferenceStore(),
         configure: (inout APIConfiguration, inout RewardService.Configuration) -> Void = { _, _ in }) throws {
        var c = APIConfiguration()
        var serviceConfiguration = RewardService.Configuration()
        configure(&c, &serviceConfiguration)
        service = RewardService(store: store, configuration: serviceConfiguration)
        var heads: [(name: String, head: RewardHead)] = []
        for kind in kinds {
            let config: HeadConfig
            switch kind {
            case .gpm: config = HeadConfig(kind: .gpm, featureDim: Self.d, stateDim: 2, backbone: .init(name: "test", featureDim: Self.d))
            case .bt: config = HeadConfig(kind: .bt, featureDim: Self.d, stateDim: 0, hiddenDim: 8, outputDim: 1, activation: .relu)
            default:
                config = HeadConfig(kind: kind, featureDim: Self.d, stateDim: Self.k, hiddenDim: 8, outputDim: 4, activation: .gelu,
                                    backbone: .init(name: "test", featureDim: Self.d), version: "1")
            }
            heads.append((kind.rawValue, try RewardHead.random(config: config, seed: 3)))
        }
        try service.installHeads(heads)
        c.corsAllowedOrigins = cors
        app = RewardApplication(service: service, configuration: c)
    }

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var logFields: [(String, String)] = []
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue? { try? JSONParser.parse(body) }
        var object: JSONObject? { if case .object(let o)? = json { return o } else { return nil } }
        var pointer: String? {
            guard case .array(let errors)? = object?["errors"], case .object(let e)? = errors.first,
                  case .string(let p)? = e["pointer"] else { return nil }
            return p
        }
    }

    func call(_ method: HTTPMethod, _ target: String, json: String? = nil, contentType: String? = "application/json",
              headers extra: HTTPHeaders = [:]) async throws -> Reply {
        var headers = extra
        if json != nil, let contentType { headers.add("Content-Type", contentType) }
        let request = Request(method: method, target: target, headers: headers, body: RequestBody(bytes: Array((json ?? "").utf8)))
        let response = await app.respond(to: request)
        var body: [UInt8] = []
        switch response.body {
        case .bytes(let b): body = b
        case .stream(let produce):
            let sink = CollectingWriter()
            try await produce(sink)
            body = sink.bytes
        }
        return Reply(status: response.status, headers: response.headers, body: body, logFields: response.logFields)
    }

    static func vector(_ seed: Int) -> String {
        var g = SeededGenerator(seed: UInt64(seed) &+ 77)
        return "[" + (0..<d).map { _ in String(Float(g.nextGaussian())) }.joined(separator: ",") + "]"
    }
}

final class CollectingWriter: BodyWriter, @unchecked Sendable {
    // @unchecked: one producer writes sequentially in the tests.
    var bytes: [UInt8] = []
    func write(_ b: [UInt8]) async throws { bytes += b }
}

extension JSONValue {
    var double: Double? { if case .number(let d) = self { return d } else { return nil } }
    var doubles: [Double]? {
        switch self {
        case .numbers(let n): if case .values(let v) = n.doubles() { return v } else { return nil }
        case .array(let a) where a.isEmpty: return []
        default: return nil
        }
    }
}
