/// The parts of a Label Studio labelling config (its XML `<View>`) the integration needs: which control
/// the annotator answers with and which task data fields hold the items and the prompt. A small tag scanner,
/// not a full XML parser: labelling configs are flat lists of tags with quoted attributes.
public struct LabelStudioConfig: Sendable, Equatable {
    public enum Control: Sendable, Equatable {
        /// `<Pairwise name toName="a,b">` over two object tags whose values are `$left` and `$right` data keys.
        case pairwise(name: String, toName: String, leftKey: String, rightKey: String)
        /// `<Ranker name toName="list">` over `<List name="list" value="$items">`.
        case ranker(name: String, toName: String, listKey: String, hasBuckets: Bool)
    }

    public var control: Control
    /// Data key of the first text object that is not one of the compared items (the prompt), if any.
    public var promptKey: String?

    struct Tag: Equatable {
        var name: String
        var attributes: [String: String]
    }

    public static func parse(_ xml: String) throws(ScoringError) -> LabelStudioConfig {
        let tags = scan(xml)
        let objects = tags.filter { ["text", "hypertext", "list", "paragraphs", "markdown"].contains($0.name) }
        func dataKey(_ objectName: String) throws(ScoringError) -> String {
            guard let tag = objects.first(where: { $0.attributes["name"] == objectName }) else {
                throw ScoringError(.invalidInput, "label config: no object tag named \"\(objectName)\"")
            }
            guard let value = tag.attributes["value"], value.hasPrefix("$"), value.count > 1 else {
                throw ScoringError(.invalidInput, "label config: object \"\(objectName)\" must take its value from task data (value=\"$field\")")
            }
            return String(value.dropFirst())
        }
        let pairwise = tags.filter { $0.name == "pairwise" }
        let rankers = tags.filter { $0.name == "ranker" }
        guard pairwise.count + rankers.count == 1 else {
            throw ScoringError(.unsupported, pairwise.isEmpty && rankers.isEmpty
                ? "label config has neither a <Pairwise> nor a <Ranker> tag: the reward service learns from comparisons only"
                : "label config must have exactly one <Pairwise> or <Ranker> tag")
        }
        let control: Control
        var used: Set<String> = []
        if let p = pairwise.first {
            let targets = (p.attributes["toname"] ?? "").split(separator: ",").map { String($0).trimmingSpaces() }
            guard targets.count == 2, targets[0] != targets[1] else {
                throw ScoringError(.invalidInput, "label config: <Pairwise toName> must name two objects, like \"text1,text2\"")
            }
            control = .pairwise(name: p.attributes["name"] ?? "", toName: p.attributes["toname"] ?? "",
                                leftKey: try dataKey(targets[0]), rightKey: try dataKey(targets[1]))
            used = Set(targets)
        } else {
            let r = rankers[0]
            let target = r.attributes["toname"] ?? ""
            guard objects.contains(where: { $0.name == "list" && $0.attributes["name"] == target }) else {
                throw ScoringError(.invalidInput, "label config: <Ranker toName> must name a <List> tag")
            }
            control = .ranker(name: r.attributes["name"] ?? "", toName: target, listKey: try dataKey(target),
                              hasBuckets: tags.contains { $0.name == "bucket" })
            used = [target]
        }
        let prompt = objects.first { $0.name != "list" && !used.contains($0.attributes["name"] ?? "") && ($0.attributes["value"] ?? "").hasPrefix("$") }
        return LabelStudioConfig(control: control, promptKey: prompt.flatMap { $0.attributes["value"].map { String($0.dropFirst()) } })
    }

    /// Opening (and self-closing) tags with lower-cased names and attribute keys; comments and closing tags skipped.
    static func scan(_ xml: String) -> [Tag] {
        var tags: [Tag] = []
        var s = Substring(xml)
        while let open = s.firstIndex(of: "<") {
            s = s[s.index(after: open)...]
            if s.hasPrefix("!--") {
                guard let end = s.range(of: "-->") else { break }
                s = s[end.upperBound...]
                continue
            }
            guard let first = s.first, first.isLetter else { continue }
            let name = s.prefix { $0.isLetter || $0.isNumber }
            s = s[name.endIndex...]
            var attributes: [String: String] = [:]
            while true {
                s = s.drop { $0.isWhitespace }
                guard let c = s.first, c != ">", c != "/" else { break }
                let key = s.prefix { $0 != "=" && $0 != ">" && !$0.isWhitespace && $0 != "/" }
                guard !key.isEmpty else { s = s.dropFirst(); continue }
                s = s[key.endIndex...].drop { $0.isWhitespace }
                guard s.first == "=" else { attributes[key.lowercased()] = ""; continue }
                s = s.dropFirst().drop { $0.isWhitespace }
                guard let quote = s.first, quote == "\"" || quote == "'" else { break }
                s = s.dropFirst()
                let value = s.prefix { $0 != quote }
                attributes[key.lowercased()] = unescape(String(value))
                s = s[value.endIndex...].dropFirst()
            }
            tags.append(Tag(name: name.lowercased(), attributes: attributes))
        }
        return tags
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        return s.replacingAll("&quot;", "\"").replacingAll("&apos;", "'").replacingAll("&lt;", "<")
            .replacingAll("&gt;", ">").replacingAll("&amp;", "&")
    }
}

extension String {
    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }

    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
