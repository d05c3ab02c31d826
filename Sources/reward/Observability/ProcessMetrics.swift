#if canImport(Glibc)
import Glibc
#endif
import CoreMetrics
import Foundation
import Metrics
import Locking

/// Process and transport gauges sampled when `/metrics` is scraped: the standard Prometheus
/// `process_*` names (read from /proc/self) plus open HTTP connections and the build version.
final class ProcessMetrics: Sendable {
    private let residentBytes = Gauge(label: "process_resident_memory_bytes", dimensions: [])
    private let virtualBytes = Gauge(label: "process_virtual_memory_bytes", dimensions: [])
    private let openFDs = Gauge(label: "process_open_fds", dimensions: [])
    private let cpuSeconds = FloatingPointCounter(label: "process_cpu_seconds_total", dimensions: [])
    private let threads = Gauge(label: "process_threads", dimensions: [])
    private let connections = Gauge(label: "reward_http_connections", dimensions: [])
    private let lastCPU = Locked<Double>(0)
    private let connectionCount: @Sendable () -> Int

    init(version: String, connectionCount: @escaping @Sendable () -> Int) {
        self.connectionCount = connectionCount
        Gauge(label: "process_start_time_seconds", dimensions: []).record(Date().timeIntervalSince1970)
        Gauge(label: "reward_build_info", dimensions: [("version", version)]).record(1)
    }

    func collect() {
        connections.record(connectionCount())
        if let count = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count { openFDs.record(count) }
        guard let stat = Self.stat() else { return }
        residentBytes.record(stat.residentPages * sysconf(Int32(_SC_PAGESIZE)))
        virtualBytes.record(stat.virtualBytes)
        threads.record(stat.threads)
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let cpu = Double(stat.userTicks + stat.systemTicks) / ticks
        let delta = lastCPU.withLock { last -> Double in
            defer { last = max(last, cpu) }
            return cpu - last
        }
        if delta > 0 { cpuSeconds.increment(by: delta) }
    }

    /// Fields of /proc/self/stat (proc(5)); the command name may contain spaces, so split after ')'.
    static func stat() -> (userTicks: Int, systemTicks: Int, threads: Int, virtualBytes: Int, residentPages: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ").map(String.init)
        // fields[0] is field 3 (state): field n is fields[n - 3].
        func field(_ n: Int) -> Int? { n - 3 < fields.count ? Int(fields[n - 3]) : nil }
        guard let utime = field(14), let stime = field(15), let threads = field(20), let vsize = field(23), let rss = field(24)
        else { return nil }
        return (utime, stime, threads, vsize, rss)
    }
}
