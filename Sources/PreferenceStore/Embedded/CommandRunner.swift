import Foundation

/// Runs PostgreSQL's tools as the right OS user: ourselves normally, the unprivileged server user when we
/// are root (via runuser). Also gives that user the files and directories it needs.
struct CommandRunner: Sendable {
    let serverUser: String?
    let serverUID: uid_t
    let serverGID: gid_t

    init(serverUser: String) throws {
        guard geteuid() == 0 else {
            self.serverUser = nil
            serverUID = geteuid()
            serverGID = getegid()
            return
        }
        if getpwnam(serverUser) == nil {
            _ = try Self.execute("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", serverUser], what: "useradd")
        }
        guard let entry = getpwnam(serverUser) else {
            throw PreferenceStoreError(.unavailable, "OS user \(serverUser) for the PostgreSQL server does not exist")
        }
        self.serverUser = serverUser
        serverUID = entry.pointee.pw_uid
        serverGID = entry.pointee.pw_gid
    }

    /// Runs a tool; throws with its output when it exits non-zero. Returns its output.
    @discardableResult
    func run(_ executable: String, _ arguments: [String], what: String) throws -> String {
        guard let serverUser else { return try Self.execute(executable, arguments, what: what) }
        return try Self.execute(Self.runuser, ["-u", serverUser, "--", executable] + arguments, what: what)
    }

    /// Makes `path` (created by us) owned by the server user, mode 700.
    func own(_ path: String) throws {
        if serverUser != nil, chown(path, serverUID, serverGID) != 0 {
            throw PreferenceStoreError(.unavailable, "cannot hand \(path) to the PostgreSQL server user", detail: String(cString: strerror(errno)))
        }
        chmod(path, 0o700)
    }

    /// True when the server user can create files in `directory` (which needs every parent to be traversable).
    func canUse(directory: String) -> Bool {
        guard serverUser != nil else { return access(directory, W_OK | X_OK) == 0 }
        return (try? run("/usr/bin/test", ["-w", directory, "-a", "-x", directory], what: "access check")) != nil
    }

    func writeFile(_ path: String, _ text: String) throws {
        do {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw PreferenceStoreError(.unavailable, "cannot write \(path)", detail: "\(error)")
        }
        if serverUser != nil { _ = chown(path, serverUID, serverGID) }
        chmod(path, 0o600)
    }

    private static var runuser: String {
        ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "runuser"
    }

    /// posix_spawn + waitpid (Foundation's Process can miss the exit of a child whose grandchild daemonizes,
    /// as `pg_ctl start` does). Runs in `/` via sh, because the server user may not reach our working directory.
    /// Output goes to a file, not a pipe, which the daemonized server would otherwise keep open.
    private static func execute(_ executable: String, _ arguments: [String], what: String) throws -> String {
        let outputPath = NSTemporaryDirectory() + "reward-cmd-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ["/bin/sh", "-c", "cd / && exec \"$0\" \"$@\"", executable] + arguments
        var pid: pid_t = 0
        let spawned = CStringArray.withMutable(argv) { pointers in
            posix_spawn(&pid, "/bin/sh", &actions, nil, pointers, environ)
        }
        guard spawned == 0 else {
            throw PreferenceStoreError(.unavailable, "cannot run \(what)", detail: "\(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw PreferenceStoreError(.unavailable, "lost track of \(what)") }
        }
        let text = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        let exitedCleanly = (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0
        guard exitedCleanly else {
            throw PreferenceStoreError(.unavailable, "\(what) failed (status \(status))", detail: text)
        }
        return text
    }
}

/// An exclusive flock on a file, held while this process runs the cluster. nil when another process holds it.
final class DirectoryLock: Sendable {
    private let descriptor: Int32

    init?(path: String) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(fd)
            return nil
        }
        descriptor = fd
    }

    func release() {
        flock(descriptor, LOCK_UN)
    }

    deinit { Glibc.close(descriptor) }
}
