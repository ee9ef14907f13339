import SigilPolicy
import Testing

/// A condition the request cannot decide — a single-valued key with several values (two
/// spellings that differ only in case, or a list), or a value its operator cannot read —
/// keeps an Allow from applying and makes a Deny apply, whatever the operator.
@Suite struct UndecidableConditionTests {
    typealias F = Fixture

    /// The smuggling context: the service sees two keys, a case-insensitive reader one.
    static let twoSpellings: [String: [String]] = [
        "kms:EncryptionContext:tenant": ["blue"], "kms:EncryptionContext:Tenant": ["red"],
        "kms:EncryptionContextKeys": ["Tenant", "tenant"],
    ]

    /// Every operator shape on the tenant key, so that none of them lets the other
    /// spelling's value through (or keeps a Deny from seeing it).
    static let tenantConditions = [
        #"{"StringEquals": {"kms:EncryptionContext:tenant": "blue"}}"#,
        #"{"StringEquals": {"kms:EncryptionContext:Tenant": "red"}}"#,
        #"{"StringEquals": {"kms:EncryptionContext:tenant": "green"}}"#,
        #"{"StringNotEquals": {"kms:EncryptionContext:tenant": "blue"}}"#,
        #"{"StringNotEquals": {"kms:EncryptionContext:tenant": "green"}}"#,
        #"{"StringEqualsIgnoreCase": {"kms:EncryptionContext:TENANT": "BLUE"}}"#,
        #"{"StringLike": {"kms:EncryptionContext:tenant": "*"}}"#,
        #"{"StringNotLike": {"kms:EncryptionContext:tenant": "r*"}}"#,
        #"{"StringEqualsIfExists": {"kms:EncryptionContext:tenant": "blue"}}"#,
        #"{"StringNotEqualsIfExists": {"kms:EncryptionContext:tenant": "red"}}"#,
        #"{"ForAnyValue:StringEquals": {"kms:EncryptionContext:tenant": "blue"}}"#,
        #"{"ForAllValues:StringEquals": {"kms:EncryptionContext:tenant": ["blue", "red"]}}"#,
        #"{"ForAllValues:StringNotEquals": {"kms:EncryptionContext:tenant": "green"}}"#,
        #"{"ArnNotLike": {"kms:EncryptionContext:tenant": "arn:aws:*:*:*:*"}}"#,
        #"{"Null": {"kms:EncryptionContext:tenant": "false"}}"#,
    ]

    @Test(arguments: tenantConditions)
    func spellingsThatDifferOnlyInCaseFailClosed(_ condition: String) throws {
        #expect(try F.decide(.allow, condition, Self.twoSpellings) == .implicitDeny)
        #expect(try F.decide(.deny, condition, Self.twoSpellings) == .explicitDeny)
    }

    @Test func eitherSpellingAloneIsDecidedNormally() throws {
        let condition = #"{"StringEquals": {"kms:EncryptionContext:tenant": "blue"}}"#
        #expect(try F.decide(.allow, condition, ["kms:EncryptionContext:Tenant": ["blue"]]) == .allow)
        #expect(try F.decide(.allow, condition, ["kms:EncryptionContext:tenant": ["red"]]) == .implicitDeny)
        #expect(try F.decide(.deny, condition, ["kms:EncryptionContext:TENANT": ["red"]]) == .allow)
    }

    @Test func anUndecidableConditionDoesNotOverrideAConditionThatFails() throws {
        // The Deny is about Sign requests only; an unreadable tenant does not widen it.
        let condition = """
            {"StringEquals": {"kms:EncryptionContext:tenant": "red", "kms:SigningAlgorithm": "ECDSA_SHA_256"}}
            """
        #expect(try F.decide(.deny, condition, Self.twoSpellings) == .allow)
        var signing = Self.twoSpellings
        signing["kms:SigningAlgorithm"] = ["ECDSA_SHA_256"]
        #expect(try F.decide(.deny, condition, signing) == .explicitDeny)
    }

    @Test func theMultivaluedKeyKeepsItsSetSemantics() throws {
        let spelledTwice = ["kms:EncryptionContextKeys": ["tenant"], "kms:encryptioncontextkeys": ["Tenant"]]
        #expect(try F.decide(.allow, #"{"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "Tenant"}}"#, spelledTwice) == .allow)
        #expect(
            try F.decide(.allow, #"{"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": "tenant"}}"#, spelledTwice)
                == .implicitDeny)
        #expect(
            try F.decide(.allow, #"{"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["tenant", "Tenant"]}}"#, spelledTwice)
                == .allow)
        #expect(try F.decide(.deny, #"{"StringEquals": {"kms:EncryptionContextKeys": "Tenant"}}"#, spelledTwice) == .explicitDeny)
        #expect(try F.decide(.deny, #"{"StringEquals": {"kms:EncryptionContextKeys": "owner"}}"#, spelledTwice) == .allow)
    }

