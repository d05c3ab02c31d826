import Foundation

/// Turns the decoded lines of a dataset file into a `PreferenceDataset`, checking references.
struct NDJSONDatasetReader {
    private var dataset: PreferenceDataset?
    private var userIndex: [String: Int] = [:]
    private var itemRows: [Int: Int] = [:]
    private var promptRows: [Int: Int] = [:]

    mutating func consume(_ line: DatasetLine) throws {
        if line.format != nil { return try header(line) }
        guard dataset != nil else { throw TrainingError(.invalidDataset, "the first line must be the header (\"format\")") }
        if line.chosen != nil || line.rejected != nil { return try pair(line) }
        if let id = line.item { return try table(line.features, id: id, prompt: false) }
        if let id = line.promptId { return try table(line.features, id: id, prompt: true) }
        if let name = line.user { return try user(line, name: name) }
        throw TrainingError(.invalidDataset, "unknown line (expected a user, item, prompt_id or pair line)")
    }

    func finish() throws -> PreferenceDataset {
        guard let dataset else { throw TrainingError(.invalidDataset, "the file is empty") }
        return dataset
    }

    private mutating func header(_ o: DatasetLine) throws {
        guard dataset == nil else { throw TrainingError(.invalidDataset, "a second header") }
        guard o.format == PreferenceDataset.formatName else {
            throw TrainingError(.invalidDataset, "format must be \"\(PreferenceDataset.formatName)\"")
        }
        guard o.version == PreferenceDataset.formatVersion else {
            throw TrainingError(.invalidDataset, "version must be \(PreferenceDataset.formatVersion)")
        }
        guard let d = o.featureDim, d > 0 else { throw TrainingError(.invalidDataset, "feature_dim must be a positive integer") }
        if let p = o.promptDim, p <= 0 { throw TrainingError(.invalidDataset, "prompt_dim must be a positive integer") }
        var truth: GroundTruth?
        if let t = o.truth {
            guard let kind = t.kind, let scale = t.scale, let rows = t.prototypes, rows.allSatisfy({ $0.count == d }) else {
                throw TrainingError(.invalidDataset, "truth needs kind, scale and prototypes rows of feature_dim numbers")
            }
            truth = GroundTruth(kind: kind, prototypes: rows, scale: scale)
        }
        dataset = PreferenceDataset(featureDim: d, promptDim: o.promptDim, source: (o.source ?? [:]).mapValues(\.value), truth: truth)
    }

    private mutating func user(_ o: DatasetLine, name: String) throws {
        guard userIndex[name] == nil else { throw TrainingError(.invalidDataset, "user \(name) is declared twice or after its pairs") }
        userIndex[name] = dataset!.users.count
        dataset!.users.append(.init(id: name, seen: o.seen ?? true, theta: o.theta))
    }

    private mutating func table(_ ref: DatasetLine.Ref?, id: Int, prompt: Bool) throws {
        guard let features = ref?.features else {
            throw TrainingError(.invalidDataset, "features must be base64 f32 or an array of numbers")
        }
        try check(features, prompt: prompt)
        if prompt {
            guard promptRows[id] == nil else { throw TrainingError(.invalidDataset, "prompt \(id) is defined twice") }
            promptRows[id] = dataset!.appendPrompt(features)
        } else {
            guard itemRows[id] == nil else { throw TrainingError(.invalidDataset, "item \(id) is defined twice") }
            itemRows[id] = dataset!.appendItem(features)
        }
    }

    private func check(_ features: [Float], prompt: Bool) throws {
        let want = prompt ? dataset!.promptDim : dataset!.featureDim
        guard let want else { throw TrainingError(.invalidDataset, "prompts need prompt_dim in the header") }
        guard features.count == want, features.allSatisfy({ $0.isFinite }) else {
            throw TrainingError(.invalidDataset, "\(prompt ? "prompt" : "item") features need \(want) finite numbers")
        }
    }

    /// An item/prompt reference (table id) or inline features.
    private mutating func row(_ ref: DatasetLine.Ref?, prompt: Bool, field: String) throws -> Int {
        guard let ref else { throw TrainingError(.invalidDataset, "\(field) is missing") }
        if case let .id(id) = ref {
            guard let row = prompt ? promptRows[id] : itemRows[id] else {
                throw TrainingError(.invalidDataset, "\(field) refers to undefined \(prompt ? "prompt" : "item") \(id)")
            }
            return row
        }
        guard let features = ref.features else {
            throw TrainingError(.invalidDataset, "\(field) must be an id, base64 f32 or an array of numbers")
        }
        try check(features, prompt: prompt)
        return prompt ? dataset!.appendPrompt(features) : dataset!.appendItem(features)
    }

    private mutating func pair(_ o: DatasetLine) throws {
        guard let name = o.user, !name.isEmpty else { throw TrainingError(.invalidDataset, "a pair needs a user") }
        let split: PreferenceDataset.Split
        switch o.split ?? "train" {
        case "train": split = .train
        case "test": split = .test
        default: throw TrainingError(.invalidDataset, "split must be train or test")
        }
        let chosen = try row(o.chosen, prompt: false, field: "chosen")
        let rejected = try row(o.rejected, prompt: false, field: "rejected")
        let prompt = try o.prompt.map { try row($0, prompt: true, field: "prompt") }
        if userIndex[name] == nil {
            userIndex[name] = dataset!.users.count
            dataset!.users.append(.init(id: name, seen: true))
        }
        dataset!.pairs.append(.init(user: userIndex[name]!, split: split, chosen: chosen, rejected: rejected, prompt: prompt,
                                    margin: o.margin, flipped: o.flipped ?? false))
    }
}
