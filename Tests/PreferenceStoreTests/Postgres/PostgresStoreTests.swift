import Foundation
import Testing

@testable import PreferenceStore

/// Behaviour only the Postgres implementation has: migrations, pool bounds, timeouts, reconnects.
@Suite(.enabled(if: TestDatabase.isConfigured))
struct PostgresStoreTests {
    @Test func migrationsApplyOnceWhenReplicasStartTogether() async throws {
        let schema = TestDatabase.uniqueName("migrate")
        let configuration = TestDatabase.configuration(schema: schema, applicationName: "reward-test-migrate")
        let reports = try await withThrowingTaskGroup(of: Migrator.Report.self) { group in
            for _ in 0..<4 { group.addTask { try await Migrator(configuration: configuration).run() } }
            return try await group.reduce(into: [Migrator.Report]()) { $0.append($1) }
        }
        #expect(reports.filter { $0.applied == Migration.all.map(\.version) }.count == 1)
        #expect(reports.filter { $0.applied.isEmpty }.count == 3)
        #expect(reports.allSatisfy { $0.current == Migration.all.last!.version && $0.unknown.isEmpty })
        let tables = try await AdminSQL.query("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '\(schema)'")
        #expect(tables == ["api_keys,comparisons,label_predictions,label_sources,schema_migrations,tenants,user_states"])
        try await AdminSQL.execute("DROP SCHEMA \(schema) CASCADE")
    }

    @Test func statementTimeoutIsTypedAndTheConnectionStaysUsable() async throws {
        var configuration = TestDatabase.configuration(applicationName: TestDatabase.uniqueName("timeout"))
        configuration.poolSize = 1
        configuration.statementTimeout = .milliseconds(300)
        let store = try await PostgresPreferenceStore.connect(configuration)
        let pid = try await store.backendPID()
        let started = ContinuousClock.now
        let error = await storeError { try await store.sleepOnServer(5) }
        #expect(error?.code == .timeout)
        #expect(error?.sqlState == "57014")
        // Well under the 5 s sleep (the server cut it short); the slack is for a loaded 2-core test run.
        #expect(ContinuousClock.now - started < .seconds(4.5))
        #expect(try await store.backendPID() == pid, "the same connection serves the next operation")
        await store.shutdown()
    }

    @Test func aSilentServerHitsTheClientDeadline() async throws {
        var configuration = TestDatabase.configuration(applicationName: TestDatabase.uniqueName("hung"))
        configuration.poolSize = 1
        configuration.statementTimeout = .milliseconds(300)
        configuration.clientGrace = .milliseconds(500)
        let store = try await PostgresPreferenceStore.connect(configuration)
        let pid = try await store.backendPID()
        // A stopped backend answers nothing, not even its own statement timeout: only the client deadline helps.
        guard kill(pid, SIGSTOP) == 0 else {
            Issue.record("cannot SIGSTOP the backend (run the tests as root or as the server's OS user)")
            return
        }
        // A stopped backend blocks every DROP DATABASE on the shared cluster (it never absorbs the
        // barrier), so it must be resumed even if this test's task is starved: a plain thread does it.
        Thread.detachNewThread { sleep(3); kill(pid, SIGCONT) }
        let started = ContinuousClock.now
        let error = await storeError { _ = try await store.loadState(for: UserKey(userID: "u"), head: "h") }
        kill(pid, SIGCONT)
        #expect(error?.code == .timeout)
        #expect(ContinuousClock.now - started < .seconds(4))
        let user = UserKey(userID: TestDatabase.uniqueName("after-hang"))
        #expect(try await store.loadState(for: user, head: "h") == nil, "a fresh connection serves afterwards")
        #expect(try await store.backendPID() != pid)
        await store.shutdown()
    }

