import ArgumentParser
import Foundation
import HTTPServer
import PreferenceStore
import RewardAPI
import RewardModel
import RewardService
import Tensors

/// `reward bench respond`: the API's CPU per `/v1/score` request without any transport — the request
/// built in memory, `RewardApplication.respond` called in a loop on one task, the response body read.
/// What the HTTP rows of Tools/bench-api.sh pay on top of the server's socket and HTTP/2 work, measured
/// without the noise of a shared machine's network path (in-memory store: 1-item scoring never touches it).
struct BenchRespond: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "respond", abstract: "µs of API work per 1-item features_b64 /v1/score request, in process.")

    @Option(help: "Head directory.") var head: String
    @Option(help: "Seconds to measure (after 1 s of warm-up).") var seconds = 3.0

    func run() async throws {
        _ = MetricsSetup.bootstrapPrometheus()  // as `reward serve` does: every request records its metrics
        BLAS.setThreadCount(1)
        let model = try RewardHead.load(directory: head)
        let service = RewardService(store: InMemoryPreferenceStore())
        try service.installHeads([("bench", model)])
        let app = RewardApplication(service: service)

        var g = SeededGenerator(seed: 9)
        let features = Oracle.gaussianItems(count: 1, dim: model.featureDim, generator: &g).values
        let b64 = features.withUnsafeBytes { Data($0).base64EncodedString() }
        let body = Array(#"{"head":"bench","items":[{"features_b64":"\#(b64)"}]}"#.utf8)
        let headers: HTTPHeaders = ["Content-Type": "application/json", "Content-Length": "\(body.count)"]

        func once() async throws {
            let request = Request(method: .post, target: "/v1/score", headers: headers, body: RequestBody(bytes: body))
            let response = await app.respond(to: request)
            guard response.status == 200, case .bytes(let out) = response.body, !out.isEmpty else {
                throw ValidationError("/v1/score answered \(response.status)")
            }
        }
        let clock = ContinuousClock()
        let warmUp = clock.now + .seconds(1)
        while clock.now < warmUp { try await once() }
        var requests = 0
        let start = clock.now
        let end = start + .milliseconds(Int(seconds * 1000))
        while clock.now < end {
            for _ in 0..<100 { try await once() }
            requests += 100
        }
        let elapsed = clock.now - start
        let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) * 1e-12
        print(String(format: "%.2f µs per request (%d requests, one task)", micros / Double(requests), requests))
    }
}
