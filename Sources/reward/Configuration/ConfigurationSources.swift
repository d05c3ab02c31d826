import ArgumentParser
import Foundation

/// Merges the three sources of `reward serve` settings into the one argument list ArgumentParser
/// parses: a later value of a single-valued option wins, so the order file → environment → command
/// line gives the precedence flag > `REWARD_*` > config file > default. A repeatable option takes
/// its values from the highest source that has any (they are not merged across sources).
struct ConfigurationSources {
    let settings: ServeSettings

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `arguments` is what follows `reward serve`; `readFile` reads the `--config` / `REWARD_CONFIG` file.
    func arguments(
        _ commandLine: [String], environment: [String: String], readFile: (String) throws -> String
    ) throws -> [String] {
        let given = Self.namesGiven(in: commandLine)
        let fromEnvironment = try environmentValues(environment)
        var fromFile: [(Setting, [String], origin: String)] = []
        if let path = Self.configPath(commandLine) ?? environment["REWARD_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let text: String
            do { text = try readFile(path) } catch { throw Failure(description: "cannot read config file \(path): \(error.localizedDescription)") }
            fromFile = try fileValues(try ConfigFile(path: path, text: text))
        }
        let environmentNames = Set(fromEnvironment.map(\.0.name))
        var out: [String] = []
        for (setting, values, origin) in fromFile {
            if setting.isRepeating && (given.contains(setting.name) || environmentNames.contains(setting.name)) { continue }
            out += try Self.flags(setting, values, origin: origin)
        }
        for (setting, values, origin) in fromEnvironment {
            if setting.isRepeating && given.contains(setting.name) { continue }
            out += try Self.flags(setting, values, origin: origin)
        }
        return out + commandLine
    }

    typealias Setting = ServeSettings.Setting

    private func environmentValues(_ environment: [String: String]) throws -> [(Setting, [String], origin: String)] {
        settings.settings.compactMap { setting in
            guard let (variable, value) = setting.environment.lazy.compactMap({ name in
                environment[name].flatMap { $0.isEmpty ? nil : (name, $0) }
            }).first else { return nil }
            let values = setting.isRepeating ? value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [value]
            return (setting, values, origin: variable)
        }
    }

    private func fileValues(_ file: ConfigFile) throws -> [(Setting, [String], origin: String)] {
        var order: [String] = []
        var values: [String: [String]] = [:]
        var origins: [String: String] = [:]
        for entry in file.entries {
            guard entry.key != "config", let setting = settings[entry.key] else {
                throw Failure(description: "\(file.path):\(entry.line): unknown setting \"\(entry.key)\" (keys are the flag names of reward serve --help)")
            }
            if values[entry.key] == nil { order.append(entry.key) }
            let parts = setting.isRepeating ? entry.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [entry.value]
            // A single-valued key given twice: the last line wins, as on the command line.
            values[entry.key] = setting.isRepeating ? values[entry.key, default: []] + parts : parts
            origins[entry.key] = "\(file.path):\(entry.line)"
        }
        return order.map { (settings[$0]!, values[$0]!, origin: origins[$0]!) }
    }

    /// ArgumentParser tokens for one setting's values.
    static func flags(_ setting: Setting, _ values: [String], origin: String) throws -> [String] {
        switch setting.kind {
        case .option:
            // `--x=value`: a value that starts with `-` stays a value.
            return values.map { "--\(setting.name)=\($0)" }
        case .invertibleFlag, .flag:
            guard values.count == 1, let on = boolean(values[0]) else {
                throw Failure(description: "\(origin): \(setting.name) is true or false, not \"\(values.joined(separator: ","))\"")
            }
            if on { return ["--\(setting.name)"] }
            return setting.kind == .invertibleFlag ? ["--no-\(setting.name)"] : []
        }
    }

    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }

    /// `REWARD_*` variables that name no setting (typos would otherwise be ignored silently).
    func unknownVariables(_ environment: [String: String]) -> [String] {
        let known = Set(settings.settings.flatMap(\.environment))
        return environment.keys.filter { $0.hasPrefix("REWARD_") && !known.contains($0) }.sorted()
    }

    /// Long names given on the command line (`--x v`, `--x=v`, `--no-x`).
    static func namesGiven(in arguments: [String]) -> Set<String> {
        var names: Set<String> = []
        for token in arguments {
            if token == "--" { break }
            guard token.hasPrefix("--") else { continue }
            let name = String(token.dropFirst(2).prefix { $0 != "=" })
            names.insert(name)
            if name.hasPrefix("no-") { names.insert(String(name.dropFirst(3))) }
        }
        return names
    }

    /// `--config FILE` or `--config=FILE` on the command line (the last one).
    static func configPath(_ arguments: [String]) -> String? {
        var path: String?
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let token = arguments[index]
            if token == "--" { break }
            if token == "--config", index + 1 < arguments.endIndex {
                path = arguments[index + 1]
                index += 1
            } else if token.hasPrefix("--config=") {
                path = String(token.dropFirst("--config=".count))
            }
            index += 1
        }
        return path
    }

    /// The full `reward …` argument list with `serve`'s environment and file settings spliced in.
    /// Any other subcommand passes through untouched.
    static func commandLine(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        guard arguments.first == "serve" else { return arguments }
        let rest = Array(arguments.dropFirst())
        if rest.contains(where: { $0 == "--help" || $0 == "-h" || $0 == "--experimental-dump-help" }) { return arguments }
        do {
            let sources = ConfigurationSources(settings: .serve())
            return ["serve"] + (try sources.arguments(rest, environment: environment) { try String(contentsOfFile: $0, encoding: .utf8) })
        } catch {
            Serve.exit(withError: ValidationError("\(error)"))
        }
    }
}