    @Test func terminatedBackendsAreReplacedTransparently() async throws {
        let name = TestDatabase.uniqueName("terminate")
        var configuration = TestDatabase.configuration(applicationName: name)
        configuration.poolSize = 2
        let store = try await PostgresPreferenceStore.connect(configuration)
        let tenant = TestDatabase.uniqueName("tenant")
        try await store.ensureTenant(tenant)
        let user = UserKey(tenant: tenant, userID: "u")
        // Open both pooled connections.
        async let a: Void = store.sleepOnServer(0.2)
        async let b: Void = store.sleepOnServer(0.2)
        _ = try await (a, b)
        for round in 0..<2 {
            let killed = try await AdminSQL.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(name)-pool'")
            #expect(killed.count == 2 && killed.allSatisfy { $0 == "true" })
            if round == 1 {  // second round: wait until they are gone, so even non-idempotent saves must succeed
                #expect(try await AdminSQL.eventually { try await AdminSQL.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(name)-pool'") == ["0"] })
            }
            _ = try await store.appendComparisons([Fixtures.comparison(round, id: "r\(round)")], for: user)
            _ = try await store.history(HistoryQuery(user: user))
            _ = try await store.saveState(UserStateDraft(user: user, head: "h\(round)", headVersion: "1", theta: [1], comparisonCount: 1), expectedVersion: nil)
            async let c: Void = store.sleepOnServer(0.1)
            async let d: Void = store.sleepOnServer(0.1)
            _ = try await (c, d)
        }
        #expect(try await store.counts(for: user) == UserCounts(comparisons: 2, comparisonsByFeatureSpace: [Fixtures.space: 2], states: 2))
        await store.shutdown()
    }

    @Test func aFullPoolWaitsThenFailsAsOverloaded() async throws {
        var configuration = TestDatabase.configuration(applicationName: TestDatabase.uniqueName("full"))
        configuration.poolSize = 1
        configuration.acquireTimeout = .milliseconds(200)
        let store = try await PostgresPreferenceStore.connect(configuration)
        // The holder outlasts the waiter by far, so an overloaded error (not success) proves the
        // acquire timeout fired; the bound only needs slack for a loaded test runner.
        let holder = Task { try await store.sleepOnServer(6) }
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        let error = await storeError { try await store.checkHealth() }
        let waited = ContinuousClock.now - started
        #expect(error?.code == .overloaded)
        #expect(waited >= .milliseconds(150) && waited < .seconds(5))
        try await holder.value
        try await store.checkHealth()
        await store.shutdown()
        #expect(await storeError { try await store.checkHealth() }?.code == .unavailable)
    }

    @Test(.timeLimit(.minutes(1)))
    func aLostListenConnectionReconnectsAndAsksForResynchronization() async throws {
        let name = TestDatabase.uniqueName("listen")
        var configuration = TestDatabase.configuration(applicationName: name)
        configuration.reconnectBackoff = (.milliseconds(20), .milliseconds(200))
        let store = try await PostgresPreferenceStore.connect(configuration)
        var changes = store.stateChanges().makeAsyncIterator()
        // Wait until it is really listening (its last statement was LISTEN), not merely connected.
        #expect(try await AdminSQL.eventually { try await AdminSQL.query("SELECT pid FROM pg_stat_activity WHERE application_name = '\(name)-listen' AND query LIKE 'LISTEN%'").count == 1 })
        _ = try await AdminSQL.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(name)-listen'")
        var change = await changes.next()
        while let seen = change, seen != .resynchronize { change = await changes.next() }  // skip other tests' changes
        #expect(change == .resynchronize)
        // And it listens again afterwards.
        let tenant = TestDatabase.uniqueName("tenant")
        try await store.ensureTenant(tenant)
        let user = UserKey(tenant: tenant, userID: "u")
        _ = try await store.saveState(UserStateDraft(user: user, head: "h", headVersion: "1", theta: [1], comparisonCount: 0), expectedVersion: nil)
        var next = await changes.next()
        while let change = next, change != .stateSaved(user, head: "h", version: 1) { next = await changes.next() }  // skip other tests' changes
        #expect(next == .stateSaved(user, head: "h", version: 1))
        await store.shutdown()
        // The stream ends at shutdown (after whatever was already buffered); the time limit catches a hang.
        while await changes.next() != nil {}
    }
}
