import Foundation
import Testing
@testable import RewardModel

struct ActivationTests {
    /// The vectorised GELU against libm's erf across the range (and its tails, which must not NaN).
    @Test func fastGELUMatchesExactGELU() {
        var worst = 0.0
        for i in -200_000...200_000 {
            let x = Float(i) * 1e-4 * (i % 7 == 0 ? 100 : 1)
            let exact = 0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot()))
            let fast = Double(MLP.gelu(x))
            worst = max(worst, abs(fast - exact) / (1 + abs(exact)))
        }
        #expect(worst < 1e-6, "worst relative error \(worst)")
        for x: Float in [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e30, -1e30, .leastNonzeroMagnitude, 0] {
            #expect(MLP.gelu(x).isFinite)
        }
        #expect(MLP.gelu(-1e30) == 0 && MLP.gelu(1e30) == 1e30)
    }
}
