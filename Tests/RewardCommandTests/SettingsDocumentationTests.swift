import Foundation
import Testing
@testable import reward

/// README's configuration table and `reward serve`'s ArgumentParser definitions cannot drift: every
/// visible setting has a row with its flag, environment variable and default, and every row is a setting.
struct SettingsDocumentationTests {
    struct Row {
        var flag: String
        var environment: String
        var defaultValue: String
    }

    static func readmeRows() throws -> [String: Row] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## Configuration\n").dropFirst().first)
            .components(separatedBy: "\n## ").first ?? ""
        var rows: [String: Row] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("| `--") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { continue }
            let flag = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")).replacingOccurrences(of: "--", with: "")
            rows[flag] = Row(flag: flag, environment: cells[1], defaultValue: cells[2].trimmingCharacters(in: CharacterSet(charactersIn: "`")))
        }
        return rows
    }

    @Test func everyServeSettingIsInTheReadmeTable() throws {
        let rows = try Self.readmeRows()
        let settings = ServeSettings.serve().settings.filter { !$0.isHidden }
        #expect(settings.count > 20)
        for setting in settings {
            guard let row = rows[setting.name] else {
                Issue.record("README's Configuration table has no row for --\(setting.name)")
                continue
            }
            for variable in setting.environment {
                #expect(row.environment.contains("`\(variable)`"), "--\(setting.name): README should name \(variable)")
            }
            if let documented = setting.defaultValue {
                let same = documented == row.defaultValue || (Double(documented).map { $0 == Double(row.defaultValue) } ?? false)
                #expect(same, "--\(setting.name): default is \(documented), README says \(row.defaultValue)")
            }
        }
        let names = Set(settings.map(\.name))
        for flag in rows.keys { #expect(names.contains(flag), "README documents --\(flag), which reward serve does not have") }
    }

    @Test func theSettingsCatalogReadsKindsAndDefaults() throws {
        let s = ServeSettings.serve()
        #expect(s["port"] == .init(name: "port", kind: .option, isRepeating: false, defaultValue: "8080",
                                   help: s["port"]!.help, isHidden: false))
        #expect(s["access-log"]?.kind == .invertibleFlag)
        #expect(s["access-log"]?.defaultValue == "true")
        #expect(s["no-access-log"] == nil)
        #expect(s["debug-routes"]?.kind == .flag)
        #expect(s["debug-routes"]?.isHidden == true)
        #expect(s["head"]?.isRepeating == true)
        #expect(s["help"] == nil && s["version"] == nil)
        #expect(s["database-url"]?.environment == ["REWARD_DATABASE_URL", "DATABASE_URL"])
    }
}
