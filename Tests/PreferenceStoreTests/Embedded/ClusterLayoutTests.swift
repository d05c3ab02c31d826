import Foundation
import Testing

@testable import PreferenceStore

/// Where an embedded cluster's files go (no initdb needed: only the directory decisions).
@Suite struct ClusterLayoutTests {
    private static func scratch(_ name: String) throws -> String {
        let directory = NSTemporaryDirectory() + "reward-layout-\(UUID().uuidString.prefix(8))-\(name)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
        return directory
    }

    @Test func aShortReachablePathIsUsedAsIs() throws {
        let base = try Self.scratch("short")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let layout = try ClusterLayout.prepare(requested: base + "/state/../state/pg", runner: try CommandRunner(serverUser: "postgres"), logger: TestDatabase.logger)
        #expect(layout.clusterDirectory == base + "/state/pg", "`..` is resolved")
        #expect(layout.dataDirectory == base + "/state/pg/data")
        #expect(layout.socketDirectory == layout.clusterDirectory)
    }

    @Test func aSocketPathOver107BytesMovesToAShortOwnedDirectory() throws {
        let base = try Self.scratch(String(repeating: "x", count: 100))
        defer { try? FileManager.default.removeItem(atPath: base) }
        let layout = try ClusterLayout.prepare(requested: base + "/pg", runner: try CommandRunner(serverUser: "postgres"), logger: TestDatabase.logger)
        defer { try? FileManager.default.removeItem(atPath: layout.socketDirectory) }
        #expect(layout.dataDirectory == base + "/pg/data", "only the socket moves")
        #expect(layout.socketDirectory.hasPrefix("/tmp/reward-pg-"))
        #expect((layout.socketDirectory + "/.s.PGSQL.5432").utf8.count <= 107)
        var info = stat()
        #expect(stat(layout.socketDirectory, &info) == 0 && info.st_mode & 0o777 == 0o700)
    }

    @Test(.enabled(if: geteuid() == 0, "only root hands the cluster to another OS user"))
    func aDirectoryTheServerUserCannotReachIsRelocated() throws {
        let base = try Self.scratch("private")
        defer { try? FileManager.default.removeItem(atPath: base) }
        chmod(base, 0o700)  // like a checkout under a mode-700 home
        let layout = try ClusterLayout.prepare(requested: base + "/inner/pg", runner: try CommandRunner(serverUser: "postgres"), logger: TestDatabase.logger)
        defer { try? FileManager.default.removeItem(atPath: layout.clusterDirectory) }
        #expect(layout.clusterDirectory.hasPrefix("/var/tmp/reward-pg-"))
        let again = try ClusterLayout.prepare(requested: base + "/inner/pg", runner: try CommandRunner(serverUser: "postgres"), logger: TestDatabase.logger)
        #expect(again.clusterDirectory == layout.clusterDirectory, "the fallback is stable across runs")
    }
}
