import ArgumentParser
import Foundation
import Tensors
import TextEncoder

/// `reward text-dataset …`: turns a text preference corpus into a feature dataset for `reward train`
/// and `reward eval` (the `reward-preferences` NDJSON of docs/DATASETS.md), embedding every text with
/// the built-in encoder. The corpora live outside the project (`../shared/data`); when a corpus is
/// absent the command says so and exits 0, so `make demo-head` can skip cleanly.
struct TextDataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text-dataset",
        abstract: "Build a feature dataset from a text preference corpus with the text encoder.",
        subcommands: [TextDatasetPersona.self, TextDatasetUKP.self]
    )
}

/// Options every builder shares.
struct TextDatasetOptions: ParsableArguments {
    @Option(help: "Text encoder model directory (make encoder).")
    var encoder = ".reward/models/all-MiniLM-L6-v2"

    @Option(help: "Output NDJSON dataset.")
    var out: String

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "OpenBLAS threads for embedding.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
}

/// Writes the `reward-preferences` NDJSON: header, users, item and prompt tables (base64 f32), pairs.
struct DatasetWriter {
    struct Pair {
        var user: String
        var test: Bool
        var chosen: Int
        var rejected: Int
        var prompt: Int?
    }

    var featureDim: Int
    var promptDim: Int?
    var source: [String: String]
    var users: [(id: String, seen: Bool)] = []
    var items = Matrix(rows: 0, cols: 0)
    var prompts: Matrix?
    var pairs: [Pair] = []

    func write(path: String) throws {
        var out = "{\"format\":\"reward-preferences\",\"version\":1,\"feature_dim\":\(featureDim)"
        if let promptDim { out += ",\"prompt_dim\":\(promptDim)" }
        out += ",\"source\":{" + source.keys.sorted().map { "\(Self.quote($0)):\(Self.quote(source[$0]!))" }.joined(separator: ",") + "}}\n"
        for u in users { out += "{\"user\":\(Self.quote(u.id)),\"seen\":\(u.seen)}\n" }
        for r in 0..<items.rows { out += "{\"item\":\(r),\"features\":\"\(Self.base64(items.row(r)))\"}\n" }
        if let prompts {
            for r in 0..<prompts.rows { out += "{\"prompt_id\":\(r),\"features\":\"\(Self.base64(prompts.row(r)))\"}\n" }
        }
        for p in pairs {
            out += "{\"user\":\(Self.quote(p.user)),\"split\":\"\(p.test ? "test" : "train")\",\"chosen\":\(p.chosen),\"rejected\":\(p.rejected)"
            if let prompt = p.prompt { out += ",\"prompt\":\(prompt)" }
            out += "}\n"
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(out.utf8)) else {
            throw ValidationError("cannot write \(path)")
        }
    }

    static func base64(_ values: ArraySlice<Float>) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return Data(bytes).base64EncodedString()
    }

    static func quote(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}

enum CorpusFiles {
    /// The lines of a `.gz` text file (through `gzip -dc`: Foundation has no inflater). CRLF and LF
    /// both end a line (a Swift `Character` "\r\n" never equals "\n", so split on bytes).
    static func gunzipLines(_ path: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("cannot decompress \(path)") }
        return data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
    }

    /// Embeds `texts` in batches of 64, printing progress to stderr.
    static func embed(_ texts: [String], with encoder: TextEncoder, label: String) -> Matrix {
        var values: [Float] = []
        values.reserveCapacity(texts.count * encoder.dimension)
        let start = Date()
        for begin in stride(from: 0, to: texts.count, by: 64) {
            let batch = encoder.embed(Array(texts[begin..<min(begin + 64, texts.count)]))
            values += batch.values
        }
        FileHandle.standardError.write(Data(String(format: "embedded %d %@ in %.1f s\n", texts.count, label, Date().timeIntervalSince(start)).utf8))
        return Matrix(rows: texts.count, cols: encoder.dimension, values: values)
    }
}
