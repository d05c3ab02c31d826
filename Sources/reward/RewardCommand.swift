import ArgumentParser

@main
struct RewardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reward",
        abstract: "Personalized reward-scoring service: score, compare, rank and few-shot adapt per user.",
        version: RewardVersion.current,
        // Each issue adds its subcommand here: train, eval, synth, bench, inspect, convert, keys, migrate…
        subcommands: [Serve.self, Inspect.self, Convert.self, Bench.self, Migrate.self, Refit.self, StoreFaultChild.self]
            + [Keys.self]   // API keys and tenants
            + [Synth.self, Train.self, Eval.self]   // datasets, training, evaluation (RewardTraining)
            + [TextDataset.self, EvalPersonal.self, NestedSplit.self, TunePrior.self, Reembed.self]   // text corpora → feature datasets (TextEncoder); personalised vs population
            + [ArgillaCommand.self]   // annotation-tool tools (docs/INTEGRATIONS.md)
    )

    /// `reward serve` also takes its settings from `REWARD_*` variables and a `--config` file.
    static func main() async {
        await main(ConfigurationSources.commandLine(Array(CommandLine.arguments.dropFirst())))
    }
}

enum RewardVersion {
    static let current = "0.1.0"
}
