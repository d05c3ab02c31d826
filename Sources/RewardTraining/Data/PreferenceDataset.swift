import Tensors

/// Labelled comparisons of many users, the input of `reward train` and `reward eval`
/// (docs/DATASETS.md documents the NDJSON form). Items and prompts live in row tables; pairs
/// refer to rows, so a generator can reuse an item in several pairs (cycles) without copying it.
public struct PreferenceDataset: Sendable {
    public enum Split: String, Sendable {
        case train, test
    }

    public struct User: Sendable, Equatable {
        public var id: String
        /// Seen users are trained on; unseen users only serve the few-shot evaluation.
        public var seen: Bool
        /// The user's true state under `truth` (synthetic data only).
        public var theta: [Double]?

        public init(id: String, seen: Bool, theta: [Double]? = nil) {
            self.id = id
            self.seen = seen
            self.theta = theta
        }
    }

    public struct Pair: Sendable, Equatable {
        /// Index into `users`.
        public var user: Int
        public var split: Split
        /// Rows of `items`.
        public var chosen: Int
        public var rejected: Int
        /// Row of `prompts`, or nil.
        public var prompt: Int?
        /// True reward difference r(chosen) − r(rejected) where known (its sign is the oracle's label).
        public var margin: Double?
        /// The label was flipped on purpose (`--noise`).
        public var flipped: Bool

        public init(user: Int, split: Split, chosen: Int, rejected: Int, prompt: Int? = nil, margin: Double? = nil, flipped: Bool = false) {
            self.user = user
            self.split = split
            self.chosen = chosen
            self.rejected = rejected
            self.prompt = prompt
            self.margin = margin
            self.flipped = flipped
        }
    }

    public var featureDim: Int
    public var promptDim: Int?
    /// What made the data (generator name and its flags), kept verbatim for reproducibility.
    public var source: [String: String]
    /// The true shared head, when the data is synthetic and one exists.
    public var truth: GroundTruth?
    public var users: [User]
    /// Item rows, `featureDim` floats each, concatenated.
    public var itemValues: [Float]
    /// Prompt rows, `promptDim` floats each, concatenated.
    public var promptValues: [Float]
    public var pairs: [Pair]

    /// The item table as a matrix (shares storage; no copy).
    public var items: Matrix { Matrix(rows: itemValues.count / featureDim, cols: featureDim, values: itemValues) }
    public var prompts: Matrix? {
        promptDim.map { Matrix(rows: promptValues.count / $0, cols: $0, values: promptValues) }
    }

    public init(featureDim: Int, promptDim: Int? = nil, source: [String: String] = [:], truth: GroundTruth? = nil,
                users: [User] = [], pairs: [Pair] = []) {
        self.featureDim = featureDim
        self.promptDim = promptDim
        self.source = source
        self.truth = truth
        self.users = users
        self.itemValues = []
        self.promptValues = []
        self.pairs = pairs
    }

    /// Fraction of flipped training labels declared by the generator (0 when none).
    public var declaredNoise: Double { source["noise"].flatMap(Double.init) ?? 0 }

    /// Appends an item row and returns its index.
    public mutating func appendItem(_ features: [Float]) -> Int {
        precondition(features.count == featureDim, "item width differs from the dataset's")
        itemValues += features
        return itemValues.count / featureDim - 1
    }

    /// Appends a prompt row and returns its index.
    public mutating func appendPrompt(_ features: [Float]) -> Int {
        precondition(features.count == promptDim, "prompt width differs from the dataset's")
        promptValues += features
        return promptValues.count / features.count - 1
    }

    public func item(_ row: Int) -> [Float] { Array(itemValues[row * featureDim ..< (row + 1) * featureDim]) }

    public func prompt(_ row: Int) -> [Float] {
        let p = promptDim!
        return Array(promptValues[row * p ..< (row + 1) * p])
    }

    /// Pairs grouped by user (indices into `pairs`), in file order.
    public func pairIndicesByUser(split: Split) -> [[Int]] {
        var out = [[Int]](repeating: [], count: users.count)
        for (i, p) in pairs.enumerated() where p.split == split { out[p.user].append(i) }
        return out
    }
}

/// The true shared head of a synthetic dataset: PAL-B with f = identity, g_k = `prototypes`,
/// s = `scale` (so r_u(x) = s · cos(x, Σ_k w_k g_k) and w = softmax(θ_u)).
public struct GroundTruth: Sendable, Equatable {
    public var kind: String
    public var prototypes: [[Double]]
    public var scale: Double

    public init(kind: String, prototypes: [[Double]], scale: Double) {
        self.kind = kind
        self.prototypes = prototypes
        self.scale = scale
    }
}
