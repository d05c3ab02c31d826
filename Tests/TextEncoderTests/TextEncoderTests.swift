import Foundation
import Testing
import TestSupport
import Tensors
@testable import TextEncoder

/// The encoder against sentence-transformers' own outputs (Fixtures/minilm_reference.json, copied
/// from the reference run on the same weights): ids identical, embeddings within 1e-5 max-abs.
@Suite(.enabled(if: EncoderFixtures.modelAvailable, "needs the model directory (make encoder)"))
struct TextEncoderTests {
    static let encoder: Result<TextEncoder, Error> = Result { try TextEncoder(directory: EncoderFixtures.modelDirectory) }

    static func reference() throws -> (sentences: [String], ids: [[Int32]], embeddings: [[Float]]) {
        let json = try EncoderFixtures.json("minilm_reference")
        let sentences = try #require(json["sentences"] as? [String])
        let ids = try #require(json["ids"] as? [[Int]]).map { $0.map { Int32($0) } }
        let embeddings = try #require(json["embeddings"] as? [[Double]]).map { $0.map { Float($0) } }
        return (sentences, ids, embeddings)
    }

    static func maxAbsDifference(_ a: some Collection<Float>, _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
    }

    @Test func describesTheModel() throws {
        let encoder = try Self.encoder.get()
        #expect(encoder.dimension == 384)
        #expect(encoder.maxTokens == 256)
        #expect(encoder.modelName == "all-MiniLM-L6-v2")
        #expect(encoder.configuration.layerCount == 6 && encoder.configuration.headCount == 12)
        #expect(encoder.configuration.pooling == .mean)
    }

    @Test func batchMatchesSentenceTransformers() async throws {
        try await offPool {  // seconds of CPU: on a thread of its own, not the 2-thread pool
            let encoder = try Self.encoder.get()
            let reference = try Self.reference()
            #expect(reference.sentences.count == 8)
            #expect(reference.sentences.map(encoder.tokenize) == reference.ids)
            let embeddings = encoder.embed(reference.sentences)
            #expect(embeddings.rows == reference.sentences.count && embeddings.cols == 384)
            for (i, expected) in reference.embeddings.enumerated() {
                let difference = Self.maxAbsDifference(embeddings.row(i), expected)
                #expect(difference <= 1e-5, "sentence \(i): max abs difference \(difference)")
            }
        }
    }

    @Test func eachSentenceAloneMatchesToo() async throws {
        try await offPool {  // seconds of CPU: on a thread of its own, not the 2-thread pool
            let encoder = try Self.encoder.get()
            let reference = try Self.reference()
            for (i, sentence) in reference.sentences.enumerated() {
                let embedding = encoder.embed([sentence])
                let difference = Self.maxAbsDifference(embedding.row(0), reference.embeddings[i])
                #expect(difference <= 1e-5, "sentence \(i) alone: max abs difference \(difference)")
            }
        }
    }

    /// Packing many texts into several chunks gives the same rows as embedding them one by one.
    @Test func chunkedBatchEqualsSingleCalls() async throws {
        try await offPool {  // seconds of CPU: on a thread of its own, not the 2-thread pool
            var encoder = try Self.encoder.get()
            encoder.chunkTokens = 40
            let texts = (0..<12).map { "sentence number \($0) with " + String(repeating: "a few more words ", count: $0) }
            let batch = encoder.embed(texts)
            for (i, text) in texts.enumerated() {
                let single = encoder.embed([text])
                #expect(Self.maxAbsDifference(batch.row(i), single.values) <= 1e-6, "row \(i)")
            }
        }
    }

    /// The forward split over threads (a pool of its own, so this runs the parallel path whatever
    /// the machine's cores; 3 parts for uneven splits) gives the rows of the single-thread forward,
    /// for a 256-token text, a mixed batch and a batch packed into several chunks.
    @Test(arguments: [2, 3])
    func parallelForwardEqualsTheSingleThreadOne(threads: Int) throws {
        var serial = try Self.encoder.get()
        serial.threads = 1
        var parallel = serial
        parallel.threads = threads
        parallel.pool = ForkJoinPool(threads: threads)
        let reference = try Self.reference()
        let long = String(repeating: "The annotator preferred the second response because it cited its sources. ", count: 30)
        var chunked = parallel
        chunked.chunkTokens = 40
        for (encoder, texts) in [(parallel, [long]), (parallel, reference.sentences + [long]), (chunked, reference.sentences)] {
            let expected = serial.embed(texts), got = encoder.embed(texts)
            let difference = Self.maxAbsDifference(got.values, expected.values)
            #expect(difference <= 1e-6, "\(texts.count) texts on \(threads) threads: max abs difference \(difference)")
        }
        let embeddings = parallel.embed(reference.sentences)
        for (i, expected) in reference.embeddings.enumerated() {
            #expect(Self.maxAbsDifference(embeddings.row(i), expected) <= 1e-5, "sentence \(i)")
        }
    }

    @Test func embeddingsAreUnitLengthAndEmptyInputsWork() throws {
        let encoder = try Self.encoder.get()
        let out = encoder.embed(["", "   ", "\u{0}\u{1}", "😀"])
        for r in 0..<out.rows {
            let norm = out.row(r).reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5, "row \(r) norm \(norm)")
        }
        #expect(out.isFinite)
        #expect(encoder.embed([]).rows == 0)
    }

    @Test func similarTextsAreCloserThanUnrelatedOnes() throws {
        let encoder = try Self.encoder.get()
        let e = encoder.embed(["A man is eating food.", "A man is eating a piece of bread.", "The stock market fell sharply today."])
        func cosine(_ a: Int, _ b: Int) -> Float { zip(e.row(a), e.row(b)).reduce(0) { $0 + $1.0 * $1.1 } }
        #expect(cosine(0, 1) > cosine(0, 2) + 0.3)
    }
}

/// Layer-by-layer against the reference's intermediates for "hello world"
/// (Fixtures/hello_world_intermediates.json, values rounded to 6 decimals): when the final
/// embedding drifts, this says where.
@Suite(.enabled(if: EncoderFixtures.modelAvailable, "needs the model directory (make encoder)"))
struct TextEncoderLayerTests {
    @Test(arguments: [("embeddings_layernorm_out", 0), ("layer0_out", 1), ("last_hidden_state", 6)])
    func hiddenStatesMatchReference(_ key: String, _ layers: Int) throws {
        let encoder = try TextEncoderTests.encoder.get()
        let fixture = try EncoderFixtures.json("hello_world_intermediates")
        let ids = try #require(fixture["ids"] as? [Int]).map { Int32($0) }
        #expect(encoder.tokenize(try #require(fixture["text"] as? String)) == ids)
        let expected = try #require(fixture[key] as? [[Double]]).flatMap { $0.map { Float($0) } }
        let got = encoder.model.hiddenStates(ids, layers: layers)
        #expect(got.count == expected.count)
        let difference = TextEncoderTests.maxAbsDifference(got, expected)
        #expect(difference <= 2e-5, "\(key): max abs difference \(difference)")
    }
}
