/// An annotation tool's task or record as the domain sees it: the items an annotator compared (texts with
/// the tool's ids) and an optional prompt. Parsing the tool's JSON happens in `RewardAPI`; the rules that turn
/// labels into comparisons live here, free of HTTP, so they can be tested on their own (docs/INTEGRATIONS.md).
public struct LabelTask: Sendable, Equatable {
    public enum Tool: String, Sendable {
        case labelStudio = "label-studio"
        case argilla
    }

    public struct Item: Sendable, Equatable {
        /// The tool's name for the item: `left`/`right` for a Label Studio pair, the List item id for a
        /// Ranker, the record field name for Argilla.
        public var id: String
        public var text: String
        public init(id: String, text: String) {
            self.id = id
            self.text = text
        }
    }

    public enum Shape: Sendable, Equatable {
        /// Two items, the annotator picks one (Label Studio `Pairwise`, Argilla label question over two fields).
        case pairwise(left: Item, right: Item)
        /// Several items, the annotator orders them (Label Studio `Ranker`, Argilla ranking question).
        case ranking([Item])
    }

    public var tool: Tool
    public var project: String
    public var task: String
    public var prompt: String?
    public var shape: Shape

    public init(tool: Tool, project: String, task: String, prompt: String? = nil, shape: Shape) {
        self.tool = tool
        self.project = project
        self.task = task
        self.prompt = prompt
        self.shape = shape
    }

    /// The items in task order.
    public var items: [Item] {
        switch shape {
        case .pairwise(let l, let r): [l, r]
        case .ranking(let items): items
        }
    }
}

/// What the annotator answered.
public enum LabelAnswer: Sendable, Equatable {
    /// Pairwise: the id of the chosen item.
    case chose(String)
    /// A ranking as tiers, best first: items in one tier are tied (no comparison between them).
    case ranked([[String]])
}

/// One comparison implied by a label, with the stable client id that makes replays idempotent and lets
/// updates replace and deletions remove exactly the comparisons this label produced.
public struct LabelComparison: Sendable, Equatable {
    public var id: String
    public var prompt: String?
    public var chosen: LabelTask.Item
    public var rejected: LabelTask.Item
}
