import ArgumentParser
import Foundation

/// `reward argilla …`: tools for an Argilla server (docs/INTEGRATIONS.md).
struct ArgillaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "argilla", abstract: "Work with an Argilla server (suggestions from the reward service).",
        subcommands: [PushSuggestions.self])
}

/// Scores every record of an Argilla dataset with a running reward service and sends the result as model
/// suggestions for a ranking or label question (`PUT /api/v1/records/{id}/suggestions`). Argilla accepts
/// only scores in [0, 1]: each item's score is its softmax share of the record's reward scores, which for two
/// items is exactly the service's P(item ≻ other).
struct PushSuggestions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push-suggestions", abstract: "Send reward-model suggestions to an Argilla dataset.")

    @Option(help: "Argilla server URL, e.g. https://my-argilla.hf.space (env ARGILLA_API_URL).")
    var argillaURL: String?

    @Option(help: "Argilla API key (env ARGILLA_API_KEY).")
    var argillaKey: String?

    @Option(help: "Dataset id (UUID).")
    var dataset: String

    @Option(help: "Name of the ranking or label question to suggest answers for; default: the first one whose options name record fields.")
    var question: String?

    @Option(help: "Reward service URL.")
    var rewardURL = "http://127.0.0.1:8080"

    @Option(help: "Reward service API key (Bearer), if it requires one (env REWARD_API_KEY).")
    var rewardKey: String?

    @Option(help: "Annotator whose learned taste to suggest (a reward user id, e.g. argilla:<user uuid>); default: the population.")
    var user: String?

    @Option(help: "Head to score with; default: the service's default head.")
    var head: String?

    @Option(help: "Agent name shown with the suggestions in Argilla.")
    var agent = "reward"

    @Option(help: "Records fetched per page.")
    var pageSize = 100

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let url = (argillaURL ?? env["ARGILLA_API_URL"]).flatMap(URL.init(string:)) else {
            throw ValidationError("--argilla-url (or ARGILLA_API_URL) is required")
        }
        var argillaHeaders: [String: String] = [:]
        if let key = argillaKey ?? env["ARGILLA_API_KEY"] { argillaHeaders["X-Argilla-Api-Key"] = key }
        var rewardHeaders: [String: String] = [:]
        if let key = rewardKey ?? env["REWARD_API_KEY"] { rewardHeaders["Authorization"] = "Bearer \(key)" }
        guard let reward = URL(string: rewardURL) else { throw ValidationError("bad --reward-url") }
        let pusher = SuggestionPusher(
            argilla: JSONClient(baseURL: url.appendingPathComponent("api/v1"), headers: argillaHeaders),
            reward: JSONClient(baseURL: reward, headers: rewardHeaders), agent: agent, user: user, head: head)
        let report = try await pusher.push(dataset: dataset, question: question, pageSize: max(1, min(pageSize, 1000)))
        print("pushed \(report.pushed) suggestions for question \"\(report.question)\" (\(report.skipped) records skipped: missing field text)")
    }
}
