#if canImport(Glibc)
import Glibc
#endif
import CSystemShims

/// Socket setup calls, grouped (the hot read/write path lives in Connection).
enum Socket {
    /// A non-blocking listening socket bound to host:port with SO_REUSEADDR and SO_REUSEPORT, so
    /// every event loop can bind its own socket to the same port and the kernel spreads connections.
    static func listen(host: String, port: Int, backlog: Int32 = 1024) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw HTTPServerError(code: .addressResolution, message: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        let info = first.pointee
        let fd = try syscallChecked("socket") {
            socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        do {
            var one: Int32 = 1
            try syscallChecked("setsockopt(SO_REUSEADDR)") {
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            try syscallChecked("setsockopt(SO_REUSEPORT)") {
                setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            try syscallChecked("bind") { bind(fd, info.ai_addr, info.ai_addrlen) }
            try syscallChecked("listen") { Glibc.listen(fd, backlog) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// The port a socket is bound to.
    static func localPort(_ fd: Int32) throws -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                try syscallChecked("getsockname") { getsockname(fd, address, &length) }
            }
        }
        return portAndHost(&storage).port
    }

    /// Disables Nagle: responses are written whole, and delaying them only adds latency.
    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// "127.0.0.1:53122" / "[::1]:53122" for logs.
    static func describe(_ storage: inout sockaddr_storage) -> String {
        let (port, host) = portAndHost(&storage)
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    private static func portAndHost(_ storage: inout sockaddr_storage) -> (port: Int, host: String) {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var address = sin.pointee.sin_addr
                    inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
                    return (Int(UInt16(bigEndian: sin.pointee.sin_port)), text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var address = sin6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
                    return (Int(UInt16(bigEndian: sin6.pointee.sin6_port)), text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
                }
            }
        default:
            return (0, "unknown")
        }
    }
}
