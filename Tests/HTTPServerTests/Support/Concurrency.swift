
/// Holds responders until the test opens it, so a test can see many streams open at once.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    var waiting: Int { waiters.count }

    nonisolated func waitForWaiters(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while await waiting < count {
            guard ContinuousClock.now < deadline else { throw GateTimeout() }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
    struct GateTimeout: Error {}
}
