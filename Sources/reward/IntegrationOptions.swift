import ArgumentParser
import Foundation
import RewardAPI

/// Annotation-tool integrations of `reward serve` (docs/INTEGRATIONS.md). Each option also reads a
/// `REWARD_*` environment variable (comma-separated lists).
struct IntegrationOptions: ParsableArguments {
    @Option(name: .customLong("label-studio-project"), help: ArgumentHelp(
        "Label Studio project → tenant and head, as ID=TENANT[:HEAD] (ID * for any); repeat (env REWARD_LABEL_STUDIO_PROJECTS). Default: every project → the default tenant and head.",
        valueName: "id=tenant:head"))
    var labelStudioProjects: [String] = []

    @Option(name: .customLong("argilla-dataset"), help: ArgumentHelp(
        "Argilla dataset (name or id) → tenant and head, as NAME=TENANT[:HEAD]; repeat (env REWARD_ARGILLA_DATASETS). Default: every dataset → its webhook secret's tenant and the default head.",
        valueName: "name=tenant:head"))
    var argillaDatasets: [String] = []

    @Option(name: .customLong("argilla-secret-file"), help: ArgumentHelp(
        "File holding a tenant's Argilla webhook secret (whsec_…), as TENANT=PATH; repeat (env REWARD_ARGILLA_SECRET_FILES). REWARD_ARGILLA_SECRET sets the default tenant's secret directly.",
        valueName: "tenant=path"))
    var argillaSecretFiles: [String] = []

    @Option(help: "Seconds a signed webhook's timestamp may differ from now (env REWARD_WEBHOOK_TOLERANCE).")
    var webhookTolerance: Double?

    @Flag(inversion: .prefixedNo, help: "Refit the annotator's state after each label from a tool.")
    var adaptOnLabel = true

    func settings(defaultTenant: String = "default") throws -> IntegrationSettings {
        var s = IntegrationSettings()
        func list(_ values: [String], _ env: String) -> [String] {
            values.isEmpty ? (ServiceOptions.env(env)?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []) : values
        }
        for arg in list(labelStudioProjects, "REWARD_LABEL_STUDIO_PROJECTS") {
            guard let (key, target) = IntegrationSettings.mapping(arg) else {
                throw ValidationError("--label-studio-project wants ID=TENANT[:HEAD], got \"\(arg)\"")
            }
            s.labelStudioProjects[key] = target
        }
        for arg in list(argillaDatasets, "REWARD_ARGILLA_DATASETS") {
            guard let (key, target) = IntegrationSettings.mapping(arg) else {
                throw ValidationError("--argilla-dataset wants NAME=TENANT[:HEAD], got \"\(arg)\"")
            }
            s.argillaDatasets[key] = target
        }
        if let secret = ServiceOptions.env("REWARD_ARGILLA_SECRET") { s.argillaSecrets[defaultTenant] = secret }
        for arg in list(argillaSecretFiles, "REWARD_ARGILLA_SECRET_FILES") {
            guard let eq = arg.firstIndex(of: "="), eq != arg.startIndex else {
                throw ValidationError("--argilla-secret-file wants TENANT=PATH, got \"\(arg)\"")
            }
            let path = String(arg[arg.index(after: eq)...])
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the Argilla webhook secret file \(path)")
            }
            s.argillaSecrets[String(arg[..<eq])] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        for (tenant, secret) in s.argillaSecrets where Data(base64Encoded: secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret) == nil {
            throw ValidationError("the Argilla webhook secret of tenant \(tenant) is not a whsec_<base64> secret")
        }
        if let t = webhookTolerance ?? ServiceOptions.env("REWARD_WEBHOOK_TOLERANCE").flatMap(Double.init) { s.webhookTolerance = t }
        s.adaptOnLabel = adaptOnLabel
        return s
    }
}
