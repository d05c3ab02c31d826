import Foundation

/// Turns the parsed lines of a dataset file into a `PreferenceDataset`, checking references.
struct NDJSONDatasetReader {
    private var dataset: PreferenceDataset?
    private var userIndex: [String: Int] = [:]
    private var itemRows: [Int: Int] = [:]
    private var promptRows: [Int: Int] = [:]

    mutating func consume(_ object: [String: Any]) throws {
        if object["format"] != nil { return try header(object) }
        guard dataset != nil else { throw TrainingError(.invalidDataset, "the first line must be the header (\"format\")") }
        if object["chosen"] != nil { return try pair(object) }
        if let id = object["item"] { return try table(object, id: id, prompt: false) }
        if let id = object["prompt_id"] { return try table(object, id: id, prompt: true) }
        if let name = object["user"] as? String { return try user(object, name: name) }
        throw TrainingError(.invalidDataset, "unknown line (expected a user, item, prompt_id or pair line)")
    }

    func finish() throws -> PreferenceDataset {
        guard let dataset else { throw TrainingError(.invalidDataset, "the file is empty") }
        return dataset
    }

    private mutating func header(_ o: [String: Any]) throws {
        guard dataset == nil else { throw TrainingError(.invalidDataset, "a second header") }
        guard o["format"] as? String == PreferenceDataset.formatName else {
            throw TrainingError(.invalidDataset, "format must be \"\(PreferenceDataset.formatName)\"")
        }
        guard (o["version"] as? Int) == PreferenceDataset.formatVersion else {
            throw TrainingError(.invalidDataset, "version must be \(PreferenceDataset.formatVersion)")
        }
        guard let d = o["feature_dim"] as? Int, d > 0 else { throw TrainingError(.invalidDataset, "feature_dim must be a positive integer") }
        var promptDim: Int?
        if let p = o["prompt_dim"], !(p is NSNull) {
            guard let p = p as? Int, p > 0 else { throw TrainingError(.invalidDataset, "prompt_dim must be a positive integer") }
            promptDim = p
        }
        var source: [String: String] = [:]
        for (k, v) in (o["source"] as? [String: Any]) ?? [:] { source[k] = "\(v)" }
        var truth: GroundTruth?
        if let t = o["truth"] as? [String: Any] {
            guard let kind = t["kind"] as? String, let scale = (t["scale"] as? NSNumber)?.doubleValue,
                  let rows = t["prototypes"] as? [[NSNumber]], rows.allSatisfy({ $0.count == d }) else {
                throw TrainingError(.invalidDataset, "truth needs kind, scale and prototypes rows of feature_dim numbers")
            }
            truth = GroundTruth(kind: kind, prototypes: rows.map { $0.map(\.doubleValue) }, scale: scale)
        }
        dataset = PreferenceDataset(featureDim: d, promptDim: promptDim, source: source, truth: truth)
    }

    private mutating func user(_ o: [String: Any], name: String) throws {
        guard userIndex[name] == nil else { throw TrainingError(.invalidDataset, "user \(name) is declared twice or after its pairs") }
        let theta = (o["theta"] as? [NSNumber])?.map(\.doubleValue)
        userIndex[name] = dataset!.users.count
        dataset!.users.append(.init(id: name, seen: (o["seen"] as? Bool) ?? true, theta: theta))
    }

    private mutating func table(_ o: [String: Any], id: Any, prompt: Bool) throws {
        guard let id = id as? Int else { throw TrainingError(.invalidDataset, "item/prompt ids are integers") }
        guard let raw = o["features"], let features = FloatCoding.decode(raw) else {
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
    private mutating func row(_ value: Any?, prompt: Bool, field: String) throws -> Int {
        guard let value else { throw TrainingError(.invalidDataset, "\(field) is missing") }
        if let id = value as? Int, !(value is String) {
            guard let row = prompt ? promptRows[id] : itemRows[id] else {
                throw TrainingError(.invalidDataset, "\(field) refers to undefined \(prompt ? "prompt" : "item") \(id)")
            }
            return row
        }
        guard let features = FloatCoding.decode(value) else {
            throw TrainingError(.invalidDataset, "\(field) must be an id, base64 f32 or an array of numbers")
        }
        try check(features, prompt: prompt)
        return prompt ? dataset!.appendPrompt(features) : dataset!.appendItem(features)
    }

    private mutating func pair(_ o: [String: Any]) throws {
        guard let name = o["user"] as? String, !name.isEmpty else { throw TrainingError(.invalidDataset, "a pair needs a user") }
        let split: PreferenceDataset.Split
        switch o["split"] as? String ?? "train" {
        case "train": split = .train
        case "test": split = .test
        default: throw TrainingError(.invalidDataset, "split must be train or test")
        }
        let chosen = try row(o["chosen"], prompt: false, field: "chosen")
        let rejected = try row(o["rejected"], prompt: false, field: "rejected")
        var prompt: Int?
        if let p = o["prompt"], !(p is NSNull) { prompt = try row(p, prompt: true, field: "prompt") }
        if userIndex[name] == nil {
            userIndex[name] = dataset!.users.count
            dataset!.users.append(.init(id: name, seen: true))
        }
        let margin = (o["margin"] as? NSNumber)?.doubleValue
        dataset!.pairs.append(.init(user: userIndex[name]!, split: split, chosen: chosen, rejected: rejected, prompt: prompt,
                                    margin: margin, flipped: (o["flipped"] as? Bool) ?? false))
    }
}
