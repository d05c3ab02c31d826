import ArgumentParser
import Foundation
import RewardAPI

/// Annotation-tool integrations of `reward serve` (docs/INTEGRATIONS.md). Like every serve setting, each
/// option is also a `REWARD_*` variable and a config-file key (repeatable ones comma-separated).
struct IntegrationOptions: ParsableArguments {
    @Option(name: .customLong("label-studio-project"), help: ArgumentHelp(
        "Label Studio project → tenant and head, as ID=TENANT[:HEAD] (ID * for any); repeatable. Default: every project → the default tenant and head.",
        valueName: "id=tenant:head"))
    var labelStudioProjects: [String] = []

    @Option(name: .customLong("argilla-dataset"), help: ArgumentHelp(
        "Argilla dataset (name or id) → tenant and head, as NAME=TENANT[:HEAD]; repeatable. Default: every dataset → its webhook secret's tenant and the default head.",
        valueName: "name=tenant:head"))
    var argillaDatasets: [String] = []

    @Option(name: .customLong("argilla-secret-file"), help: ArgumentHelp(
        "File holding a tenant's Argilla webhook secret (whsec_…), as TENANT=PATH; repeatable. Argilla webhooks are off without a secret.",
        valueName: "tenant=path"))
    var argillaSecretFiles: [String] = []

    @Option(name: .customLong("argilla-secret"), help: ArgumentHelp(
        "A tenant's Argilla webhook secret, as TENANT=whsec_… (prefer REWARD_ARGILLA_SECRET or --argilla-secret-file over the command line); repeatable.",
        valueName: "tenant=secret"))
    var argillaSecrets: [String] = []

    @Option(help: "Seconds a signed webhook's timestamp may differ from now (replay window).")
    var webhookTolerance: Double = 300

    @Flag(inversion: .prefixedNo, help: "Refit the annotator's state after each label from a tool.")
    var adaptOnLabel = true

    func settings(defaultTenant: String = "default") throws -> IntegrationSettings {
        var s = IntegrationSettings()
        for arg in labelStudioProjects {
            guard let (key, target) = IntegrationSettings.mapping(arg) else {
                throw ValidationError("--label-studio-project wants ID=TENANT[:HEAD], got \"\(arg)\"")
            }
            s.labelStudioProjects[key] = target
        }
        for arg in argillaDatasets {
            guard let (key, target) = IntegrationSettings.mapping(arg) else {
                throw ValidationError("--argilla-dataset wants NAME=TENANT[:HEAD], got \"\(arg)\"")
            }
            s.argillaDatasets[key] = target
        }
        for arg in argillaSecrets {
            guard let (tenant, secret) = Self.pair(arg) else { throw ValidationError("--argilla-secret wants TENANT=SECRET") }
            s.argillaSecrets[tenant] = secret
        }
        for arg in argillaSecretFiles {
            guard let (tenant, path) = Self.pair(arg) else {
                throw ValidationError("--argilla-secret-file wants TENANT=PATH, got \"\(arg)\"")
            }
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the Argilla webhook secret file \(path)")
            }
            s.argillaSecrets[tenant] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for (tenant, secret) in s.argillaSecrets
        where Data(base64Encoded: secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret)?.isEmpty ?? true {
            throw ValidationError("the Argilla webhook secret of tenant \(tenant) is not a whsec_<base64> secret")
        }
        s.webhookTolerance = webhookTolerance
        s.adaptOnLabel = adaptOnLabel
        return s
    }

    static func pair(_ arg: String) -> (String, String)? {
        guard let eq = arg.firstIndex(of: "="), eq != arg.startIndex else { return nil }
        return (String(arg[..<eq]), String(arg[arg.index(after: eq)...]))
    }
}
