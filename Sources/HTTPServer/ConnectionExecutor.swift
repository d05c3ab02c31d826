/// The thread that owns a connection (its event loop). Work that finishes elsewhere — a
/// responder task, a streamed body write, a consumed request chunk — comes back through
/// `execute` before it touches connection state, so that state needs no locks.
public protocol ConnectionExecutor: Sendable {
    func execute(_ work: @escaping @Sendable () -> Void)
}
