import ArgumentParser
import Foundation
import RewardModel
import Tensors
import TextEncoder

/// `reward text-dataset persona`: the semi-synthetic Persona benchmark (as in PAL) from Anthropic's
/// model-written persona statements. A simulated user holds a side on a few persona dimensions and,
/// shown two statements of one of those dimensions (one a holder would say, one they would not),
/// prefers the one matching its side. Users are named after their persona
/// (`agreeableness+,openness-`), so a head trained on them scores text for readable named users.
/// Test pairs use held-out statements, so evaluation measures generalisation to new text.
struct TextDatasetPersona: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "persona", abstract: "Persona (Anthropic persona statements) → feature dataset.")

    @Option(help: "Directory with statements.tar.gz (or an extracted persona/ folder).")
    var data = "../shared/data/persona"

    @Option(parsing: .upToNextOption, help: "Persona dimensions (file names without .jsonl).")
    var dimensions = ["agreeableness", "conscientiousness", "extraversion", "neuroticism", "openness",
                      "politically-liberal", "risk-seeking", "subscribes-to-utilitarianism"]

    @Option(help: "Statements per dimension and side (highest label confidence first); half of them are held out for test pairs.")
    var statementsPerSide = 120

    @Option(help: "Dimensions each user holds a side on.")
    var traitsPerUser = 2

    @Option(help: "Seen users (trained on).") var seenUsers = 64
    @Option(help: "Unseen users (few-shot evaluation only).") var unseenUsers = 16
    @Option(help: "Training pairs per user.") var trainPairs = 64
    @Option(help: "Test pairs per user.") var testPairs = 32

    @OptionGroup var common: TextDatasetOptions

    struct Statement { var text: String; var matches: Bool; var confidence: Double }

    func run() throws {
        guard let (folder, extracted) = try statementsFolder() else {
            print("persona data not found under \(data) (statements.tar.gz): skipping")
            return
        }
        defer { if extracted { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: folder).deletingLastPathComponent().path) } }
        BLAS.setThreadCount(common.threads)
        var generator = SeededGenerator(seed: common.seed)
        // Per dimension: statements a holder says (matches) and does not say, split train/test.
        var texts: [String] = []
        var pools: [[[Int]]] = []  // [dimension][side 0 = matches, 1 = not][train, test flattened below]
        var testPools: [[[Int]]] = []
        for dimension in dimensions {
            let statements = try load(folder + "/\(dimension).jsonl")
            var sides: [[Int]] = [[], []], tests: [[Int]] = [[], []]
            for (s, matches) in [(0, true), (1, false)] {
                let chosen = statements.filter { $0.matches == matches }.sorted { $0.confidence > $1.confidence }.prefix(statementsPerSide)
                guard chosen.count >= 4 else { throw ValidationError("\(dimension): too few statements") }
                for (i, statement) in chosen.shuffled(using: &generator).enumerated() {
                    if i % 2 == 0 { sides[s].append(texts.count) } else { tests[s].append(texts.count) }
                    texts.append(statement.text)
                }
            }
            pools.append(sides)
            testPools.append(tests)
        }
        let encoder = try TextEncoder(directory: common.encoder)
        var writer = DatasetWriter(featureDim: encoder.dimension, promptDim: nil,
                                   source: ["corpus": "anthropics/evals persona (CC-BY-4.0)", "encoder": encoder.modelName,
                                            "generator": "reward text-dataset persona, seed \(common.seed)"])
        writer.items = CorpusFiles.embed(texts, with: encoder, label: "persona statements")
        let personas = allPersonas().shuffled(using: &generator)
        guard personas.count >= seenUsers + unseenUsers else {
            throw ValidationError("only \(personas.count) distinct personas for \(seenUsers + unseenUsers) users")
        }
        for (index, persona) in personas.prefix(seenUsers + unseenUsers).enumerated() {
            let name = persona.map { "\(dimensions[$0.dimension])\($0.holds ? "+" : "-")" }.joined(separator: ",")
            writer.users.append((name, index < seenUsers))
            for (count, test) in [(trainPairs, false), (testPairs, true)] {
                for _ in 0..<count {
                    let trait = persona.randomElement(using: &generator)!
                    let pool = test ? testPools[trait.dimension] : pools[trait.dimension]
                    let says = pool[0].randomElement(using: &generator)!, saysNot = pool[1].randomElement(using: &generator)!
                    writer.pairs.append(.init(user: name, test: test, chosen: trait.holds ? says : saysNot,
                                              rejected: trait.holds ? saysNot : says, prompt: nil))
                }
            }
        }
        try writer.write(path: common.out)
        print("wrote \(common.out): \(texts.count) statements, \(writer.users.count) users (\(seenUsers) seen), \(writer.pairs.count) pairs")
    }

    /// Every combination of `traitsPerUser` dimensions with a side on each.
    private func allPersonas() -> [[(dimension: Int, holds: Bool)]] {
        func combinations(_ start: Int, _ left: Int) -> [[Int]] {
            if left == 0 { return [[]] }
            guard start < dimensions.count else { return [] }
            return (start..<dimensions.count).flatMap { d in combinations(d + 1, left - 1).map { [d] + $0 } }
        }
        return combinations(0, traitsPerUser).flatMap { dims in
            (0..<(1 << dims.count)).map { mask in dims.enumerated().map { ($0.element, mask & (1 << $0.offset) != 0) } }
        }
    }

    /// The folder of `*.jsonl` files, and whether it is a temporary extraction to remove afterwards.
    private func statementsFolder() throws -> (String, Bool)? {
        let fm = FileManager.default
        if fm.fileExists(atPath: data + "/persona/agreeableness.jsonl") { return (data + "/persona", false) }
        let archive = data + "/statements.tar.gz"
        guard fm.fileExists(atPath: archive) else { return nil }
        let target = fm.temporaryDirectory.appendingPathComponent("reward-persona-\(getpid())").path
        try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xzf", archive, "-C", target]
        try tar.run()
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else { throw ValidationError("cannot extract \(archive)") }
        return (target + "/persona", true)
    }

    private func load(_ path: String) throws -> [Statement] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path)") }
        return text.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let statement = o["statement"] as? String,
                  let answer = o["answer_matching_behavior"] as? String else { return nil }
            let confidence = (o["label_confidence"] as? NSNumber)?.doubleValue ?? 0
            return Statement(text: statement, matches: answer.trimmingCharacters(in: .whitespaces) == "Yes", confidence: confidence)
        }
    }
}
