import Foundation

/// Where labels from annotation tools go: Label Studio projects and Argilla datasets mapped to a tenant and
/// a head, and the secrets Argilla signs its webhooks with (one per tenant).
public struct IntegrationSettings: Sendable {
    public struct Target: Sendable, Equatable {
        public var tenant: String
        /// nil: the default head.
        public var head: String?
        public init(tenant: String, head: String? = nil) {
            self.tenant = tenant
            self.head = head
        }

        /// `tenant:head`, `tenant:` or `tenant` (default head).
        public init?(argument: String) {
            let parts = argument.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let tenant = parts.first, !tenant.isEmpty else { return nil }
            self.tenant = tenant
            head = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
        }
    }

    /// Label Studio project id → target. Empty: every project goes to the default tenant and head.
    public var labelStudioProjects: [String: Target] = [:]
    /// Argilla dataset name (or id) → target. Empty: every dataset goes to the secret's tenant and the default head.
    public var argillaDatasets: [String: Target] = [:]
    /// Argilla webhook secrets (`whsec_…`) by tenant; a webhook is accepted when its signature verifies under one.
    public var argillaSecrets: [String: String] = [:]
    /// Webhook timestamps further than this from now are rejected (replay protection).
    public var webhookTolerance: TimeInterval = 300
    /// Refit the annotator's state after each label (the annotator's next prediction uses it).
    public var adaptOnLabel = true
    /// The clock signatures are checked against (tests pin it).
    public var now: @Sendable () -> Date = { Date() }

    public init() {}

    /// Parses `KEY=tenant[:head]` (`--label-studio-project 12=acme:demo`).
    public static func mapping(_ argument: String) -> (key: String, target: Target)? {
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex,
              let target = Target(argument: String(argument[argument.index(after: eq)...])) else { return nil }
        return (String(argument[..<eq]), target)
    }
}
