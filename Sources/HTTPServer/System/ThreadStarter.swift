#if canImport(Glibc)
import Glibc
#endif
import CSystemShims

/// A plain pthread running one closure; event loops own their thread for their whole life.
struct PThread: @unchecked Sendable {  // pthread_t is a plain integer handle, joined exactly once
    private final class Box {
        let name: String
        let body: () -> Void
        init(_ name: String, _ body: @escaping () -> Void) {
            self.name = name
            self.body = body
        }
    }

    private let handle: pthread_t

    static func start(name: String, _ body: @escaping @Sendable () -> Void) -> PThread {
        var handle = pthread_t()
        let box = Unmanaged.passRetained(Box(name, body)).toOpaque()
        let rc = pthread_create(&handle, nil, { arg in
            let box = Unmanaged<PThread.Box>.fromOpaque(arg!).takeRetainedValue()
            box.name.withCString { _ = CSystemShims_set_thread_name($0) }
            box.body()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        return PThread(handle: handle)
    }

    func join() { pthread_join(handle, nil) }
}
