import Foundation
import Testing

extension IntegrationSuites {
    /// Label Studio gives an ML backend 1 s for `/health` and 3 s for `/setup`; both must hold while the model
    /// worker is saturated (they do no model or database work and run on the event loop).
    struct LabelStudioBudgetTests {
        @Test(.enabled(if: IntegrationServer.enabled))
        func healthAndSetupAnswerWithinBudgetWhileTheModelIsBusy() async throws {
            try await IntegrationServer.withServer { client, _ in
                let setup = try IntegrationServer.fixture("label-studio/setup.json")
                // Long texts keep the (single) model worker busy with encoder passes for seconds.
                let text = String(repeating: "The annotator compares two long answers about kindness and patience. ", count: 12)
                let texts = (0..<2).map { #""\#(text) \#($0)""# }.joined(separator: ",")
                let clock = ContinuousClock()
                let load = Task {
                    try await withThrowingTaskGroup(of: (Int, ContinuousClock.Instant).self) { group in
                        for _ in 0..<3 {
                            group.addTask { (try await client.post("/v1/embed", #"{"texts":[\#(texts)]}"#).status, clock.now) }
                        }
                        var out: [(Int, ContinuousClock.Instant)] = []
                        for try await r in group { out.append(r) }
                        return out
                    }
                }
                try await Task.sleep(for: .milliseconds(200))
                var slowest: (health: Duration, setup: Duration) = (.zero, .zero)
                for _ in 0..<5 {
                    var health: LiveClient.Reply?
                    let h = try await clock.measure { health = try await client.get("/integrations/label-studio/health") }
                    var reply: LiveClient.Reply?
                    let s = try await clock.measure { reply = try await client.post("/integrations/label-studio/setup", setup) }
                    #expect(health?.status == 200 && reply?.status == 200)
                    slowest = (max(slowest.health, h), max(slowest.setup, s))
                }
                let probesDone = clock.now
                let finished = try await load.value
                #expect(finished.allSatisfy { $0.0 == 200 || $0.0 == 429 }, "\(finished.map(\.0))")
                // The probes ran while the worker was still busy with the embeds.
                #expect(finished.contains { $0.1 > probesDone }, "the load finished before the probes: make it heavier")
                #expect(slowest.health < .seconds(1), "slowest /health \(slowest.health) under load")
                #expect(slowest.setup < .seconds(3), "slowest /setup \(slowest.setup) under load")
            }
        }
    }
}
