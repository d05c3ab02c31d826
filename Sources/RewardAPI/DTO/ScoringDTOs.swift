import RewardService

/// Request bodies of the scoring routes, decoded into domain queries. Every rule that needs no
/// head is checked here (with a JSON pointer); head-dependent checks happen in the service.
enum ScoringDTO {
    static let maxItems = 4096
    static let targetKeys: Set<String> = ["head", "user", "user_state", "prompt"]
    static let scoreKeys = Array(targetKeys) + ["items", "reference"]

    static func head(_ r: ObjectReader) throws(Problem) -> String? { try r.string("head") }

    static func user(_ r: ObjectReader, tenant: String) throws(Problem) -> UserSelector {
        let id = try r.string("user")
        let inline = r.value("user_state")
        if id != nil && inline != nil {
            throw Problem.validation(pointer: r.path("user_state"), "give either \"user\" or \"user_state\", not both")
        }
        if let id {
            try UserID.validate(id, pointer: r.path("user"))
            return .stored(tenant: tenant, id: id)
        }
        if let inline { return .inline(theta: try UserStateDTO.theta(inline, at: r.path("user_state"))) }
        return .population
    }

    static func item(_ r: ObjectReader, _ key: String) throws(Problem) -> Item? {
        guard let v = r.value(key) else { return nil }
        return try ItemInput.decode(v, at: r.path(key)).domain
    }

    static func items(_ r: ObjectReader, _ key: String, count: ClosedRange<Int>) throws(Problem) -> [Item] {
        guard let elements = try r.array(key, count: count) else { throw r.missing(key) }
        var out: [Item] = []
        out.reserveCapacity(elements.count)
        for e in elements { out.append(try ItemInput.decode(e.value, at: e.pointer).domain) }
        return out
    }

    static func scoreQuery(_ value: JSONValue, tenant: String, pointer: String = "") throws(Problem) -> ScoreQuery {
        let r = try ObjectReader(value, at: pointer)
        try r.allowOnly(scoreKeys)
        return ScoreQuery(
            head: try head(r), user: try user(r, tenant: tenant), prompt: try item(r, "prompt"),
            items: try items(r, "items", count: 1...maxItems), reference: try item(r, "reference"))
    }

    static func compareQuery(_ value: JSONValue, tenant: String) throws(Problem) -> CompareQuery {
        let r = try ObjectReader(value, at: "")
        try r.allowOnly(targetKeys.union(["a", "b", "pairs"]))
        let headName = try head(r)
        let selector = try user(r, tenant: tenant)
        let prompt = try item(r, "prompt")
        if let elements = try r.array("pairs", count: 1...maxItems) {
            if r.has("a") || r.has("b") {
                throw Problem.validation(pointer: r.path(r.has("a") ? "a" : "b"), "give either \"a\"/\"b\" or \"pairs\", not both")
            }
            var pairs: [CompareQuery.Pair] = []
            for e in elements {
                let p = try ObjectReader(e.value, at: e.pointer)
                try p.allowOnly(["a", "b", "prompt"])
                guard let a = try item(p, "a") else { throw p.missing("a") }
                guard let b = try item(p, "b") else { throw p.missing("b") }
                pairs.append(.init(prompt: try item(p, "prompt") ?? prompt, a: a, b: b))
            }
            return CompareQuery(head: headName, user: selector, pairs: pairs)
        }
        guard let a = try item(r, "a") else { throw r.missing("a") }
        guard let b = try item(r, "b") else { throw r.missing("b") }
        return CompareQuery(head: headName, user: selector, pairs: [.init(prompt: prompt, a: a, b: b)])
    }

    static func nextComparisonQuery(_ value: JSONValue, tenant: String, user: String, head: String?) throws(Problem) -> NextComparisonQuery {
        let r = try ObjectReader(value, at: "")
        try r.allowOnly(["head", "prompt", "candidates"])
        return NextComparisonQuery(
            head: try ScoringDTO.head(r) ?? head, user: .stored(tenant: tenant, id: user), prompt: try item(r, "prompt"),
            candidates: try items(r, "candidates", count: 2...NextComparisonQuery.maxCandidates))
    }
}

extension ItemInput {
    var domain: Item {
        switch self {
        case .features(let f): .features(f)
        case .text(let t): .text(t)
        }
    }
}

enum UserStateDTO {
    static func theta(_ value: JSONValue, at pointer: String) throws(Problem) -> [Double] {
        let r = try ObjectReader(value, at: pointer)
        try r.allowOnly(["theta", "version"])
        guard let t = r.value("theta") else { throw r.missing("theta") }
        _ = try r.int("version", in: 0...Int.max)
        switch t {
        case .numbers(let list):
            guard list.count <= 1024 else { throw Problem.validation(pointer: r.path("theta"), "at most 1024 numbers") }
            switch list.doubles() {
            case .values(let v):
                if let i = v.firstIndex(where: { abs($0) > UserSelector.maxThetaMagnitude }) {
                    throw Problem.validation(pointer: r.path("theta") + "/\(i)", "must be within ±\(Int(UserSelector.maxThetaMagnitude))")
                }
                return v
            case .outOfRange(let i): throw Problem.validation(pointer: r.path("theta") + "/\(i)", "number is out of range")
            }
        case .array(let a) where a.isEmpty: return []
        default: throw Problem.validation(pointer: r.path("theta"), "expected an array of numbers")
        }
    }
}

/// User and comparison ids: 1–256 bytes of UTF-8 without control characters.
enum UserID {
    static func validate(_ id: String, pointer: String) throws(Problem) {
        guard !id.isEmpty, id.utf8.count <= 256 else {
            throw Problem.validation(pointer: pointer, "ids are 1 to 256 bytes of UTF-8")
        }
        guard !id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Problem.validation(pointer: pointer, "ids must not contain control characters")
        }
    }
}
