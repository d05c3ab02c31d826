import Testing

@testable import HTTPServer

/// The h2 stream's handle cancels its responder task without holding the task.
struct ResponderHandleTests {
    @Test func cancelBeforeTheTaskStartsIsSeenWhenItRuns() async {
        let handle = ResponderHandle()
        handle.cancel()
        let sawCancellation = await Task { () -> Bool in
            var seen = false
            await handle.run { seen = Task.isCancelled }
            return seen
        }.value
        #expect(sawCancellation)
    }

    @Test func cancelWhileRunningInterruptsTheResponder() async throws {
        let handle = ResponderHandle()
        let started = AsyncStream<Void>.makeStream()
        let task = Task { () -> Bool in
            var interrupted = false
            await handle.run {
                started.continuation.yield()
                do { try await Task.sleep(for: .seconds(30)) } catch { interrupted = true }
            }
            return interrupted
        }
        var iterator = started.stream.makeAsyncIterator()
        await iterator.next()
        handle.cancel()
        #expect(await task.value)
    }

    @Test func cancelAfterTheResponderFinishedDoesNothing() async {
        let handle = ResponderHandle()
        let outcome = await Task { () -> Bool in
            await handle.run {}
            handle.cancel()  // the task is still alive here, but its responder is done
            return Task.isCancelled
        }.value
        #expect(!outcome)
        handle.cancel()  // and after the task is gone
    }
}
