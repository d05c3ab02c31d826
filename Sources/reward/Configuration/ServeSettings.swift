import ArgumentParser
import Foundation

/// Every `reward serve` setting, read from the command's own ArgumentParser definitions (so a new
/// `@Option` is a setting everywhere at once): its flag, `REWARD_*` environment variable, config-file
/// key (the flag name), kind and default.
struct ServeSettings {
    struct Setting: Equatable {
        enum Kind: Equatable {
            case option
            /// `--x` / `--no-x`: true or false from the environment or file.
            case invertibleFlag
            /// `--x` only: true sets it, false leaves it off.
            case flag
        }

        /// Long flag name without dashes; also the config-file key.
        var name: String
        var kind: Kind
        /// Repeatable option (`--head a --head b`): comma-separated in the environment, repeated or
        /// comma-separated keys in the file.
        var isRepeating: Bool
        var defaultValue: String?
        var help: String
        var isHidden: Bool
        /// Environment variables, highest priority first.
        var environment: [String] { [Self.environmentName(name)] + (Self.environmentAliases[name] ?? []) }

        static func environmentName(_ name: String) -> String {
            "REWARD_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
        }

        /// Established names that keep working: the libpq/12-factor `DATABASE_URL`, the plural `REWARD_HEADS`.
        static let environmentAliases: [String: [String]] = ["database-url": ["DATABASE_URL"], "head": ["REWARD_HEADS"]]
    }

    /// Options that only steer the command line itself.
    static let excluded: Set<String> = ["help", "version", "experimental-dump-help"]

    let settings: [Setting]

    subscript(name: String) -> Setting? { settings.first { $0.name == name } }

    /// From `Serve`'s ArgumentParser definitions (its `--experimental-dump-help` description).
    static func serve() -> ServeSettings {
        ServeSettings(dumpHelp: Serve._dumpHelp())
    }

    init(settings: [Setting]) { self.settings = settings }

    init(dumpHelp json: String) {
        guard let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let command = root["command"] as? [String: Any],
              let arguments = command["arguments"] as? [[String: Any]]
        else { preconditionFailure("ArgumentParser's help description changed shape") }
        var longNames: [(name: String, argument: [String: Any])] = []
        for argument in arguments {
            let names = (argument["names"] as? [[String: Any]]) ?? []
            guard let long = names.first(where: { $0["kind"] as? String == "long" })?["name"] as? String else { continue }
            longNames.append((long, argument))
        }
        let flagNames = Set(longNames.filter { $0.argument["kind"] as? String == "flag" }.map(\.name))
        var settings: [Setting] = []
        for (name, argument) in longNames where !Self.excluded.contains(name) {
            let isFlag = argument["kind"] as? String == "flag"
            // `--no-x` is the other half of `--x`, not a setting of its own.
            if isFlag, name.hasPrefix("no-"), flagNames.contains(String(name.dropFirst(3))) { continue }
            let kind: Setting.Kind = !isFlag ? .option : flagNames.contains("no-" + name) ? .invertibleFlag : .flag
            var defaultValue = argument["defaultValue"] as? String
            if kind != .option { defaultValue = defaultValue == "--\(name)" ? "true" : "false" }
            settings.append(Setting(
                name: name, kind: kind, isRepeating: argument["isRepeating"] as? Bool ?? false, defaultValue: defaultValue,
                help: argument["abstract"] as? String ?? "", isHidden: !(argument["shouldDisplay"] as? Bool ?? true)))
        }
        self.settings = settings
    }
}
