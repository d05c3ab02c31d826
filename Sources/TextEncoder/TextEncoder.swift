import Foundation
import Tensors

/// A sentence encoder (all-MiniLM-L6-v2 or a similar BERT): text in, one L2-normalised embedding
/// per text out, matching sentence-transformers.
///
/// Immutable after `init`, so one instance may be shared; each `embed` call allocates its own
/// scratch space. The heavy work is sgemm: call it from the thread that owns BLAS (the service's
/// model worker). Threads: the caller's OpenBLAS thread count (`BLAS.setThreadCount`, the service's
/// `--blas-threads`) unless `threads` is set. With more than one, a call splits the forward over
/// that many threads of a process-wide pool itself and runs OpenBLAS single-threaded meanwhile
/// (1.9× on 2 cores at 256 tokens, where OpenBLAS's own 2 threads gain 1.1–1.7×); with one,
/// everything runs on the calling thread.
public struct TextEncoder: Sendable {
    /// A name for the feature space (history is tagged with it): the model directory's name.
    public let modelName: String
    public let configuration: BertConfiguration
    public let tokenizer: WordPieceTokenizer
    let model: BertModel

    /// Embedding width (384 for MiniLM-L6).
    public var dimension: Int { configuration.hiddenSize }
    /// Tokens per text, `[CLS]` and `[SEP]` included (256); longer texts are truncated.
    public var maxTokens: Int { configuration.maxTokens }

    /// Tokens per forward chunk: large enough that every sgemm is efficient, small enough that the
    /// scratch space stays near 30 MB whatever the batch size. (Tests lower it to exercise chunking.)
    var chunkTokens = 2048

    /// Threads for one `embed` call; nil follows the OpenBLAS thread count at the time of the call.
    public var threads: Int?

    /// The pool a parallel call forks onto (nil: the process-wide one; tests use their own).
    var pool: ForkJoinPool?

    /// Loads `config.json`, `1_Pooling/config.json`, `vocab.txt` and `model.safetensors` from
    /// `directory` (and `sentence_bert_config.json` for the max length, when present).
    public init(directory: String, name: String? = nil) throws {
        let configuration = try BertConfiguration.load(directory: directory)
        let vocabulary = try Vocabulary.load(path: directory + "/vocab.txt")
        guard vocabulary.count <= configuration.vocabularySize else {
            throw TextEncoderError(.badVocabulary, "vocab.txt has \(vocabulary.count) tokens, the model \(configuration.vocabularySize)")
        }
        self.configuration = configuration
        self.tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, maxTokens: configuration.maxTokens)
        self.model = BertModel(configuration: configuration,
                               weights: try BertWeights.load(path: directory + "/model.safetensors", configuration: configuration))
        self.modelName = name ?? URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
    }

    /// Token ids of `text` as the encoder sees them (`[CLS] … [SEP]`, at most `maxTokens`).
    public func tokenize(_ text: String) -> [Int32] {
        tokenizer.encode(text)
    }

    /// One embedding row per text ([texts.count, dimension]). Never fails: any string tokenizes.
    public func embed(_ texts: [String]) -> Matrix {
        var scratch = WordPieceTokenizer.Scratch()
        return embed(tokenized: texts.map { tokenizer.encode($0, scratch: &scratch) })
    }

    /// Embeddings of already tokenized texts (ids from `tokenize`).
    public func embed(tokenized sequences: [[Int32]]) -> Matrix {
        for ids in sequences {
            precondition(!ids.isEmpty && ids.count <= maxTokens, "token sequence length outside 1...\(maxTokens)")
            precondition(ids.allSatisfy { $0 >= 0 && Int($0) < configuration.vocabularySize }, "token id outside the vocabulary")
        }
        var output = Matrix(rows: sequences.count, cols: dimension)
        guard !sequences.isEmpty else { return output }
        let budget = max(chunkTokens, maxTokens)
        let totalTokens = sequences.reduce(0) { $0 + $1.count }
        withFork { fork in
            let scratch = BertModel.Scratch(tokens: min(budget, totalTokens), maxLength: sequences.map(\.count).max()!,
                                            parts: fork.width, configuration: configuration)
            output.values.withUnsafeMutableBufferPointer { out in
                encode(sequences, scratch: scratch, fork: fork, output: out.baseAddress!)
            }
        }
        return output
    }

    /// Runs `body` with a fork of `threads` (or the OpenBLAS thread count) parts, OpenBLAS held at
    /// one thread while the parts run (each part's sgemms must stay on its own core).
    private func withFork(_ body: (Fork) -> Void) {
        let blasThreads = BLAS.threadCount
        let width = threads ?? blasThreads
        guard width > 1 else { return body(.serial) }
        (pool ?? ForkJoinPool.shared).withFork(width: width) { fork in
            if fork.width > 1 && blasThreads > 1 { BLAS.setThreadCount(1) }
            defer { if fork.width > 1 && blasThreads > 1 { BLAS.setThreadCount(blasThreads) } }
            body(fork)
        }
    }

    /// The forward in chunks of at most `scratch.capacity` tokens (whole texts per chunk).
    private func encode(_ sequences: [[Int32]], scratch: BertModel.Scratch, fork: Fork, output out: UnsafeMutablePointer<Float>) {
        var start = 0
        while start < sequences.count {
            var end = start
            var tokens = 0
            while end < sequences.count, tokens + sequences[end].count <= scratch.capacity {
                tokens += sequences[end].count
                end += 1
            }
            model.encode(sequences[start..<end], scratch: scratch, fork: fork, output: out + start * dimension)
            start = end
        }
    }
}
