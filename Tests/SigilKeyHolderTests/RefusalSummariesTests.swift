import Foundation
@testable import SigilKeyHolder
import SigilKeyStore
import Testing

/// The bounds on what refusals before authentication may write to the audit log.
@Suite("Refusals before authentication: recorded a few at a time, the rest counted")
struct RefusalSummariesTests {
    /// A time at the start of a window.
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    func admissions(_ refusals: RefusalSummaries, from source: String?, count: Int, at time: Date = start) -> [RefusalSummaries.Admission] {
        (0..<count).map { _ in refusals.admit(source: source, at: time).admission }
    }

    @Test("the first few per source and window are recorded, the rest counted; other sources have their own")
    func perSourceLimit() {
        let refusals = RefusalSummaries(limits: .init(interval: 60, perSource: 3, perWindow: 100, sources: 10))
        #expect(
            admissions(refusals, from: "192.0.2.1", count: 5)
                == [.recordIndividually, .recordIndividually, .recordIndividually, .counted(opensSummary: true),
                    .counted(opensSummary: false)])
        #expect(admissions(refusals, from: "192.0.2.2", count: 4).filter { $0 == .recordIndividually }.count == 3)
    }

    @Test("all sources together record no more than the window's budget")
    func perWindowLimit() {
        let refusals = RefusalSummaries(limits: .init(interval: 60, perSource: 3, perWindow: 5, sources: 100))
        let recorded = (0..<20).flatMap { admissions(refusals, from: "192.0.2.\($0)", count: 3) }
            .filter { $0 == .recordIndividually }
        #expect(recorded.count == 5)
    }

    @Test("a window's counts become one summary per source when it ends, handed out once")
    func summariesAtTheEndOfAWindow() {
        let refusals = RefusalSummaries(limits: .init(interval: 60, perSource: 2, perWindow: 100, sources: 10))
        _ = admissions(refusals, from: "192.0.2.1", count: 9)
        _ = admissions(refusals, from: nil, count: 3)
        _ = admissions(refusals, from: "192.0.2.2", count: 2)
        #expect(refusals.endedSummaries(at: Self.start.addingTimeInterval(59)).isEmpty)

        let summaries = refusals.endedSummaries(at: Self.start.addingTimeInterval(60))
        let end = Self.start.addingTimeInterval(60)
        #expect(
            summaries == [
                .init(source: nil, isOverflow: false, count: 1, start: Self.start, end: end),
                .init(source: "192.0.2.1", isOverflow: false, count: 7, start: Self.start, end: end),
            ])
        #expect(refusals.endedSummaries(at: Self.start.addingTimeInterval(61)).isEmpty)
        // A new window: the source may be recorded again.
        #expect(admissions(refusals, from: "192.0.2.1", count: 1, at: end) == [.recordIndividually])
    }

    @Test("the first refusal of a new window hands out the last window's summaries")
    func admitRollsOver() {
        let refusals = RefusalSummaries(limits: .init(interval: 60, perSource: 0, perWindow: 100, sources: 10))
        _ = admissions(refusals, from: "192.0.2.1", count: 4)
        let (admission, ended) = refusals.admit(source: "198.51.100.7", at: Self.start.addingTimeInterval(600))
        #expect(admission == .counted(opensSummary: true))
        #expect(ended.map(\.count) == [4])
        #expect(refusals.endOfWindow(at: Self.start.addingTimeInterval(601)) == Self.start.addingTimeInterval(660))
    }

    @Test("many addresses cannot grow the table: past its size they share one summary")
    func boundedTable() {
        let refusals = RefusalSummaries(limits: .init(interval: 60, perSource: 1, perWindow: 100, sources: 10))
        for index in 0..<100_000 {
            _ = refusals.admit(source: "2001:db8::\(String(index, radix: 16))", at: Self.start)
        }
        let summaries = refusals.endedSummaries(at: Self.start.addingTimeInterval(60))
        // Ten tracked addresses, each recorded once and never counted; everyone else, together.
        #expect(summaries.count == 1)
        #expect(summaries.first?.isOverflow == true)
        #expect(summaries.first?.count == 100_000 - 10)
        #expect(summaries.first?.event(requestID: "r", region: "us-east-1", account: "111122223333", now: Self.start).errorMessage?.hasPrefix("99990 requests") == true)
    }
}
