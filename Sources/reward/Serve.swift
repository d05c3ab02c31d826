import ArgumentParser
import Dispatch
import Foundation
import HTTPServer
import Logging
import PreferenceStore
import RewardAPI

#if canImport(Glibc)
import Glibc
#endif

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP service.")

    @Option(help: ArgumentHelp(
        "Settings file: one `key = value` per line, keys are these flag names (env REWARD_CONFIG). Precedence: flag > REWARD_* variable > file > default.",
        valueName: "file"))
    var config: String?

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to bind (0 picks a free one; the chosen port is printed on stdout).")
    var port: Int = 8080

    @Option(help: "Event loops (threads); default: one per core.")
    var loops: Int?

    @Flag(inversion: .prefixedNo, help: "One log line per request.")
    var accessLog = true

    @Option(help: "Seconds in-flight requests may take to finish after SIGTERM/SIGINT.")
    var shutdownDeadline: Double = 25

    @Option(help: "Seconds to keep serving after SIGTERM while /readyz answers 503 (load balancers notice), before the listener closes and in-flight requests drain.")
    var drainDelay: Double = 0

    @Option(help: "Log level (trace, debug, info, notice, warning, error, critical).")
    var logLevel: String = "info"

    @Option(help: "Log format: json (one object per line), text, or auto (json unless stderr is a terminal).")
    var logFormat: LogFormat = .auto

    @Option(help: "PEM certificate chain (leaf first) to serve TLS with; needs --tls-key. SIGHUP reloads it.")
    var tlsCert: String?

    @Option(help: "PEM private key (unencrypted) for --tls-cert.")
    var tlsKey: String?

    @Flag(inversion: .prefixedNo, help: "Serve HTTP/2 (h2c prior knowledge, Upgrade: h2c, ALPN h2).")
    var http2 = true

    /// `POST /_debug/echo` and `GET /_debug/sleep?ms=N`, for `make bench` and the shutdown tests only.
    @Flag(help: .hidden)
    var debugRoutes = false

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var service: ServiceOptions

    @OptionGroup(title: "Annotation tools") var integrations: IntegrationOptions
    @OptionGroup var auth: AuthOptions

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        LogFormat.bootstrap(logFormat, level: Logger.Level(rawValue: logLevel) ?? .info)
        let renderMetrics = MetricsSetup.bootstrapPrometheus()
        let logger = Logger(label: "reward")
        for name in ConfigurationSources(settings: .serve()).unknownVariables(ProcessInfo.processInfo.environment) {
            logger.warning("unknown REWARD_ variable ignored (no such setting)", metadata: ["env": "\(name)"])
        }

        var config = HTTPServer.Configuration(host: host, port: port, loopCount: loops)
        config.accessLog = accessLog
        config.inlineResponder = { ServeResponder.inlineRoutes.contains($0.path) }
        config.shutdownDeadline = .milliseconds(Int(shutdownDeadline * 1000))
        config.readinessDelay = .milliseconds(Int(drainDelay * 1000))
        config.http2.isEnabled = http2
        if let tlsCert, let tlsKey {
            let protocols = http2 ? ["h2", "http/1.1"] : ["http/1.1"]
            do {
                config.tls = try TLSContext(
                    configuration: .init(certificateChainPath: tlsCert, privateKeyPath: tlsKey, applicationProtocols: protocols))
            } catch let error as TLSError {
                logger.critical("cannot start TLS", metadata: ["error": "\(error)"])
                throw ExitCode.failure
            }
        }
        let readiness = ReadinessFlag()
        config.onReadinessChange = { readiness.set($0) }
        // NDJSON scoring streams any number of records: it opts out of the total body limit and
        // bounds each record instead (RewardAPI's line limit).
        let maxBody = config.maxBodySize
        config.bodyLimit = { RewardApplication.streamsUnboundedBody($0) ? nil : maxBody }
        let api = APIHolder()
        let responder = ServeResponder(configuration: config, readiness: readiness, debugRoutes: debugRoutes, api: api)
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let server = HTTPServer(configuration: config, responder: responder, logger: logger) { port in
            // The one line on stdout: scripts and tests read the port from it.
            print("listening on http://\(shownHost):\(port)")
            fflush(nil)
        }
        let signals = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                logger.info("signal received, shutting down gracefully", metadata: ["signal": "\(number)"])
                server.triggerGracefulShutdown()
            }
            source.resume()
            return source
        }
        let reload = Self.reloadOnSIGHUP(config.tls, api: api, logger: logger)
        defer {
            for source in signals { source.cancel() }
            reload.cancel()
        }
        // The store (DATABASE_URL, or the private cluster in --state-dir) is migrated and reachable before the
        // listener opens; it is shut down — and a private cluster stopped — after the server has drained.
        try await database.withStoreConfiguration(logger: logger) { storeConfiguration in
            let store = try await PostgresPreferenceStore.connect(storeConfiguration, logger: logger)
            do {
                let rewards = try service.makeService(store: store, logger: logger)
                var apiConfiguration = service.apiConfiguration(accepting: { readiness.isReady })
                apiConfiguration.maxBodyBytes = config.maxBodySize
                let process = ProcessMetrics(version: RewardVersion.current, connectionCount: { server.connectionCount })
                apiConfiguration.metricsRenderer = {
                    process.collect()
                    return renderMetrics()
                }
                apiConfiguration.integrations = try integrations.settings(defaultTenant: apiConfiguration.defaultTenant)
                apiConfiguration.authenticator = try await auth.makeAuthenticator(store: store, host: host, logger: logger)
                apiConfiguration.rateLimitPerKey = auth.resolvedRateLimit
                apiConfiguration.transportInfo = [
                    "event_loops": config.loopCount, "max_connections": config.maxConnections,
                    "max_header_bytes": config.maxHeaderBytes, "max_header_count": config.maxHeaderCount,
                    "max_target_length": config.maxTargetLength,
                ]
                api.install(RewardApplication(service: rewards, configuration: apiConfiguration, logger: Logger(label: "reward.api")))
                try await server.run()
            } catch {
                await store.shutdown()
                throw error
            }
            await store.shutdown()
        }
    }

    /// SIGHUP reloads the heads (atomically; a broken head keeps its previous version) and re-reads the
    /// TLS certificate and key: new handshakes use them, open connections keep theirs. A failed reload
    /// is logged and the old credentials stay.
    static func reloadOnSIGHUP(_ tls: TLSContext?, api: APIHolder, logger: Logger) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            logger.info("SIGHUP: reloading")
            _ = api.application?.reloadHeads()
            guard let tls else { return }
            do {
                try tls.reload()
                logger.info("TLS certificate reloaded", metadata: ["tls.cert": "\(tls.configuration.certificateChainPath)"])
            } catch {
                logger.error("TLS reload failed, keeping the previous certificate", metadata: ["error": "\(error)"])
            }
        }
        source.resume()
        return source
    }
}
