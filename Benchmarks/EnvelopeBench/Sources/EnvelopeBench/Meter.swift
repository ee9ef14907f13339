import Dispatch

/// Operations and time accumulated by one contender over several slices, so that the
/// contenders can take turns (a, b, c, a, b, c, …) and share whatever the machine's
/// background load does during the run.
struct Meter {
    private(set) var operations = 0
    private(set) var nanoseconds: UInt64 = 0

    /// Operations per second over every slice so far.
    var rate: Double { nanoseconds == 0 ? 0 : Double(operations) / (Double(nanoseconds) / 1e9) }

    /// Runs `operation` in batches of 32 until `seconds` have passed, and adds the count and
    /// the time taken. The clock is read once per batch, not once per operation.
    mutating func run(for seconds: Double, _ operation: () throws -> Void) rethrows {
        let limit = UInt64(seconds * 1e9)
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed: UInt64 = 0
        repeat {
            for _ in 0..<32 { try operation() }
            operations += 32
            elapsed = DispatchTime.now().uptimeNanoseconds - start
        } while elapsed < limit
        nanoseconds += elapsed
    }

    /// As ``run(for:_:)``, for an asynchronous operation.
    mutating func run(for seconds: Double, _ operation: () async throws -> Void) async rethrows {
        let limit = UInt64(seconds * 1e9)
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed: UInt64 = 0
        repeat {
            for _ in 0..<32 { try await operation() }
            operations += 32
            elapsed = DispatchTime.now().uptimeNanoseconds - start
        } while elapsed < limit
        nanoseconds += elapsed
    }
}
