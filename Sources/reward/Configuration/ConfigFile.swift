import Foundation

/// The `--config FILE` format: one `key = value` per line, keys are `reward serve` flag names
/// without dashes; `#` starts a comment line; a value may be "double-quoted"; a repeatable
/// setting may be given on several lines. No dependency, no surprises (no nesting, no types).
struct ConfigFile: Equatable {
    struct Entry: Equatable {
        var key: String
        var value: String
        var line: Int
    }

    struct ParseError: Error, CustomStringConvertible {
        var path: String
        var line: Int
        var message: String
        var description: String { "\(path):\(line): \(message)" }
    }

    var path: String
    var entries: [Entry]

    init(path: String, text: String) throws(ParseError) {
        self.path = path
        var entries: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ParseError(path: path, line: index + 1, message: "expected key = value")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
                throw ParseError(path: path, line: index + 1, message: "a key is a flag name like max-items")
            }
            if value.hasPrefix("\"") {
                guard value.count >= 2, value.hasSuffix("\"") else {
                    throw ParseError(path: path, line: index + 1, message: "unterminated quoted value")
                }
                value = String(value.dropFirst().dropLast())
            }
            entries.append(Entry(key: key.lowercased(), value: value, line: index + 1))
        }
        self.entries = entries
    }
}
