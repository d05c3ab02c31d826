import Foundation
import Testing
import TestSupport

@testable import PreferenceStore

/// The fault scenarios that need control of the server process: restart/outage and SIGKILL of a client
/// mid-batch. (Terminated backends and statement timeouts are in PostgresStoreTests.)
@Suite(.enabled(if: TestDatabase.isConfigured), .serialized)
struct FaultTests {
    private actor AppendLog {
        struct Entry { let id: String; let error: PreferenceStoreError.Code?; let took: Duration; let finished: ContinuousClock.Instant }
        var entries: [Entry] = []
        func add(_ entry: Entry) { entries.append(entry) }
    }

    @Test func restartAndOutageLoseNothingThatSucceeded() async throws {
        try await FaultCluster.with { cluster in
            let store = try await PostgresPreferenceStore.connect(cluster.configuration("reward-fault-restart"))
            let user = UserKey(userID: "appender")
            let log = AppendLog()
            let appender = Task {
                var i = 0
                while !Task.isCancelled {
                    let id = "n\(i)"
                    let started = ContinuousClock.now
                    var code: PreferenceStoreError.Code?
                    do { _ = try await store.appendComparisons([Fixtures.comparison(i, id: id)], for: user) }
                    catch let error as PreferenceStoreError { code = error.code }
                    catch { code = .internalError }
                    await log.add(.init(id: id, error: code, took: ContinuousClock.now - started, finished: .now))
                    i += 1
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            // Wait for progress rather than a fixed time: a loaded CI machine may append slowly.
            #expect(try await AdminSQL.eventually(within: .seconds(20)) { await log.entries.filter { $0.error == nil }.count >= 6 })
            try await cluster.cluster.pgCtl(["-m", "fast", "-w", "-t", "30", "restart"])
            let restarted = ContinuousClock.now
            #expect(try await AdminSQL.eventually(within: .seconds(20)) {
                await log.entries.filter { $0.error == nil && $0.finished > restarted }.count >= 6
            })
            try await cluster.cluster.pgCtl(["-m", "fast", "-w", "-t", "30", "stop"])
            let outage = ContinuousClock.now
            try await Task.sleep(for: .seconds(1))
            try await cluster.cluster.pgCtl(["-w", "-t", "30", "start"])
            let back = ContinuousClock.now
            let recovered = try await AdminSQL.eventually(within: .seconds(10)) {
                await log.entries.contains { $0.error == nil && $0.finished > back }
            }
            appender.cancel()
            _ = await appender.result
            let entries = await log.entries
            #expect(recovered)
            let firstSuccess = entries.first { $0.error == nil && $0.finished > back }?.finished
            #expect(firstSuccess.map { $0 - back < .seconds(5) } ?? false, "the pool serves again within 5 s")
            let failures = entries.filter { $0.error != nil }
            #expect(failures.contains { $0.finished > outage && $0.finished < back }, "appends during the outage fail")
            #expect(failures.allSatisfy { $0.error == .unavailable }, "failures are typed: \(Set(failures.compactMap { $0.error?.description }))")
            #expect(failures.allSatisfy { $0.took < .seconds(3) }, "failures are quick: max \(failures.map(\.took).max() ?? .zero)")

            var stored: Set<String> = []
            var cursor: Cursor?
            repeat {
                let page = try await store.history(HistoryQuery(user: user, after: cursor, limit: 1000))
                stored.formUnion(page.comparisons.map(\.clientID))
                cursor = page.nextCursor
            } while cursor != nil
            let succeeded = Set(entries.filter { $0.error == nil }.map(\.id))
            #expect(succeeded.count > 10)
            #expect(succeeded.isSubset(of: stored), "lost acknowledged appends: \(succeeded.subtracting(stored).sorted())")
            #expect(stored.isSubset(of: Set(entries.map(\.id))))
            await store.shutdown()
        }
    }

    @Test func aClientKilledMidBatchLeavesAllOrNothing() async throws {
        let binary = ServeProcess.binary.path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the reward executable first (swift build --build-tests builds it)")
        try await FaultCluster.with { cluster in
            let store = try await PostgresPreferenceStore.connect(cluster.configuration("reward-fault-observer"))
            let rows = 6_000
            // Kill as soon as the batch is in flight (uploading or executing), and a little later (executing or committing).
            for (round, extraDelay) in [0, 250].enumerated() {
                let application = "reward-fault-child-\(round)"
                let user = "victim-\(round)"
                let child = Process()
                child.executableURL = URL(fileURLWithPath: binary)
                child.arguments = ["store-fault-child", "--database-url", cluster.cluster.url, "--application-name", application,
                                   "--user", user, "--rows", String(rows)]
                child.standardOutput = FileHandle.nullDevice
                try child.run()
                let busy = try await AdminSQL.eventually(within: .seconds(60)) {
                    try await AdminSQL.query("SELECT state FROM pg_stat_activity WHERE application_name = '\(application)-pool' AND state <> 'idle'", url: cluster.cluster.url).isEmpty == false
                }
                #expect(busy, "the child started its batch")
                try await Task.sleep(for: .milliseconds(extraDelay))
                kill(child.processIdentifier, SIGKILL)
                await offPool { child.waitUntilExit() }
                let gone = try await AdminSQL.eventually(within: .seconds(60)) {
                    try await AdminSQL.query("SELECT pid FROM pg_stat_activity WHERE application_name = '\(application)-pool'", url: cluster.cluster.url).isEmpty
                }
                #expect(gone, "the server noticed the dead client")
                let count = try await store.counts(for: UserKey(userID: user)).comparisons
                #expect(count == 0 || count == rows, "round \(round): \(count) of \(rows) rows stored")
            }
            await store.shutdown()
        }
    }
}
