/// The built-in text backbone as the domain needs it. Called on the model worker thread only.
public protocol TextEmbedder: Sendable {
    /// Backbone name that heads and stored history refer to (e.g. `all-MiniLM-L6-v2`).
    var modelName: String { get }
    var dimension: Int { get }
    /// One L2-normalised embedding per text, in order.
    func embeddings(for texts: [String]) throws -> [[Float]]
}
