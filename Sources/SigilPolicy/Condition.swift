/// One condition of a statement: an operator applied to one key and its values.
///
/// Within a statement every condition must hold; within one condition the policy's values
/// are alternatives (any one may match) and, for a negated operator, the request's value
/// must match none of them.
///
/// A condition that cannot be decided fails closed (see ``Outcome/undecidable``): the
/// request has several values for a single-valued key (spellings that differ only in
/// case), or a value the operator cannot read (an `aws:SourceIp` that is no address, an
/// `aws:CurrentTime` that is no date). Such a condition keeps an Allow statement from
/// applying and lets a Deny statement apply, whatever the operator, negated or not: a
/// value the key holder cannot read must never be what opens a door.
struct Condition: Sendable {
    /// How the request's values of a multivalued key are combined.
    enum SetQualifier: Sendable {
        /// No qualifier: some request value must match (negated: none may).
        case none
        /// `ForAnyValue:`: some request value must satisfy the operator; false when the key is absent.
        case forAnyValue
        /// `ForAllValues:`: every request value must satisfy the operator; true when the key is absent.
        case forAllValues
    }

    /// What kind of value an operator compares, which must suit the key's
    /// ``ConditionKey/ValueType``.
    enum OperatorFamily: Sendable {
        case string, arn, bool, null, ipAddress, date, numeric
    }

    /// The operators without qualifier or `IfExists`.
    enum BaseOperator: String, CaseIterable, Sendable {
        case stringEquals = "StringEquals"
        case stringNotEquals = "StringNotEquals"
        case stringEqualsIgnoreCase = "StringEqualsIgnoreCase"
        case stringNotEqualsIgnoreCase = "StringNotEqualsIgnoreCase"
        case stringLike = "StringLike"
        case stringNotLike = "StringNotLike"
        case bool = "Bool"
        case null = "Null"
        case arnEquals = "ArnEquals"
        case arnNotEquals = "ArnNotEquals"
        case arnLike = "ArnLike"
        case arnNotLike = "ArnNotLike"
        case ipAddress = "IpAddress"
        case notIpAddress = "NotIpAddress"
        case dateEquals = "DateEquals"
        case dateNotEquals = "DateNotEquals"
        case dateLessThan = "DateLessThan"
        case dateLessThanEquals = "DateLessThanEquals"
        case dateGreaterThan = "DateGreaterThan"
        case dateGreaterThanEquals = "DateGreaterThanEquals"
        case numericEquals = "NumericEquals"
        case numericNotEquals = "NumericNotEquals"
        case numericLessThan = "NumericLessThan"
        case numericLessThanEquals = "NumericLessThanEquals"
        case numericGreaterThan = "NumericGreaterThan"
        case numericGreaterThanEquals = "NumericGreaterThanEquals"

        /// A negated operator holds when the request's value matches none of the policy's.
        var isNegated: Bool {
            switch self {
            case .stringNotEquals, .stringNotEqualsIgnoreCase, .stringNotLike, .arnNotEquals, .arnNotLike,
                .notIpAddress, .dateNotEquals, .numericNotEquals:
                true
            default:
                false
            }
        }

        var family: OperatorFamily {
            switch self {
            case .stringEquals, .stringNotEquals, .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase, .stringLike,
                .stringNotLike:
                .string
            case .arnEquals, .arnNotEquals, .arnLike, .arnNotLike: .arn
            case .bool: .bool
            case .null: .null
            case .ipAddress, .notIpAddress: .ipAddress
            case .dateEquals, .dateNotEquals, .dateLessThan, .dateLessThanEquals, .dateGreaterThan, .dateGreaterThanEquals:
                .date
            case .numericEquals, .numericNotEquals, .numericLessThan, .numericLessThanEquals, .numericGreaterThan,
                .numericGreaterThanEquals:
                .numeric
            }
        }

        /// How a `Date…` or `Numeric…` operator orders the request's value against the
        /// policy's (the negated ones as their positive form).
        var comparison: Comparison {
            switch self {
            case .dateLessThan, .numericLessThan: .lessThan
            case .dateLessThanEquals, .numericLessThanEquals: .lessThanOrEqual
            case .dateGreaterThan, .numericGreaterThan: .greaterThan
            case .dateGreaterThanEquals, .numericGreaterThanEquals: .greaterThanOrEqual
            default: .equal
            }
        }
    }