    @Test(arguments: [
        (#"{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}"#, "aws:SourceIp", "203.0.113.7", "2001:db8::1"),
        (#"{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#, "aws:SourceIp", "203.0.113.7", "10.1.2.3"),
        (#"{"Bool": {"aws:SecureTransport": "true"}}"#, "aws:SecureTransport", "true", "false"),
        (#"{"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}"#, "aws:CurrentTime", "2026-12-05T23:30:54Z",
         "2031-01-01T00:00:00Z"),
        (#"{"NumericGreaterThan": {"aws:EpochTime": "1"}}"#, "aws:EpochTime", "1796513454", "1"),
        (#"{"StringEquals": {"aws:RequestedRegion": "us-east-1"}}"#, "aws:RequestedRegion", "us-east-1", "eu-west-1"),
        (#"{"ForAnyValue:StringEquals": {"aws:RequestedRegion": "us-east-1"}}"#, "aws:RequestedRegion", "us-east-1", "eu-west-1"),
    ])
    func aSingleValuedKeyWithTwoValuesFailsClosed(_ condition: String, _ key: String, _ holding: String, _ failing: String) throws {
        #expect(try F.decide(.allow, condition, [key: [holding]]) == .allow)
        #expect(try F.decide(.deny, condition, [key: [holding]]) == .explicitDeny)
        #expect(try F.decide(.allow, condition, [key: [failing]]) == .implicitDeny)
        #expect(try F.decide(.deny, condition, [key: [failing]]) == .allow)
        for both in [[holding, failing], [failing, holding]] {
            #expect(try F.decide(.allow, condition, [key: both]) == .implicitDeny)
            #expect(try F.decide(.deny, condition, [key: both]) == .explicitDeny)
        }
    }

    @Test(arguments: [
        ("aws:SourceIp", "not-an-address"), ("aws:SourceIp", "10.1.2"), ("aws:SourceIp", "fe80::1%eth0"),
        ("aws:SourceIp", "010.1.2.3"), ("aws:SourceIp", ""),
        ("aws:SecureTransport", "yes"), ("aws:CurrentTime", "yesterday"), ("aws:CurrentTime", "2026-12-05T23:30:54"),
        ("aws:EpochTime", "soon"), ("aws:EpochTime", "1.7e9"),
    ])
    func aRequestValueTheOperatorCannotReadFailsClosed(_ key: String, _ value: String) throws {
        let conditions: [String] =
            switch key {
            case "aws:SourceIp": ["IpAddress", "NotIpAddress", "IpAddressIfExists", "NotIpAddressIfExists"].map {
                #"{"\#($0)": {"aws:SourceIp": ["0.0.0.0/0", "::/0"]}}"#
            }
            case "aws:SecureTransport": ["Bool", "BoolIfExists"].flatMap { name in
                ["true", "false"].map { #"{"\#(name)": {"aws:SecureTransport": \#($0)}}"# }
            }
            case "aws:CurrentTime": ["DateLessThan", "DateGreaterThanEquals", "DateNotEquals", "ForAnyValue:DateEquals"].map {
                #"{"\#($0)": {"aws:CurrentTime": "2026-12-05T23:30:54Z"}}"#
            }
            default: ["NumericLessThan", "NumericGreaterThanEquals", "NumericNotEquals", "DateLessThan"].map {
                #"{"\#($0)": {"aws:EpochTime": "1796513454"}}"#
            }
            }
        let context = [key: [value]]
        for condition in conditions {
            #expect(try F.decide(.allow, condition, context) == .implicitDeny, "\(condition)")
            #expect(try F.decide(.deny, condition, context) == .explicitDeny, "\(condition)")
        }
    }

    @Test func anUnreadableARNFailsClosed() throws {
        let context = ["kms:EncryptionContext:aws:s3:arn": ["bucket-without-arn"]]
        let notLike = #"{"ArnNotLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::secret-*"}}"#
        #expect(try F.decide(.allow, notLike, context) == .implicitDeny)
        #expect(try F.decide(.deny, #"{"ArnLike": {"kms:EncryptionContext:aws:s3:arn": "*"}}"#, context) == .explicitDeny)
        let arn = ["kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::public-bucket"]]
        #expect(try F.decide(.allow, notLike, arn) == .allow)
    }

    @Test func aKeyPolicyAndAnIdentityPolicyBothFailClosed() throws {
        let keyPolicy = try F.keyPolicy(
            F.document(
                #"{"Effect": "Allow", "Principal": {"AWS": "\#(F.userA)"}, "Action": "kms:Decrypt", "Resource": "*", "#
                    + #""Condition": {"StringEquals": {"kms:EncryptionContext:tenant": "blue"}}}"#))
        let request = F.request(F.userA, "kms:Decrypt", context: Self.twoSpellings)
        #expect(KMSAuthorizer.authorize(keyPolicy: keyPolicy, keyAccount: F.accountA, identityPolicies: [], request: request) == .implicitDeny)
        let blue = F.request(F.userA, "kms:Decrypt", context: ["kms:EncryptionContext:tenant": ["blue"]])
        #expect(KMSAuthorizer.authorize(keyPolicy: keyPolicy, keyAccount: F.accountA, identityPolicies: [], request: blue) == .allow)
    }
}
