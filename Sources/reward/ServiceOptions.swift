import ArgumentParser
import Foundation
import Logging
import PreferenceStore
import RewardAPI
import RewardService
import Tensors
import TextEncoder

/// What the service serves: heads, the text encoder, API limits. Every option also reads a
/// `REWARD_*` environment variable (shown in `--help`).
struct ServiceOptions: ParsableArguments {
    @Option(name: .customLong("head"), help: ArgumentHelp(
        "Head directory to serve, as DIR or NAME=DIR; repeat for several (env REWARD_HEADS, comma-separated). Default: the heads under Deploy/heads that exist.",
        valueName: "[name=]dir"))
    var heads: [String] = []

    @Option(help: "Default head name (env REWARD_DEFAULT_HEAD). Default: the first head.")
    var defaultHead: String?

    @Option(help: "Text encoder model directory, or `none` (env REWARD_ENCODER). Default: .reward/models/all-MiniLM-L6-v2 when present.")
    var encoder: String?

    @Option(help: "Origins allowed for browser (CORS) calls, comma-separated, or * (env REWARD_CORS_ORIGINS).")
    var corsOrigins: String?

    @Option(help: "Most items per score/rank request (env REWARD_MAX_ITEMS).")
    var maxItems: Int?

    @Option(help: "Queued model work (items) before requests get 429 (env REWARD_MAX_QUEUED_ITEMS).")
    var maxQueuedItems: Int?

    @Option(help: "API requests handled at once before new ones get 429 (health, metrics and admin routes exempt; 0: no limit).")
    var maxInFlight: Int = 1024

    @Option(help: "Cached user states (env REWARD_USER_CACHE).")
    var userCache: Int?

    @Option(help: "BLAS threads of the model worker (env REWARD_BLAS_THREADS, default 1).")
    var blasThreads: Int?

    @Option(help: "Threads one text-encoder forward is split over (env REWARD_ENCODER_THREADS, default: one per core).")
    var encoderThreads: Int?

    static func env(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    var headSources: [HeadCatalog.Source] {
        var args = heads
        if args.isEmpty, let e = Self.env("REWARD_HEADS") { args = e.split(separator: ",").map(String.init) }
        if args.isEmpty {
            args = ["demo=Deploy/heads/demo", "synthetic=Deploy/heads/synthetic"].filter {
                FileManager.default.fileExists(atPath: String($0.split(separator: "=")[1]) + "/config.json")
            }
        }
        return args.map(HeadCatalog.Source.init(argument:))
    }

    func loadEncoder(logger: Logger) throws -> TextEncoder? {
        let explicit = encoder ?? Self.env("REWARD_ENCODER")
        // A features-only deployment keeps the ≈ 90 MB of encoder weights out of memory.
        if explicit == "none" {
            logger.info("text encoder off (--encoder none): text items will be refused")
            return nil
        }
        let path = explicit ?? ".reward/models/all-MiniLM-L6-v2"
        guard FileManager.default.fileExists(atPath: path + "/config.json") else {
            if explicit != nil { throw ValidationError("no text encoder model in \(path) (run `make encoder`)") }
            logger.notice("no text encoder: text items will be refused (run `make encoder` for all-MiniLM-L6-v2)")
            return nil
        }
        var model = try TextEncoder(directory: path)
        model.threads = try resolvedEncoderThreads()
        return model
    }

    /// A 256-token text takes ~70 ms on one core and ~36 ms split over two: text latency is worth
    /// every core by default even though the model worker's sgemms stay single-threaded.
    func resolvedEncoderThreads() throws -> Int {
        let threads = encoderThreads ?? Self.env("REWARD_ENCODER_THREADS").flatMap(Int.init)
            ?? ProcessInfo.processInfo.activeProcessorCount
        guard threads >= 1 else { throw ValidationError("--encoder-threads must be at least 1") }
        return threads
    }

    var serviceConfiguration: RewardService.Configuration {
        var c = RewardService.Configuration()
        if let v = maxItems ?? Self.env("REWARD_MAX_ITEMS").flatMap(Int.init) { c.maxItemsPerRequest = v }
        if let v = maxQueuedItems ?? Self.env("REWARD_MAX_QUEUED_ITEMS").flatMap(Int.init) { c.maxQueuedItems = v }
        if let v = userCache ?? Self.env("REWARD_USER_CACHE").flatMap(Int.init) { c.userCacheSize = v }
        return c
    }

    func apiConfiguration(accepting: @escaping @Sendable () -> Bool) -> APIConfiguration {
        var c = APIConfiguration()
        if let o = corsOrigins ?? Self.env("REWARD_CORS_ORIGINS") {
            c.corsAllowedOrigins = o.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        }
        c.version = RewardVersion.current
        c.maxInFlight = maxInFlight
        c.isAcceptingTraffic = accepting
        return c
    }

    /// The service with its heads loaded. BLAS gets an explicit thread count so the model worker
    /// does not compete with the event loops.
    /// `withEncoder: false` for commands that only refit from stored features (no text to embed).
    func makeService(store: any PreferenceStore, logger: Logger, withEncoder: Bool = true) throws -> RewardService {
        BLAS.setThreadCount(blasThreads ?? Self.env("REWARD_BLAS_THREADS").flatMap(Int.init) ?? 1)
        let sources = headSources
        guard !sources.isEmpty else { throw ValidationError("no head to serve: pass --head DIR") }
        let service = RewardService(store: store, encoder: withEncoder ? try loadEncoder(logger: logger) : nil, configuration: serviceConfiguration)
        do {
            try service.loadHeads(sources, defaultName: defaultHead ?? Self.env("REWARD_DEFAULT_HEAD"))
        } catch {
            throw ValidationError(error.message)
        }
        for h in service.heads {
            logger.info("head loaded", metadata: ["head.name": "\(h.name)", "head.kind": "\(h.kind)",
                                                 "head.feature_space": "\(h.featureSpace)", "head.default": "\(h.isDefault)"])
        }
        return service
    }
}
