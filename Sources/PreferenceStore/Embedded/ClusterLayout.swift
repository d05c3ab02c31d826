import Foundation
import Logging

/// Where an embedded cluster's files go, after the checks that make it work as root: the server user must be
/// able to reach the data directory, and the socket path must fit in `sun_path` (107 bytes + NUL).
struct ClusterLayout {
    static let maxSocketPathBytes = 107

    let clusterDirectory: String
    let dataDirectory: String
    let socketDirectory: String
    let logFile: String

    static func prepare(requested: String, runner: CommandRunner, logger: Logger) throws -> ClusterLayout {
        // Absolute, `..`-free, symlinks resolved: the path we check is the path the server will use.
        var cluster = URL(fileURLWithPath: requested).standardizedFileURL.resolvingSymlinksInPath().path
        try makeDirectory(cluster, runner: runner)
        if !runner.canUse(directory: cluster) || !isShellSafe(cluster) {
            let fallback = "/var/tmp/reward-pg-\(shortHash(cluster))"
            logger.warning("store.embedded.relocated", metadata: [
                "requested": "\(cluster)", "using": "\(fallback)",
                "reason": "the server user cannot reach the requested directory (a parent is private) or its path has shell metacharacters",
            ])
            cluster = fallback
            try makeDirectory(cluster, runner: runner)
            guard runner.canUse(directory: cluster) else {
                throw PreferenceStoreError(.unavailable, "no directory usable by the PostgreSQL server user (tried \(fallback))")
            }
        }
        var socket = cluster
        if (socket + "/.s.PGSQL.\(EmbeddedPostgres.port)").utf8.count > maxSocketPathBytes {
            socket = "/tmp/reward-pg-\(shortHash(cluster))"
            logger.notice("store.embedded.socket_relocated", metadata: [
                "requested": "\(cluster)", "using": "\(socket)", "reason": "unix socket paths are limited to 107 bytes",
            ])
            try makeDirectory(socket, runner: runner)
        }
        return ClusterLayout(clusterDirectory: cluster, dataDirectory: cluster + "/data", socketDirectory: socket,
                             logFile: cluster + "/server.log")
    }

    /// Settings the service controls, rewritten at every start (the socket directory can move between runs).
    func writeSettings(runner: CommandRunner) throws {
        let text = """
            # Written by reward at every start; edit postgresql.conf for your own settings.
            listen_addresses = ''
            port = \(EmbeddedPostgres.port)
            unix_socket_directories = '\(socketDirectory.replacingOccurrences(of: "'", with: "''"))'
            unix_socket_permissions = 0700
            fsync = on
            synchronous_commit = on
            # Room for bursts of appends (a d=384 comparison is ≈4.6 kB of heap plus WAL) without a checkpoint
            # every few seconds or backends writing out dirty buffers themselves.
            shared_buffers = 256MB
            wal_buffers = 16MB
            max_wal_size = 4GB
            checkpoint_timeout = 15min

            """
        try runner.writeFile(dataDirectory + "/reward.conf", text)
    }

    func appendInclude(runner: CommandRunner) throws {
        let path = dataDirectory + "/postgresql.conf"
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        try runner.writeFile(path, existing + "\ninclude_if_exists = 'reward.conf'\n")
    }

    private static func makeDirectory(_ path: String, runner: CommandRunner) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw PreferenceStoreError(.unavailable, "cannot create \(path)", detail: "\(error)")
        }
        try runner.own(path)
    }

    /// pg_ctl passes paths through /bin/sh inside double quotes.
    private static func isShellSafe(_ path: String) -> Bool {
        !path.contains(where: { "\"$`\\\n".contains($0) })
    }

    static func shortHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16).prefix(10).description
    }
}
