import SigilPolicy
import Testing

/// The `Numeric…` and `Date…` operators at their boundaries, and the forms of number and
/// time they read.
@Suite struct NumericAndDateOperatorTests {
    typealias F = Fixture

    /// Whether an Allow under `operatorName` on `key` with `policyValue` (JSON) applies
    /// to a request whose `key` is `requestValue`.
    func holds(_ operatorName: String, _ key: String, _ policyValue: String, _ requestValue: String) throws -> Bool {
        try F.decide(.allow, #"{"\#(operatorName)": {"\#(key)": \#(policyValue)}}"#, [key: [requestValue]]) == .allow
    }

    /// Each numeric operator against 1796513454, for the request values just below, at
    /// and just above it: what it answers.
    @Test(arguments: [
        ("NumericEquals", [false, true, false]),
        ("NumericNotEquals", [true, false, true]),
        ("NumericLessThan", [true, false, false]),
        ("NumericLessThanEquals", [true, true, false]),
        ("NumericGreaterThan", [false, false, true]),
        ("NumericGreaterThanEquals", [false, true, true]),
    ])
    func numericOperatorsAtTheBoundary(_ name: String, _ expected: [Bool]) throws {
        let requests = ["1796513453", "1796513454", "1796513455"]
        for (request, answer) in zip(requests, expected) {
            #expect(try holds(name, "aws:EpochTime", "1796513454", request) == answer, "\(name) at \(request)")
            // A policy value written as a JSON string reads the same as a JSON number.
            #expect(try holds(name, "aws:EpochTime", #""1796513454""#, request) == answer, "\(name) at \(request)")
        }
    }

    @Test(arguments: [
        // policy value, request value, NumericLessThan holds
        ("1796513454.5", "1796513454", true),
        ("1796513454.5", "1796513455", false),
        ("1796513454.000000000001", "1796513454", true),
        ("9007199254740993", "9007199254740992", true),
        ("-1.5", "0", false),
        ("-1.25", "-2", true),
        ("-1.25", "-1", false),
        ("0", "-0", false),
        ("10", "9", true),
        ("007", "6", true),
    ])
    func numbersCompareExactly(_ policy: String, _ request: String, _ lessThan: Bool) throws {
        #expect(try holds("NumericLessThan", "aws:EpochTime", #""\#(policy)""#, request) == lessThan)
    }

    @Test func numericOperatorsTakeIfExistsAndSetQualifiers() throws {
        #expect(try F.decide(.allow, #"{"NumericLessThanIfExists": {"aws:EpochTime": 5}}"#, [:]) == .allow)
        #expect(try F.decide(.allow, #"{"NumericLessThan": {"aws:EpochTime": 5}}"#, [:]) == .implicitDeny)
        #expect(try F.decide(.allow, #"{"NumericNotEqualsIfExists": {"aws:EpochTime": 5}}"#, ["aws:EpochTime": ["5"]]) == .implicitDeny)
        #expect(try F.decide(.allow, #"{"ForAnyValue:NumericEquals": {"aws:EpochTime": [4, 5]}}"#, ["aws:EpochTime": ["5"]]) == .allow)
        #expect(try F.decide(.allow, #"{"ForAllValues:NumericGreaterThan": {"aws:EpochTime": 5}}"#, [:]) == .allow)
        #expect(try F.decide(.allow, #"{"ForAnyValue:NumericGreaterThan": {"aws:EpochTime": 5}}"#, [:]) == .implicitDeny)
        #expect(try F.decide(.deny, #"{"NumericGreaterThanIfExists": {"aws:EpochTime": 5}}"#, [:]) == .explicitDeny)
    }

    @Test(arguments: ["1e3", "1E3", "+1", ".5", "1.", "1,5", " 1", "0x10", "", "one", "99999999999999999999"])
    func refusesPolicyValuesThatAreNotDecimalNumbers(_ value: String) {
        let error = F.conditionError(#"{"NumericLessThan": {"aws:EpochTime": "\#(value)"}}"#)
        #expect(error?.code == .invalidCondition)
        #expect(error?.message.contains(#""\#(value)" is not a decimal number"#) == true, "\(error?.message ?? "no error")")
    }

    /// Each date operator against 2026-12-05T23:30:54Z, for the times one second before,
    /// at and one second after it.
    @Test(arguments: [
        ("DateEquals", [false, true, false]),
        ("DateNotEquals", [true, false, true]),
        ("DateLessThan", [true, false, false]),
        ("DateLessThanEquals", [true, true, false]),
        ("DateGreaterThan", [false, false, true]),
        ("DateGreaterThanEquals", [false, true, true]),
    ])
    func dateOperatorsAtTheBoundary(_ name: String, _ expected: [Bool]) throws {
        let times = ["2026-12-05T23:30:53Z", "2026-12-05T23:30:54Z", "2026-12-05T23:30:55Z"]
        let epochs = ["1796513453", "1796513454", "1796513455"]
        // The same instant, every way a policy may write it.
        let bounds = [
            #""2026-12-05T23:30:54Z""#, #""2026-12-05T23:30:54.000Z""#, "1796513454", #""1796513454""#,
            #""2026-12-06T05:00:54+05:30""#, #""2026-12-06T05:00:54+0530""#, #""2026-12-05T18:30:54-05""#,
        ]
        for bound in bounds {
            for (index, answer) in expected.enumerated() {
                #expect(try holds(name, "aws:CurrentTime", bound, times[index]) == answer, "\(name) \(bound) at \(times[index])")
                #expect(try holds(name, "aws:EpochTime", bound, epochs[index]) == answer, "\(name) \(bound) at \(epochs[index])")
            }
        }
    }

    @Test(arguments: [
        // policy bound, request time, DateLessThan holds
        (#""2026-12-05T23:30:54.5Z""#, "2026-12-05T23:30:54Z", true),
        (#""2026-12-05T23:30:54.0000000001Z""#, "2026-12-05T23:30:54Z", true),
        (#""2026-12-05T23:30:53.999999999Z""#, "2026-12-05T23:30:54Z", false),
        (#""1796513454.25""#, "2026-12-05T23:30:54Z", true),
        (#""2026-12-06""#, "2026-12-05T23:59:59Z", true),
        (#""2026-12-06""#, "2026-12-06T00:00:00Z", false),
        (#""2026-12-05T23:31Z""#, "2026-12-05T23:30:59Z", true),
        (#""1969-12-31T23:59:59.5Z""#, "1969-12-31T23:59:59Z", true),
        (#""2028-02-29T00:00:00Z""#, "2028-02-28T23:59:59Z", true),
    ])
    func datesCompareExactly(_ bound: String, _ now: String, _ lessThan: Bool) throws {
        #expect(try holds("DateLessThan", "aws:CurrentTime", bound, now) == lessThan)
    }

    @Test(arguments: [
        "2026-12-05T23:30:54", "2026-13-01", "2026-02-29", "2026-12-05T24:00:00Z", "2026-12-05T23:60:00Z",
        "2026-12-05T23:30:60Z", "2026-12-05 23:30:54Z", "2026-12-05T23:30:54.Z", "2026-12-05T23:30:54+05:", "2026-12-05T23:30:54+5",
        "yesterday", "", "1234567890123", "-5", "1796513454Z",
    ])
    func refusesPolicyValuesThatAreNotTimes(_ value: String) {
        let error = F.conditionError(#"{"DateLessThan": {"aws:CurrentTime": "\#(value)"}}"#)
        #expect(error?.code == .invalidCondition)
        #expect(error?.message.contains(#""\#(value)" is not an ISO 8601 date or epoch seconds"#) == true, "\(error?.message ?? "none")")
    }
}
