import Foundation
import Tensors

/// One labelled pair: `chosen` was preferred over `rejected` (optionally under a prompt).
public struct LabeledComparison: Sendable {
    public var prompt: [Float]?
    public var chosen: [Float]
    public var rejected: [Float]
    public var weight: Double

    public init(prompt: [Float]? = nil, chosen: [Float], rejected: [Float], weight: Double = 1) {
        self.prompt = prompt
        self.chosen = chosen
        self.rejected = rejected
        self.weight = weight
    }
}

public struct AdaptOptions: Sendable {
    /// λ > 0 in (λ/2)‖θ − θ̄‖².
    public var prior: Double = 1
    /// ε ∈ [0, ½): rate of flipped labels; > 0 uses the rDPO-corrected loss.
    public var labelNoise: Double = 0
    public var maxIterations: Int = 100
    /// Converged when ‖∇‖₂ ≤ this.
    public var gradientTolerance: Double = 1e-6

    public init(prior: Double = 1, labelNoise: Double = 0, maxIterations: Int = 100, gradientTolerance: Double = 1e-6) {
        self.prior = prior
        self.labelNoise = labelNoise
        self.maxIterations = maxIterations
        self.gradientTolerance = gradientTolerance
    }
}

public struct AdaptReport: Sendable, Equatable {
    public var comparisons: Int
    public var iterations: Int
    /// Final objective: weighted loss + prior term.
    public var objective: Double
    public var gradientNorm: Double
    public var trainingAccuracy: Double
    public var converged: Bool
}

public struct AdaptResult: Sendable {
    /// θ and its Laplace posterior precision (the objective's Hessian at θ).
    public var state: UserState
    public var report: AdaptReport
}

extension RewardHead {
    /// Runs the shared head over the comparisons (one sgemm for all chosen and rejected items) and
    /// keeps only what the user state acts on.
    public func prepare(_ comparisons: [LabeledComparison]) throws -> [PreparedComparison] {
        guard !comparisons.isEmpty else { return [] }
        var items = [Float](), prompts = [Float]()
        var promptRows: [Int?] = []
        items.reserveCapacity(2 * comparisons.count * featureDim)
        for (index, c) in comparisons.enumerated() {
            guard c.chosen.count == featureDim, c.rejected.count == featureDim else {
                throw fail("comparison \(index) items need \(featureDim) features")
            }
            guard c.weight.isFinite, c.weight > 0, c.weight <= Self.maxComparisonWeight else {
                throw fail("comparison \(index) weight must be in (0, \(Self.maxComparisonWeight)]")
            }
            items += c.chosen
            items += c.rejected
            if let p = c.prompt {
                promptRows.append(prompts.count / max(p.count, 1))
                guard p.count == (promptDim ?? -1) else {
                    throw promptDim == nil ? RewardModelError(.unsupported, "this \(kind.rawValue) head takes no prompt")
                        : fail("comparison \(index) prompt needs \(promptDim!) features")
                }
                prompts += p
            } else {
                promptRows.append(nil)
            }
        }
        let n = comparisons.count
        let groups = (0..<n).map { ScoringBatch.Group(rows: (2 * $0)..<(2 * $0 + 2), prompt: promptRows[$0]) }
        let batch = ScoringBatch(items: Matrix(rows: 2 * n, cols: featureDim, values: items),
                                 prompts: prompts.isEmpty ? nil : Matrix(rows: prompts.count / promptDim!, cols: promptDim!, values: prompts),
                                 groups: groups)
        let encoded = try encodeBatch(batch)
        return try (0..<n).map { i in
            let (context, _) = try resolve(groups[i], index: i, in: encoded)
            return PreparedComparison(weight: comparisons[i].weight, features: math.pair(encoded.encoded, 2 * i, 2 * i + 1, context: context),
                                      kind: kind, stateDim: stateDim)
        }
    }

    /// Fits θ to the comparisons from `initial` (default θ̄), anchored at θ̄, to a stationary point.
    public func adapt(_ prepared: [PreparedComparison], options: AdaptOptions = AdaptOptions(),
                      initial: UserState? = nil) throws -> AdaptResult {
        let objective = try makeObjective(prepared, options: options)
        let start = try theta(of: initial)
        let solver = TrustRegionNewton(maxIterations: options.maxIterations, gradientTolerance: options.gradientTolerance)
        let outcome = solver.minimize(objective, from: start)
        let e = outcome.evaluation
        return AdaptResult(
            state: UserState(theta: outcome.theta, precision: e.hessian),
            report: AdaptReport(comparisons: prepared.count, iterations: outcome.iterations, objective: e.value,
                                gradientNorm: Numerics.dot(e.gradient, e.gradient).squareRoot(),
                                trainingAccuracy: e.accuracy, converged: outcome.converged))
    }

    /// Convenience: prepare, then adapt.
    public func adapt(_ comparisons: [LabeledComparison], options: AdaptOptions = AdaptOptions(),
                      initial: UserState? = nil) throws -> AdaptResult {
        try adapt(prepare(comparisons), options: options, initial: initial)
    }

    /// The adapt objective and its gradient at θ (for tests, diagnostics and cross-checks).
    public func objective(_ prepared: [PreparedComparison], theta: [Double], options: AdaptOptions = AdaptOptions()) throws -> (value: Double, gradient: [Double]) {
        let objective = try makeObjective(prepared, options: options)
        _ = try self.theta(of: UserState(theta: theta))
        let e = objective.evaluate(theta, hessian: false)
        return (e.value, e.gradient)
    }

    func makeObjective(_ prepared: [PreparedComparison], options: AdaptOptions) throws -> any FitObjective {
        guard kind.isPersonalized else {
            throw RewardModelError(.unsupported, "bt heads have no user state: there is nothing to adapt")
        }
        guard options.prior > 0, options.prior <= Self.maxPrior else { throw fail("prior λ must be in (0, \(Self.maxPrior)]") }
        guard options.labelNoise >= 0, options.labelNoise < 0.5 else { throw fail("label noise ε must be in [0, 0.5)") }
        guard options.maxIterations > 0, options.gradientTolerance > 0 else { throw fail("bad solver settings") }
        for p in prepared where p.kind != kind || p.stateDim != stateDim {
            throw fail("a prepared comparison was made by a different head")
        }
        return fitObjective(prepared, loss: PairwiseLoss(noise: options.labelNoise), prior: options.prior, anchor: populationState)
    }

    /// The objective over `prepared` with any prior (0 allowed: the AdamW baseline uses weight decay instead).
    func fitObjective(_ prepared: [PreparedComparison], loss: PairwiseLoss, prior: Double, anchor: [Double]) -> any FitObjective {
        if let pal = math as? PALAMath, pal.throughProjector {
            let pairs = prepared.map { p -> (fa: [Double], fb: [Double], weight: Double) in
                guard case let .projectedIdealPoint(fa, fb) = p.features else { preconditionFailure("pal-a features expected") }
                return (fa, fb, p.weight)
            }
            let rows = (0..<stateDim).map { pal.prototypes.doubleRow($0) }
            return ProjectedIdealPointObjective(pairs: pairs, projector: DoubleMLP(pal.projector), prototypes: rows,
                                                loss: loss, prior: prior, anchor: anchor)
        }
        if let shared = SharedCosineObjective(prepared, loss: loss, prior: prior, anchor: anchor) { return shared }
        return PairwiseObjective(examples: prepared, loss: loss, prior: prior, anchor: anchor)
    }
}
