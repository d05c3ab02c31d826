import Foundation

/// NDJSON form of a dataset (docs/DATASETS.md): a header line, then user, item, prompt and pair lines.
extension PreferenceDataset {
    public static let formatName = "reward-preferences"
    public static let formatVersion = 1

    public static func load(path: String) throws -> PreferenceDataset {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError(.invalidDataset, "cannot read \(path)")
        }
        return try parse(data)
    }

    public func write(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: ndjson()) else {
            throw TrainingError(.invalidDataset, "cannot write \(path)")
        }
    }

    public static func parse(_ data: Data) throws -> PreferenceDataset {
        var reader = NDJSONDatasetReader()
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex
            lineNumber += 1
            let line = data[start..<end]
            start = end < data.endIndex ? data.index(after: end) : end
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
                throw TrainingError(.invalidDataset, "line \(lineNumber) is not a JSON object")
            }
            do {
                try reader.consume(object)
            } catch let error as TrainingError {
                throw TrainingError(.invalidDataset, "line \(lineNumber): \(error.message)")
            }
        }
        return try reader.finish()
    }

    public func ndjson() -> Data {
        var out = ""
        var header = "{\"format\":\"\(Self.formatName)\",\"version\":\(Self.formatVersion),\"feature_dim\":\(featureDim)"
        if let promptDim { header += ",\"prompt_dim\":\(promptDim)" }
        if !source.isEmpty {
            header += ",\"source\":{" + source.keys.sorted().map { "\(Self.quote($0)):\(Self.quote(source[$0]!))" }.joined(separator: ",") + "}"
        }
        if let truth {
            let rows = truth.prototypes.map { "[" + $0.map(FloatCoding.json).joined(separator: ",") + "]" }.joined(separator: ",")
            header += ",\"truth\":{\"kind\":\(Self.quote(truth.kind)),\"scale\":\(FloatCoding.json(truth.scale)),\"prototypes\":[\(rows)]}"
        }
        out += header + "}\n"
        for u in users {
            out += "{\"user\":\(Self.quote(u.id)),\"seen\":\(u.seen)"
            if let theta = u.theta { out += ",\"theta\":[" + theta.map(FloatCoding.json).joined(separator: ",") + "]" }
            out += "}\n"
        }
        for r in 0..<items.rows { out += "{\"item\":\(r),\"features\":\"\(FloatCoding.base64(item(r)))\"}\n" }
        if let prompts {
            for r in 0..<prompts.rows { out += "{\"prompt_id\":\(r),\"features\":\"\(FloatCoding.base64(prompt(r)))\"}\n" }
        }
        for p in pairs {
            out += "{\"user\":\(Self.quote(users[p.user].id)),\"split\":\"\(p.split.rawValue)\",\"chosen\":\(p.chosen),\"rejected\":\(p.rejected)"
            if let prompt = p.prompt { out += ",\"prompt\":\(prompt)" }
            if let margin = p.margin { out += ",\"margin\":\(FloatCoding.json(margin))" }
            if p.flipped { out += ",\"flipped\":true" }
            out += "}\n"
        }
        return Data(out.utf8)
    }

    static func quote(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
