import Foundation

/// Damped Newton with Levenberg–Marquardt trust-region control on the exact Hessian. The adapt
/// objectives are not convex (pal-b, micro, gpm), so H + μI is used with μ grown until the step
/// is a descent step that the model predicts well, and shrunk after good steps.
struct TrustRegionNewton {
    var maxIterations = 100
    var gradientTolerance = 1e-6

    struct Outcome {
        var theta: [Double]
        var evaluation: Evaluation
        var iterations: Int
        var converged: Bool
    }

    func minimize(_ objective: some FitObjective, from start: [Double]) -> Outcome {
        let n = objective.dimension
        var theta = start
        var current = objective.evaluate(theta, hessian: true)
        var mu = 0.0
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            if norm(current.gradient) <= gradientTolerance { converged = true; break }
            iterations += 1
            var diagonalScale = 1e-8
            for i in 0..<n { diagonalScale = max(diagonalScale, abs(current.hessian[i * n + i])) }
            var accepted = false
            var attempts = 0
            while !accepted && attempts < 60 {
                attempts += 1
                var damped = current.hessian
                for i in 0..<n { damped[i * n + i] += mu }
                guard let l = SymmetricSolver.cholesky(damped, n) else {
                    mu = max(4 * mu, 1e-6 * diagonalScale)
                    continue
                }
                let step = SymmetricSolver.solve(cholesky: l, current.gradient.map { -$0 }, n)
                let candidate = (0..<n).map { theta[$0] + step[$0] }
                let trial = objective.evaluate(candidate, hessian: true)
                let predicted = -(Numerics.dot(current.gradient, step) + 0.5 * SymmetricSolver.quadraticForm(current.hessian, step, n))
                let actual = current.value - trial.value
                let noise = 1e-13 * (1 + abs(current.value))
                let ratio = predicted > 0 ? actual / predicted : -1
                if trial.value.isFinite && (ratio > 1e-4 || (predicted <= noise && actual >= -noise)) {
                    theta = candidate
                    let progressWasNoise = predicted <= noise
                    current = trial
                    accepted = true
                    if ratio > 0.75 { mu = mu < 1e-6 * diagonalScale ? 0 : mu / 4 }
                    if progressWasNoise && norm(current.gradient) > gradientTolerance {
                        // No representable progress is left: stop rather than spin.
                        return Outcome(theta: theta, evaluation: current, iterations: iterations, converged: false)
                    }
                } else {
                    mu = max(4 * mu, 1e-6 * diagonalScale)
                }
            }
            if !accepted { break }
        }
        if !converged { converged = norm(current.gradient) <= gradientTolerance }
        return Outcome(theta: theta, evaluation: current, iterations: iterations, converged: converged)
    }

    private func norm(_ v: [Double]) -> Double {
        v.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }
}
