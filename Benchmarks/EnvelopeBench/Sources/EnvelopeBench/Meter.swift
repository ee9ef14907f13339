import Glibc

/// Operations and time accumulated by one contender over several slices, so that the
/// contenders can take turns (a, b, c, a, b, c, …) and share whatever the machine's
/// background load does during the run.
///
/// Time is the process's CPU time, as `openssl speed` measures by default (user time):
/// on a machine shared with other jobs, wall time would also count the moments this
/// process waited for a core.
struct Meter {
    private(set) var operations = 0
    private(set) var nanoseconds: UInt64 = 0

    /// The CPU time this process has used, in nanoseconds.
    static func cpuNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Operations per second over every slice so far.
    var rate: Double { nanoseconds == 0 ? 0 : Double(operations) / (Double(nanoseconds) / 1e9) }

    /// Runs `operation` in batches of 32 until `seconds` have passed, and adds the count and
    /// the time taken. The clock is read once per batch, not once per operation.
    mutating func run(for seconds: Double, _ operation: () throws -> Void) rethrows {
        let limit = UInt64(seconds * 1e9)
        let start = Self.cpuNanoseconds()
        var elapsed: UInt64 = 0
        repeat {
            for _ in 0..<32 { try operation() }
            operations += 32
            elapsed = Self.cpuNanoseconds() - start
        } while elapsed < limit
        nanoseconds += elapsed
    }

    /// As ``run(for:_:)``, for an asynchronous operation.
    mutating func run(for seconds: Double, _ operation: () async throws -> Void) async rethrows {
        let limit = UInt64(seconds * 1e9)
        let start = Self.cpuNanoseconds()
        var elapsed: UInt64 = 0
        repeat {
            for _ in 0..<32 { try await operation() }
            operations += 32
            elapsed = Self.cpuNanoseconds() - start
        } while elapsed < limit
        nanoseconds += elapsed
    }
}