    /// What a single request value is compared with, compiled from the policy's values.
    enum Test: Sendable {
        case equals([String])
        /// Policy values lowercased.
        case equalsIgnoringCase([String])
        case like([WildcardPattern])
        case arn([ARNPattern])
        case bool([Bool])
        /// `true` in the list: the key must be absent; `false`: present.
        case null([Bool])
        case ip([IPRange])
        /// The policy's times as seconds since 1970.
        case date(Comparison, [ExactNumber])
        case numeric(Comparison, [ExactNumber])
    }

    /// How the request's value must compare with one of the policy's.
    enum Comparison: Sendable {
        case equal, lessThan, lessThanOrEqual, greaterThan, greaterThanOrEqual

        func holds(_ value: ExactNumber, _ bound: ExactNumber) -> Bool {
            switch self {
            case .equal: value == bound
            case .lessThan: value < bound
            case .lessThanOrEqual: value <= bound
            case .greaterThan: value > bound
            case .greaterThanOrEqual: value >= bound
            }
        }
    }

    /// What a condition says about one request.
    enum Outcome: Sendable {
        case holds
        case fails
        /// The request gives the key several values where it may have one, or a value the
        /// operator cannot read. The statement decides: an Allow does not apply, a Deny does.
        case undecidable
    }

    /// The operator as written, such as `ForAnyValue:StringLikeIfExists`.
    let operatorName: String
    let qualifier: SetQualifier
    let ifExists: Bool
    let isNegated: Bool
    let key: ConditionKey
    let test: Test
    /// The policy's values as text, for the canonical form.
    let writtenValues: [String]

    /// What the condition says about `request`.
    func outcome(for request: AuthorizationRequest, caller: Caller) -> Outcome {
        let values = key.values(in: request, caller: caller)
        let isAbsent: Bool
        switch values {
        case .conflicting: return .undecidable
        case .absent: isAbsent = true
        case .one, .list: isAbsent = false
        }
        if case .null(let expectations) = test {
            return expectations.contains(isAbsent) ? .holds : .fails
        }
        if isAbsent {
            if ifExists { return .holds }
            switch qualifier {
            case .none: return isNegated ? .holds : .fails
            case .forAnyValue: return .fails
            case .forAllValues: return .holds
            }
        }
        // Whether some request value matches a policy value, and whether every one does.
        var some = false
        var every = true
        func note(_ value: String) -> Bool {
            guard let matched = matches(value) else { return false }
            some = some || matched
            every = every && matched
            return true
        }
        switch values {
        case .one(let value):
            guard note(value) else { return .undecidable }
        case .list(let list):
            for value in list {
                guard note(value) else { return .undecidable }
            }
        case .absent, .conflicting:
            return .undecidable
        }
        let holds =
            switch (qualifier, isNegated) {
            case (.none, false), (.forAnyValue, false): some
            case (.none, true), (.forAllValues, true): !some
            case (.forAnyValue, true): !every
            case (.forAllValues, false): every
            }
        return holds ? .holds : .fails
    }

    /// Whether one request value matches one of the policy's values (ignoring negation);
    /// nil when the value is not of the operator's kind (no address, no date, …).
    private func matches(_ value: String) -> Bool? {
        switch test {
        case .equals(let expected):
            return expected.contains { sameBytes($0, value) }
        case .equalsIgnoringCase(let expected):
            if value.utf8.allSatisfy({ $0 < 0x80 }) {
                return expected.contains { equalsIgnoringASCIICase($0, value) }
            }
            let lowered = value.lowercased()
            return expected.contains { sameBytes($0, lowered) }
        case .like(let patterns):
            return patterns.contains { $0.matches(value) }
        case .arn(let patterns):
            guard ARNPattern.isARN(value) else { return nil }
            return patterns.contains { $0.matches(value) }
        case .bool(let expected):
            guard let actual = parseBool(value) else { return nil }
            return expected.contains(actual)
        case .null:
            return nil
        case .ip(let ranges):
            guard let address = IPAddress(value)?.unmapped else { return nil }
            return ranges.contains { $0.contains(address) }
        case .date(let comparison, let bounds):
            guard let time = parseInstant(value) else { return nil }
            return bounds.contains { comparison.holds(time, $0) }
        case .numeric(let comparison, let bounds):
            guard let number = ExactNumber(decimal: value) else { return nil }
            return bounds.contains { comparison.holds(number, $0) }
        }
    }
}

