import Foundation

/// Overflow-free scalar helpers in Float64 (DESIGN §3: log σ in softplus form, max-subtracted softmax).
enum Numerics {
    /// log(1 + eˣ) without overflow.
    static func softplus(_ x: Double) -> Double {
        max(x, 0) + log1p(exp(-abs(x)))
    }

    /// log σ(x) = −softplus(−x).
    static func logSigmoid(_ x: Double) -> Double {
        -softplus(-x)
    }

    static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }

    static func logSumExp(_ xs: [Double]) -> Double {
        guard let top = xs.max(), top.isFinite else { return xs.max() ?? -.infinity }
        var sum = 0.0
        for x in xs { sum += exp(x - top) }
        return top + log(sum)
    }

    static func softmax(_ xs: [Double]) -> [Double] {
        guard let top = xs.max() else { return [] }
        var out = xs.map { exp($0 - top) }
        let sum = out.reduce(0, +)
        for i in out.indices { out[i] /= sum }
        return out
    }

    /// logit of a probability given as log P and log(1−P), both computed stably by the caller.
    static func logit(logP: Double, logQ: Double) -> Double {
        logP - logQ
    }

    /// Euclidean norm with an ε floor, in Float64 so that large Float32 features cannot overflow.
    static let normEpsilon = 1e-6
    static func norm<C: Collection>(_ v: C) -> Double where C.Element == Float {
        // Fast path: a plain Float64 sum of squares (vectorises); only values near the Float64
        // limits (sum ≥ 1e300 or subnormal) take the rescaled path.
        var plain = 0.0
        for x in v { plain += Double(x) * Double(x) }
        if plain < 1e300 && plain > 1e-300 {
            return (plain + normEpsilon * normEpsilon).squareRoot()
        }
        var scale = 0.0
        for x in v { scale = max(scale, abs(Double(x))) }
        guard scale > 0 else { return normEpsilon }
        var sum = 0.0
        for x in v {
            let y = Double(x) / scale
            sum += y * y
        }
        let n = scale * sum.squareRoot()
        return (n * n + normEpsilon * normEpsilon).squareRoot()
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }
}
