import RewardModel
import Tensors

/// One request's share of a coalesced batch: its items (flattened rows), an optional prompt, the
/// user state to apply, and for gpm an optional reference item.
struct ItemsJob: Sendable {
    var items: [Float]
    var count: Int
    var prompt: [Float]?
    var state: UserState?
    var reference: [Float]?
}

/// Pairs for `compare`: rows are (a₀, b₀, a₁, b₁, …); `prompts[i]` belongs to pair i (nil: none).
struct PairsJob: Sendable {
    var rows: [Float]
    var pairCount: Int
    var prompts: [[Float]?]
    var state: UserState?
}

/// Builds one `ScoringBatch` from many jobs so the shared head runs one sgemm for all of them.
enum BatchAssembler {
    static func items(_ jobs: [ItemsJob], featureDim d: Int) -> ScoringBatch {
        var values = [Float]()
        values.reserveCapacity(jobs.reduce(0) { $0 + ($1.count + ($1.reference == nil ? 0 : 1)) * d })
        var prompts = [Float]()
        var promptRows = 0
        var groups = [ScoringBatch.Group]()
        var row = 0
        for job in jobs {
            values += job.items
            let rows = row ..< row + job.count
            row += job.count
            var reference: Int?
            if let r = job.reference {
                values += r
                reference = row
                row += 1
            }
            var promptRow: Int?
            if let p = job.prompt {
                prompts += p
                promptRow = promptRows
                promptRows += 1
            }
            groups.append(.init(rows: rows, prompt: promptRow, state: job.state, reference: reference))
        }
        let promptMatrix = promptRows == 0 ? nil : Matrix(rows: promptRows, cols: prompts.count / promptRows, values: prompts)
        return ScoringBatch(items: Matrix(rows: row, cols: d, values: values), prompts: promptMatrix, groups: groups)
    }

    /// Pairs sharing a prompt (or none) form one group; a pair with its own prompt forms its own.
    static func pairs(_ jobs: [PairsJob], featureDim d: Int) -> (batch: ScoringBatch, groupsPerJob: [Range<Int>]) {
        var values = [Float]()
        var prompts = [Float]()
        var promptRows = 0
        var groups = [ScoringBatch.Group]()
        var spans = [Range<Int>]()
        var row = 0
        for job in jobs {
            values += job.rows
            let first = groups.count
            var i = 0
            while i < job.pairCount {
                // Extend the group over consecutive pairs with the same prompt.
                var j = i + 1
                while j < job.pairCount, job.prompts[j] == job.prompts[i] { j += 1 }
                var promptRow: Int?
                if let p = job.prompts[i] {
                    prompts += p
                    promptRow = promptRows
                    promptRows += 1
                }
                groups.append(.init(rows: row + 2 * i ..< row + 2 * j, prompt: promptRow, state: job.state))
                i = j
            }
            row += 2 * job.pairCount
            spans.append(first ..< groups.count)
        }
        let promptMatrix = promptRows == 0 ? nil : Matrix(rows: promptRows, cols: prompts.count / promptRows, values: prompts)
        return (ScoringBatch(items: Matrix(rows: row, cols: d, values: values), prompts: promptMatrix, groups: groups), spans)
    }
}

extension ScoringError {
    /// RewardModel's errors are about the request (shapes, prompts, unsupported operations) except
    /// a broken head, which is ours.
    init(_ error: any Error) {
        if let e = error as? ScoringError {
            self = e
        } else if let e = error as? RewardModelError {
            switch e.code {
            case .invalidInput, .numericalRange: self.init(.invalidInput, e.message)
            case .unsupported: self.init(.unsupported, e.message)
            default: self.init(.internal, e.message)
            }
        } else {
            self.init(.internal, "\(error)")
        }
    }
}
