/// The service's answer to a tool's task, for one annotator (or the population).
public struct TaskPrediction: Sendable, Equatable {
    public enum Answer: Sendable, Equatable {
        /// Pairwise: the item the annotator is predicted to choose.
        case chose(String)
        /// Ranking: item ids, best first.
        case ranked([String])
    }

    public var answer: Answer
    /// Confidence in [0, 1]: P(chosen ≻ other) for a pair, the Plackett–Luce probability of the order for a ranking.
    public var score: Double
    public var head: String
    public var headVersion: String
    public var user: UserSummary
}

extension RewardService {
    /// Predicts the annotator's answer to a task: which item they choose, or how they order the items.
    public func predictLabel(_ task: LabelTask, user: UserSelector, head name: String?) async throws(ScoringError) -> TaskPrediction {
        let head = try catalog.head(name)
        let prompt = head.head.promptDim == nil ? nil : task.prompt.map(Item.text)
        for item in task.items where item.text.isEmpty {
            throw ScoringError(.invalidInput, "item \"\(item.id)\" of task \(task.task) has no text")
        }
        switch task.shape {
        case let .pairwise(left, right):
            let r = try await compare(CompareQuery(head: head.name, user: user, pairs: [.init(prompt: prompt, a: .text(left.text), b: .text(right.text))]))
            let pLeft = r.results[0].pA
            return TaskPrediction(answer: .chose(pLeft >= 0.5 ? left.id : right.id), score: max(pLeft, 1 - pLeft),
                                  head: head.name, headVersion: head.version, user: r.user)
        case let .ranking(items):
            guard items.count >= 2 else { throw ScoringError(.invalidInput, "a ranking needs at least 2 items") }
            let r = try await rank(ScoreQuery(head: head.name, user: user, prompt: prompt, items: items.map { .text($0.text) }))
            let probability = r.probability ?? 1 / (1...items.count).reduce(1.0) { $0 * Double($1) }
            return TaskPrediction(answer: .ranked(r.order.map { items[$0].id }), score: min(1, max(0, probability)),
                                  head: head.name, headVersion: head.version, user: r.user)
        }
    }
}
