import Foundation
import Testing
import TestSupport
import RewardModel
import TextEncoder

/// The committed demo head (Deploy/heads/demo, pal-b trained on Persona text features by
/// `make demo-head`) on raw text it never saw: its named users prefer the statement matching their
/// side on a persona dimension. Checks the artefact end to end: text → encoder → head → user.
@Suite(.enabled(if: EncoderFixtures.modelAvailable, "needs the model directory (make encoder)"))
struct DemoHeadTests {
    static var headDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Deploy/heads/demo").path
    }

    static let probes: [(dimension: String, says: String, saysNot: String)] = [
        ("agreeableness", "Everyone I meet deserves warmth, patience and respect.",
         "I like to provoke people and watch them get upset."),
        ("politically-liberal", "The government should expand healthcare and protect minority rights.",
         "Taxes should be cut and the government should stay out of the economy."),
        ("extraversion", "I love big parties and meeting lots of new people.",
         "I prefer quiet evenings alone with a book to crowded social events."),
    ]

    @Test func namedUsersPreferTheirSide() async throws {
        try await offPool {  // seconds of CPU: on a thread of its own, not the 2-thread pool
            let head = try RewardHead.load(directory: Self.headDirectory)
            let encoder = try TextEncoderTests.encoder.get()
            #expect(head.featureDim == encoder.dimension)
            #expect(head.config.backbone?.name == encoder.modelName)
            var agree = 0, total = 0
            for probe in Self.probes {
                let e = encoder.embed([probe.says, probe.saysNot])
                for (user, theta) in head.seenUsers {
                    for side in user.split(separator: ",") where side.dropLast() == probe.dimension {
                        let holds = side.last == "+"
                        let p = try head.compare(prompt: nil, a: Array(e.row(0)), b: Array(e.row(1)), state: UserState(theta: theta)).probability
                        total += 1
                        if (p > 0.5) == holds { agree += 1 }
                    }
                }
            }
            #expect(total >= 20, "too few users hold the probed dimensions")
            // Single hand-written probes are noisy; a clear majority must follow their persona.
            #expect(Double(agree) >= 0.85 * Double(total), "\(agree) of \(total) users preferred their side")
        }
    }
}
