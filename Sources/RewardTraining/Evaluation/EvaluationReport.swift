/// What `reward eval` measures (docs/DATASETS.md describes each field). nil = not measurable here
/// (no ground truth, no seen users, a head without user state …).
public struct EvaluationReport: Sendable {
    public struct Seen: Sendable {
        public var accuracy: Double
        public var oracle: Double?
        public var bt: Double?
        public var users: Int
        public var pairs: Int
    }

    public struct Point: Sendable {
        public var n: Int
        public var accuracy: Double
        public var oracle: Double?
        public var ceiling: Double?
        public var bt: Double?
        public var palSchedule: Double?
        public var users: Int
    }

    public struct Fit: Sendable {
        public var accuracy: Double
        /// Mean −log P(chosen ≻ rejected) on the test labels.
        public var logLoss: Double
    }

    /// Training labels partly flipped: adapt with the matching ε against the uncorrected fit and a
    /// fit on the un-flipped (clean) labels, all at `n` pairs.
    public struct Noise: Sendable {
        public var epsilon: Double
        public var n: Int
        public var corrected: Fit
        public var uncorrected: Fit
        public var clean: Fit
    }

    public var head: String
    public var kind: String
    public var seen: Seen?
    public var unseen: [Point]
    public var noise: Noise?
}
