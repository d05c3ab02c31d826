import Foundation
import Logging

/// A private PostgreSQL cluster the service runs itself when no server is configured: `initdb` on first use,
/// `pg_ctl start` now, `pg_ctl stop` at exit. It listens only on a unix socket in a mode-700 directory (no
/// TCP), so only its OS user and root can connect. As root it runs as an unprivileged OS user (postgres
/// refuses root), falling back to short, owned directories when the state directory is not reachable by
/// that user or its socket path would exceed the 107-byte unix-socket limit — and says so in the log.
public final class EmbeddedPostgres: Sendable {
    public struct Options: Sendable {
        /// Where the cluster lives (default `./.reward/pg`); `data/`, `server.log` and usually the socket go here.
        public var directory: String
        /// PostgreSQL server binaries; default $PGBIN, else the newest /usr/lib/postgresql/*/bin, else $PATH.
        public var binDirectory: String?
        /// The OS user the server runs as when this process is root.
        public var serverUser: String = "postgres"
        /// Skip fsync during initdb (tests only; a crash right after initdb could corrupt the new cluster).
        public var fastInitdb = false

        public init(directory: String) {
            self.directory = directory
        }
    }

    /// A libpq conninfo string for the cluster (unix socket, superuser `postgres`, database `postgres`).
    public let url: String
    public let dataDirectory: String
    public let socketDirectory: String
    public let binDirectory: String
    let runner: CommandRunner
    /// False when another live `reward` process already runs this cluster: we use it but leave it running.
    let ownsServer: Bool
    private let lock: DirectoryLock?
    private let logger: Logger

    static let port = 5432

    /// Locates binaries, prepares directories, runs initdb if needed, starts the server and waits until it
    /// accepts connections. Blocking work runs on its own thread.
    public static func start(_ options: Options, logger: Logger = Logger(label: "reward.store.embedded")) async throws -> EmbeddedPostgres {
        try await BlockingThread.run(name: "pg-embedded") { try EmbeddedPostgres(starting: options, logger: logger) }
    }

    private init(starting options: Options, logger: Logger) throws {
        self.logger = logger
        binDirectory = try Self.findBinaries(options.binDirectory)
        runner = try CommandRunner(serverUser: options.serverUser)
        let layout = try ClusterLayout.prepare(requested: options.directory, runner: runner, logger: logger)
        dataDirectory = layout.dataDirectory
        socketDirectory = layout.socketDirectory
        url = "host=\(Self.quote(socketDirectory)) port=\(Self.port) user=postgres dbname=postgres"
        lock = DirectoryLock(path: layout.clusterDirectory + "/reward.lock")
        let pgCtl = binDirectory + "/pg_ctl"
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            logger.info("store.embedded.initdb", metadata: ["path": "\(dataDirectory)"])
            var arguments = ["-D", dataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"]
            if options.fastInitdb { arguments.append("--no-sync") }
            try runner.run(binDirectory + "/initdb", arguments, what: "initdb")
            try layout.appendInclude(runner: runner)
        }
        try layout.writeSettings(runner: runner)
        let running = (try? runner.run(pgCtl, ["-D", dataDirectory, "status"], what: "pg_ctl status")) != nil
        if running && lock == nil {
            logger.notice("store.embedded.shared", metadata: ["path": "\(dataDirectory)"])
            ownsServer = false
            return
        }
        ownsServer = true
        if running {
            // Left behind by a reward process that died without stopping it (we hold the directory lock): adopt it.
            logger.notice("store.embedded.adopted", metadata: ["path": "\(dataDirectory)"])
            return
        }
        try runner.run(pgCtl, ["-D", dataDirectory, "-l", layout.logFile, "-w", "-t", "60", "start"], what: "pg_ctl start")
        logger.info("store.embedded.started", metadata: ["path": "\(dataDirectory)", "socket": "\(socketDirectory)"])
    }

    /// Stops the server if this process started (or adopted) it: fast shutdown, waiting until it is down.
    public func stop() async throws {
        guard ownsServer else { return }
        let (runner, pgCtl, data, logger, lock) = (runner, binDirectory + "/pg_ctl", dataDirectory, logger, lock)
        try await BlockingThread.run(name: "pg-embedded-stop") {
            try runner.run(pgCtl, ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"], what: "pg_ctl stop")
            lock?.release()
            logger.info("store.embedded.stopped", metadata: ["path": "\(data)"])
        }
    }

    /// Runs `pg_ctl -D <data> -l <log> ARGUMENTS` as the server user (fault injection: restart, stop, start).
    public func pgCtl(_ arguments: [String]) async throws {
        let (runner, pgCtl, data) = (runner, binDirectory + "/pg_ctl", dataDirectory)
        let log = URL(fileURLWithPath: dataDirectory).deletingLastPathComponent().path + "/server.log"
        try await BlockingThread.run(name: "pg-embedded-ctl") {
            _ = try runner.run(pgCtl, ["-D", data, "-l", log] + arguments, what: "pg_ctl")
        }
    }

    static func findBinaries(_ explicit: String?) throws -> String {
        let environment = ProcessInfo.processInfo.environment["PGBIN"]
        var candidates = [explicit, environment].compactMap { $0 }
        let installed = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += installed.sorted { $0.compare($1, options: .numeric) == .orderedDescending }
            .map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in candidates where FileManager.default.isExecutableFile(atPath: directory + "/initdb")
            && FileManager.default.isExecutableFile(atPath: directory + "/pg_ctl") {
            return directory
        }
        throw PreferenceStoreError(.unavailable, "PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql or set PGBIN, or set DATABASE_URL")
    }

    /// conninfo value quoting: single quotes, backslash-escaped.
    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
