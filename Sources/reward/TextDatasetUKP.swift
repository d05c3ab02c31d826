import ArgumentParser
import Foundation
import RewardModel
import Tensors
import TextEncoder

/// `reward text-dataset ukp`: UKPConvArg1 (which of two arguments is more convincing) as a feature
/// dataset. Prompt = debate title + stance, item = argument text, user = crowd worker. Workers with
/// at least `--min-judgments` judgments are the evaluated users: whole topics of theirs are held out
/// (`test` split); every other judgment, including all of the other workers', is training data.
/// `equal` judgments are dropped.
struct TextDatasetUKP: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ukp", abstract: "UKPConvArg1 → feature dataset (held-out topics per worker).")

    @Option(help: "Directory with arguments.tsv.gz and judgments.csv.gz.")
    var data = "../shared/data/ukpconvarg1"

    @Option(help: "Judgments a worker needs to be an evaluated user.")
    var minJudgments = 100

    @Option(help: "Fraction of an evaluated worker's topics held out for testing.")
    var testTopics = 0.3

    @OptionGroup var common: TextDatasetOptions

    func run() throws {
        let argumentsPath = data + "/arguments.tsv.gz", judgmentsPath = data + "/judgments.csv.gz"
        guard FileManager.default.fileExists(atPath: argumentsPath), FileManager.default.fileExists(atPath: judgmentsPath) else {
            print("UKPConvArg1 not found under \(data): skipping")
            return
        }
        BLAS.setThreadCount(common.threads)
        var generator = SeededGenerator(seed: common.seed)
        // Arguments: key → item row; topic file → prompt row ("title. stance").
        var itemRow: [String: Int] = [:], texts: [String] = []
        var promptRow: [String: Int] = [:], promptTexts: [String] = []
        for line in try CorpusFiles.gunzipLines(argumentsPath).dropFirst() {
            let fields = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { continue }
            itemRow[fields[0]] = texts.count
            texts.append(fields[4])
            if promptRow[fields[1]] == nil {
                promptRow[fields[1]] = promptTexts.count
                promptTexts.append("\(fields[2]). \(fields[3])")
            }
        }
        struct Judgment { var worker: String; var chosen: Int; var rejected: Int; var topic: String }
        var judgments: [Judgment] = []
        var counts: [String: Int] = [:]
        for line in try CorpusFiles.gunzipLines(judgmentsPath).dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 6, let a = itemRow[f[1]], let b = itemRow[f[2]], promptRow[f[5]] != nil else { continue }
            counts[f[0], default: 0] += 1
            switch f[3] {
            case "a1": judgments.append(Judgment(worker: f[0], chosen: a, rejected: b, topic: f[5]))
            case "a2": judgments.append(Judgment(worker: f[0], chosen: b, rejected: a, topic: f[5]))
            default: continue  // "equal" carries no preference
            }
        }
        let evaluated = Set(counts.filter { $0.value >= minJudgments }.keys)
        // Held-out topics per evaluated worker.
        var heldOut: [String: Set<String>] = [:]
        for worker in evaluated.sorted() {
            let topics = Set(judgments.filter { $0.worker == worker }.map(\.topic)).sorted().shuffled(using: &generator)
            let count = max(1, Int((Double(topics.count) * testTopics).rounded()))
            heldOut[worker] = topics.count > 1 ? Set(topics.prefix(count)) : []
        }
        let encoder = try TextEncoder(directory: common.encoder)
        var writer = DatasetWriter(featureDim: encoder.dimension, promptDim: encoder.dimension,
                                   source: ["corpus": "UKPConvArg1 (Habernal & Gurevych 2016, CC-BY-4.0)", "encoder": encoder.modelName,
                                            "generator": "reward text-dataset ukp, seed \(common.seed), min judgments \(minJudgments), test topics \(testTopics)"])
        writer.items = CorpusFiles.embed(texts, with: encoder, label: "arguments")
        writer.prompts = CorpusFiles.embed(promptTexts, with: encoder, label: "debate prompts")
        for worker in Set(judgments.map(\.worker)).sorted() { writer.users.append((worker, true)) }
        for j in judgments {
            writer.pairs.append(.init(user: j.worker, test: heldOut[j.worker]?.contains(j.topic) ?? false,
                                      chosen: j.chosen, rejected: j.rejected, prompt: promptRow[j.topic]))
        }
        try writer.write(path: common.out)
        let tests = writer.pairs.filter(\.test).count
        print("wrote \(common.out): \(texts.count) arguments, \(promptTexts.count) prompts, \(writer.users.count) workers "
            + "(\(evaluated.count) evaluated, ≥ \(minJudgments) judgments), \(writer.pairs.count) pairs (\(tests) held out)")
    }
}