/// `true` or `false` in any case; nil for anything else.
func parseBool(_ text: String) -> Bool? {
    if equalsIgnoringASCIICase(text, "true") { return true }
    if equalsIgnoringASCIICase(text, "false") { return false }
    return nil
}

@inline(__always)
func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.count == rhs.utf8.count && lhs.utf8.elementsEqual(rhs.utf8)
}

// MARK: - Reading conditions

extension Condition {
    /// Splits an operator name into its qualifier, base operator and `IfExists`.
    static func parseOperator(_ name: String) -> (SetQualifier, BaseOperator, ifExists: Bool)? {
        var rest = Substring(name)
        var qualifier = SetQualifier.none
        if rest.hasPrefix("ForAnyValue:") {
            qualifier = .forAnyValue
            rest = rest.dropFirst("ForAnyValue:".count)
        } else if rest.hasPrefix("ForAllValues:") {
            qualifier = .forAllValues
            rest = rest.dropFirst("ForAllValues:".count)
        }
        var ifExists = false
        if rest.hasSuffix("IfExists") {
            ifExists = true
            rest = rest.dropLast("IfExists".count)
        }
        guard let base = BaseOperator(rawValue: String(rest)) else { return nil }
        if base == .null && (ifExists || qualifier != .none) { return nil }
        return (qualifier, base, ifExists)
    }

    /// Compiles one operator's values for one key.
    ///
    /// - Parameter literalVariables: The document is version 2008-10-17, where `${…}` is
    ///   plain text; in 2012-10-17 it is a policy variable, which Sigil does not support.
    static func compile(
        operatorName: String, key: ConditionKey, values: [String], literalVariables: Bool,
        fail: (String) -> PolicyError
    ) throws(PolicyError) -> Condition {
        guard let (qualifier, base, ifExists) = parseOperator(operatorName) else {
            throw fail("unknown condition operator \"\(operatorName)\"")
        }
        guard key.type.accepts(base.family) else {
            throw fail(
                "condition \(operatorName) cannot test \"\(key.written)\", whose value is \(key.type.explanation)")
        }
        guard !values.isEmpty else {
            throw fail("condition \(operatorName) on \"\(key.written)\" has no values")
        }
        if !literalVariables, let variable = values.first(where: { $0.contains("${") }) {
            throw fail("condition \(operatorName) on \"\(key.written)\": policy variables are not supported (\"\(variable)\")")
        }
        /// Reads every policy value with `parse`, naming the first that does not read.
        func each<T>(_ what: String, _ parse: (String) -> T?) throws(PolicyError) -> [T] {
            var parsed: [T] = []
            for value in values {
                guard let item = parse(value) else {
                    throw fail("condition \(operatorName) on \"\(key.written)\": \"\(value)\" is not \(what)")
                }
                parsed.append(item)
            }
            return parsed
        }
        let test: Test
        switch base {
        case .stringEquals, .stringNotEquals:
            test = .equals(values)
        case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase:
            test = .equalsIgnoringCase(values.map { $0.lowercased() })
        case .stringLike, .stringNotLike:
            test = .like(values.map { WildcardPattern($0) })
        case .arnEquals, .arnNotEquals, .arnLike, .arnNotLike:
            test = .arn(try each("an ARN", ARNPattern.init))
        case .bool:
            test = .bool(try each("true or false", parseBool))
        case .null:
            test = .null(try each("true or false", parseBool))
        case .ipAddress, .notIpAddress:
            test = .ip(try each("an IP address or CIDR block", IPRange.init))
        case .dateEquals, .dateNotEquals, .dateLessThan, .dateLessThanEquals, .dateGreaterThan, .dateGreaterThanEquals:
            test = .date(base.comparison, try each("an ISO 8601 date or epoch seconds", parseInstant))
        case .numericEquals, .numericNotEquals, .numericLessThan, .numericLessThanEquals, .numericGreaterThan,
            .numericGreaterThanEquals:
            test = .numeric(base.comparison, try each("a decimal number", { ExactNumber(decimal: $0) }))
        }
        return Condition(
            operatorName: operatorName, qualifier: qualifier, ifExists: ifExists, isNegated: base.isNegated,
            key: key, test: test, writtenValues: values)
    }
}
