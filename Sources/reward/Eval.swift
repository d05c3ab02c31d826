import ArgumentParser
import Foundation
import RewardModel
import RewardTraining

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a head on a dataset: seen users, the unseen few-shot curve, baselines, oracle and ceiling.")

    @Option(help: "Head directory.") var head: String
    @Option(help: "Dataset (NDJSON, docs/DATASETS.md).") var data: String
    @Option(help: "table (Markdown) or json.") var format: String = "table"
    @Option(help: "Also write the few-shot curve as an SVG plot to this file.") var plot: String?
    @Option(help: "Comma-separated few-shot sizes n.") var shots: String = "1,2,4,8,16,32,64"
    @Option(help: "λ of adapt's prior (default: the head's adapt_prior, else 1 — what the service uses).") var prior: Double?
    @Option(help: "Seed of PAL's schedule baseline.") var seed: UInt64 = 1

    func run() throws {
        guard format == "table" || format == "json" else { throw ValidationError("--format must be table or json") }
        var o = EvaluationOptions()
        let ns = shots.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !ns.isEmpty, ns.allSatisfy({ $0 > 0 }) else { throw ValidationError("--shots needs positive integers") }
        o.shots = ns.sorted()
        o.seed = seed
        o.name = URL(fileURLWithPath: head).lastPathComponent
        do {
            let model = try RewardHead.load(directory: head)
            o.adapt.prior = prior ?? model.config.defaultAdaptPrior
            let dataset = try PreferenceDataset.load(path: data)
            let report = try Evaluator.evaluate(head: model, data: dataset, options: o)
            print(format == "json" ? report.json() : report.table(), terminator: format == "json" ? "\n" : "")
            if let plot {
                let title = "\(o.name) (\(model.kind.rawValue)) on \(URL(fileURLWithPath: data).lastPathComponent)"
                guard FileManager.default.createFile(atPath: plot, contents: Data(report.svg(title: title).utf8)) else {
                    throw ValidationError("cannot write \(plot)")
                }
            }
        } catch let error as TrainingError {
            throw ValidationError(error.description)
        } catch let error as RewardModelError {
            throw ValidationError(error.description)
        }
    }
}
