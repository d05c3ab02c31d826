/// When to run the queued work of one `Batcher` as two batches instead of one.
///
/// With many one-item clients (64 connections, each waiting for its answer before it sends again)
/// every queued request rides in the same batch, so all answers go out together and the worker then
/// idles while the whole cohort makes its HTTP round trip. Taking half, answering it, and then taking
/// the rest lets the first half's clients send their next requests while the second half computes:
/// the worker stays busy at the price of sgemms half as tall. Worth it only when a batch takes long
/// against a round trip, and only while the halves stay tall enough for sgemm to run near full speed.
/// The `Batcher` never splits two batches in a row: the second half runs whole, with whatever joined
/// it, so two cohorts settle into alternating instead of halving again and again.
struct BatchSplitting: Sendable {
    /// Split only queued work estimated to take at least this long (a cheap head's batches never split).
    var minimumSeconds: Double
    /// Never make a half smaller than this many items (so 64 one-item clients settle into two cohorts of 32).
    var minimumHalf: Int

    init(minimumSeconds: Double = 0.002, minimumHalf: Int = 24) {
        self.minimumSeconds = minimumSeconds
        self.minimumHalf = minimumHalf
    }

    /// Never splits.
    static let disabled = BatchSplitting(minimumSeconds: .infinity, minimumHalf: .max / 4)

    /// The cost budget of the next batch. `secondsPerCost` is the measured pace (nil before the first batch).
    func budget(queuedCost: Int, maxBatchCost: Int, secondsPerCost: Double?) -> Int {
        // More queued than one batch holds: the queue does not run dry after this batch, no bubble to fill.
        guard let secondsPerCost, queuedCost <= maxBatchCost, queuedCost >= 2 * minimumHalf,
              Double(queuedCost) * secondsPerCost >= minimumSeconds else { return maxBatchCost }
        return (queuedCost + 1) / 2
    }
}
