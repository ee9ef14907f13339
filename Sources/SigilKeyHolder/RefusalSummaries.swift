import Foundation
import SigilKeyStore
import SigilCrypto
import Synchronization

/// Which requests refused before authentication the audit log records one by one, and
/// a count of the rest, so that an anonymous client cannot grow the log at will.
///
/// Time is cut into fixed windows of ``Limits/interval``. In each window the first
/// ``Limits/perSource`` refusals from one source address are recorded individually, and
/// no more than ``Limits/perWindow`` from all sources together; the others are only
/// counted, and when the window ends each source's count becomes one summary event.
/// The table of sources holds at most ``Limits/sources`` addresses per window; refusals
/// from addresses past that are counted together, as one more summary. So a window
/// costs at most `perWindow + sources + 1` events and a bounded amount of memory,
/// however many requests or addresses an attacker has.
///
/// Requests that name a valid caller are not counted here: each keeps its own event.
final class RefusalSummaries: Sendable {
    /// The bounds.
    struct Limits: Sendable {
        /// The length of a window, in seconds.
        var interval: TimeInterval = 60
        /// Refusals recorded individually per source and window.
        var perSource = 5
        /// Refusals recorded individually per window, all sources together.
        var perWindow = 200
        /// The most source addresses tracked per window.
        var sources = 1024
    }

    /// What became of one refusal.
    enum Admission: Equatable {
        /// Record it as an event of its own.
        case recordIndividually
        /// It was counted for its window's summary; `opensSummary` when it is the first
        /// counted refusal of the window (someone should then see that the window's
        /// summaries get written when it ends).
        case counted(opensSummary: Bool)
    }

    /// The refusals from one source (or from the sources past the table's size) that a
    /// window counted but did not record.
    struct Summary: Sendable, Equatable {
        /// The source address; `nil` for an unknown address or for ``isOverflow``.
        var source: String?
        /// Whether this counts the sources the table had no room for.
        var isOverflow: Bool
        /// How many refusals were counted.
        var count: Int
        /// The window.
        var start: Date
        var end: Date
    }

    private struct Tally {
        var recorded = 0
        var counted = 0
    }

    private struct State {
        var window: Int64 = .min
        /// By source address; "" for an unknown one.
        var tallies: [String: Tally] = [:]
        var overflow = 0
        var recorded = 0
        var counted = 0
    }

    let limits: Limits
    private let state = Locked(State())
    /// The window whose counts await their summary, or `Int64.max` when none do: read
    /// without the lock on every request, to see cheaply whether a window has ended.
    private let windowAwaitingSummary = Atomic<Int64>(.max)

    init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Decides what becomes of a refusal from `source` at `now`.
    ///
    /// - Returns: The admission, and the summaries of the window that ended, if this
    ///   refusal is the first of a new one.
    func admit(source: String?, at now: Date) -> (admission: Admission, ended: [Summary]) {
        let window = self.window(of: now)
        return state.withLock { state in
            let ended = rollOver(&state, to: window)
            let key = source ?? ""
            let known = state.tallies[key] != nil
            guard known || state.tallies.count < limits.sources else {
                state.overflow += 1
                return (count(&state), ended)
            }
            var tally = state.tallies[key] ?? Tally()
            let admission: Admission
            if tally.recorded < limits.perSource && state.recorded < limits.perWindow {
                tally.recorded += 1
                state.recorded += 1
                admission = .recordIndividually
            } else {
                tally.counted += 1
                admission = count(&state)
            }
            state.tallies[key] = tally
            return (admission, ended)
        }
    }

    /// The summaries of windows that ended by `now`, each handed out once.
    ///
    /// Cheap when nothing awaits a summary: one atomic load.
    func endedSummaries(at now: Date) -> [Summary] {
        let window = self.window(of: now)
        guard window > windowAwaitingSummary.load(ordering: .relaxed) else { return [] }
        return state.withLock { rollOver(&$0, to: window) }
    }

    /// When the window holding `now` ends.
    func endOfWindow(at now: Date) -> Date {
        Date(timeIntervalSince1970: Double(window(of: now) + 1) * limits.interval)
    }

    private func window(of date: Date) -> Int64 {
        let index = (date.timeIntervalSince1970 / limits.interval).rounded(.down)
        guard index.isFinite, index > Double(Int64.min / 2), index < Double(Int64.max / 2) else { return 0 }
        return Int64(index)
    }

    private func count(_ state: inout State) -> Admission {
        state.counted += 1
        guard state.counted == 1 else { return .counted(opensSummary: false) }
        windowAwaitingSummary.store(state.window, ordering: .relaxed)
        return .counted(opensSummary: true)
    }

    /// Starts `window` if it is not the current one, returning the summaries of the one
    /// it replaces.
    private func rollOver(_ state: inout State, to window: Int64) -> [Summary] {
        guard window != state.window else { return [] }
        var summaries: [Summary] = []
        if state.counted > 0 {
            let start = Date(timeIntervalSince1970: Double(state.window) * limits.interval)
            let end = start.addingTimeInterval(limits.interval)
            for (source, tally) in state.tallies where tally.counted > 0 {
                summaries.append(
                    Summary(source: source.isEmpty ? nil : source, isOverflow: false, count: tally.counted, start: start, end: end))
            }
            summaries.sort { ($0.source ?? "") < ($1.source ?? "") }
            if state.overflow > 0 {
                summaries.append(Summary(source: nil, isOverflow: true, count: state.overflow, start: start, end: end))
            }
        }
        state = State()
        state.window = window
        windowAwaitingSummary.store(.max, ordering: .relaxed)
        return summaries
    }
}

extension RefusalSummaries.Summary {
    /// The operation name summary events carry.
    static let operation = "RefusedBeforeAuthentication"

    /// The summary as an audit event: the count leads its message.
    func event(requestID: String, region: String, account: String, now: Date) -> AuditEvent {
        let window = "between \(start.formatted(.iso8601)) and \(end.formatted(.iso8601))"
        let message: String
        if isOverflow {
            message = "\(count) requests refused before authentication \(window), from addresses past the most "
                + "tracked at once, are counted here rather than recorded one by one"
        } else {
            message = "\(count) more requests from \(source ?? "an unknown address") refused before authentication "
                + "\(window) are counted here rather than recorded one by one"
        }
        return AuditEvent(
            time: now, requestID: requestID, region: region, account: account, sourceAddress: source,
            operation: Self.operation, outcome: .denied, errorMessage: message)
    }
}
