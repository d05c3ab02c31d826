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

    /// Fast path: the non-blank lines joined into one JSON array and decoded in one JSONDecoder call.
    /// If that fails, the lines are decoded one by one so the error names its line.
    public static func parse(_ data: Data) throws -> PreferenceDataset {
        // Split on raw bytes (memchr): Data's generic Collection path costs more than the JSON decoding.
        var ranges: [(number: Int, range: Range<Int>)] = []
        var joined = Data()
        joined.reserveCapacity(data.count + 2)
        joined.append(UInt8(ascii: "["))
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var start = 0, number = 0
            while start < raw.count {
                let hit = memchr(base + start, 0x0A, raw.count - start)
                let end = hit.map { UnsafeRawPointer($0) - base } ?? raw.count
                number += 1
                let blank = (start..<end).allSatisfy { raw[$0] == 0x20 || raw[$0] == 0x09 || raw[$0] == 0x0D }
                if !blank {
                    if !ranges.isEmpty { joined.append(UInt8(ascii: ",")) }
                    joined.append(UnsafeRawBufferPointer(rebasing: raw[start..<end]).assumingMemoryBound(to: UInt8.self))
                    ranges.append((number, start..<end))
                }
                start = end + 1
            }
        }
        joined.append(UInt8(ascii: "]"))
        let decoder = JSONDecoder()
        let decoded = try? decoder.decode([DatasetLine].self, from: joined)
        var reader = NDJSONDatasetReader()
        for (i, line) in ranges.enumerated() {
            let object: DatasetLine
            if let decoded, decoded.count == ranges.count {
                object = decoded[i]
            } else {
                let bytes = data[(data.startIndex + line.range.lowerBound)..<(data.startIndex + line.range.upperBound)]
                guard let one = try? decoder.decode(DatasetLine.self, from: bytes) else {
                    throw TrainingError(.invalidDataset, "line \(line.number) is not a JSON object of the dataset format")
                }
                object = one
            }
            do {
                try reader.consume(object)
            } catch let error as TrainingError {
                throw TrainingError(.invalidDataset, "line \(line.number): \(error.message)")
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
