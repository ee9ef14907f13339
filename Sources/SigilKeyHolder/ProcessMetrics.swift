import Foundation

/// The key holder's own resource use, read from `/proc/self` at each scrape, under the
/// names Prometheus's client libraries give these series, so that dashboards and alerts
/// written for other services apply unchanged.
struct ProcessMetrics: Equatable {
    /// The resident set size, in bytes.
    var residentMemoryBytes: Int
    /// Open file descriptors, counting the one that lists them (as Prometheus's clients do).
    var openFileDescriptors: Int
    /// User plus system CPU time since the process started, in seconds.
    var cpuSeconds: Double

    /// Reads the current values, or `nil` where `/proc` cannot be read.
    static func current() -> ProcessMetrics? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        else { return nil }
        return ProcessMetrics(
            stat: stat, openFileDescriptors: descriptors.count, ticksPerSecond: sysconf(Int32(_SC_CLK_TCK)),
            pageSize: sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The three series in Prometheus's text format, with HELP and TYPE lines.
    var exposition: String {
        """
        # HELP process_resident_memory_bytes Resident set size of the key holder process, in bytes.
        # TYPE process_resident_memory_bytes gauge
        process_resident_memory_bytes \(residentMemoryBytes)
        # HELP process_open_fds File descriptors the key holder process has open.
        # TYPE process_open_fds gauge
        process_open_fds \(openFileDescriptors)
        # HELP process_cpu_seconds_total CPU time the key holder process has used, user and system, in seconds.
        # TYPE process_cpu_seconds_total counter
        process_cpu_seconds_total \(cpuSeconds)

        """
    }
}

// In an extension, so that the memberwise initialiser remains.
extension ProcessMetrics {
    /// Takes the CPU times and resident size from the text of `/proc/self/stat` (proc(5)).
    ///
    /// The second field, the command name in parentheses, may itself hold spaces and
    /// parentheses, so the fields are counted from the last `)`: the state (field 3) comes
    /// first after it, then utime and stime (fields 14 and 15, in clock ticks) and rss
    /// (field 24, in pages).
    ///
    /// - Returns: `nil` when the text has too few fields or one of them is not a number.
    init?(stat: String, openFileDescriptors: Int, ticksPerSecond: Int, pageSize: Int) {
        guard ticksPerSecond > 0, pageSize > 0, let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Int? {
            let index = number - 3
            return index < fields.count ? Int(fields[index]) : nil
        }
        guard let userTicks = field(14), let systemTicks = field(15), let residentPages = field(24) else { return nil }
        self.residentMemoryBytes = residentPages * pageSize
        self.openFileDescriptors = openFileDescriptors
        self.cpuSeconds = Double(userTicks + systemTicks) / Double(ticksPerSecond)
    }
}
