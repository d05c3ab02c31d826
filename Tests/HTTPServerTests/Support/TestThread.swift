#if canImport(Glibc)
import Glibc
#endif

/// A detached pthread for blocking test clients.
final class TestThread: @unchecked Sendable {  // started once; the body runs on the new thread only
    private let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }

    func start() {
        var handle = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&handle, nil, { arg in
            let thread = Unmanaged<TestThread>.fromOpaque(arg!).takeRetainedValue()
            thread.body()
            return nil
        }, context)
        precondition(rc == 0)
        pthread_detach(handle)
    }
}
