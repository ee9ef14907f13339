import SigilPolicy
import Testing

/// Each key the key holder supplies, in the spelling and format it supplies it, tested
/// by Allow and Deny statements, with and without `IfExists`, present and absent.
@Suite struct SuppliedConditionKeyTests {
    typealias F = Fixture

    /// A condition on one key, a request value that satisfies the operator's test, and
    /// one that does not.
    struct KeyCase: Sendable, CustomTestStringConvertible {
        let key: String
        let operatorName: String
        /// The policy's values, as JSON.
        let policyValues: String
        /// A request value that matches the policy's values.
        let matching: String
        /// A request value that does not.
        let other: String

        init(_ key: String, _ operatorName: String, _ policyValues: String, _ matching: String, _ other: String) {
            self.key = key
            self.operatorName = operatorName
            self.policyValues = policyValues
            self.matching = matching
            self.other = other
        }

        var isNegated: Bool { operatorName.hasPrefix("Not") || operatorName.contains("NotEquals") }
        var testDescription: String { "\(operatorName) \(key) \(policyValues)" }
    }

    static let cases: [KeyCase] = [
        KeyCase("aws:SecureTransport", "Bool", #""true""#, "true", "false"),
        KeyCase("aws:SecureTransport", "Bool", "false", "false", "true"),
        KeyCase("aws:SourceIp", "IpAddress", #""203.0.113.0/24""#, "203.0.113.7", "198.51.100.7"),
        KeyCase("aws:SourceIp", "IpAddress", #""2001:db8::/32""#, "2001:db8::1", "2001:db9::1"),
        KeyCase("aws:SourceIp", "IpAddress", #""10.0.0.0/8""#, "::ffff:10.1.2.3", "::ffff:11.1.2.3"),
        KeyCase("aws:SourceIp", "NotIpAddress", #"["10.0.0.0/8", "2001:db8::/32"]"#, "2001:db8::1", "203.0.113.7"),
        KeyCase("aws:CurrentTime", "DateLessThan", #""2027-01-01T00:00:00Z""#, "2026-12-05T23:30:54Z", "2027-01-01T00:00:00Z"),
        KeyCase("aws:CurrentTime", "DateGreaterThanEquals", "1796513454", "2026-12-05T23:30:54Z", "2026-12-05T23:30:53Z"),
        KeyCase("aws:CurrentTime", "DateNotEquals", #""2026-12-05T23:30:54Z""#, "2026-12-05T23:30:54Z", "2026-12-05T23:30:55Z"),
        KeyCase("aws:EpochTime", "NumericLessThan", "1796513455", "1796513454", "1796513455"),
        KeyCase("aws:EpochTime", "NumericNotEquals", #""1796513454""#, "1796513454", "1796513455"),
        KeyCase("aws:EpochTime", "DateLessThan", #""2026-12-05T23:30:55Z""#, "1796513454", "1796513455"),
        KeyCase("aws:EpochTime", "DateGreaterThan", #""2026-12-05""#, "1796513454", "1796428800"),
        KeyCase("aws:RequestedRegion", "StringEquals", #""us-east-1""#, "us-east-1", "eu-west-1"),
        KeyCase("aws:RequestedRegion", "StringNotEquals", #"["us-east-1", "us-west-2"]"#, "us-west-2", "eu-west-1"),
        KeyCase("aws:userid", "StringEquals", #""AIDAJQABLZS4A3QDU576Q""#, "AIDAJQABLZS4A3QDU576Q", "AIDAOTHER"),
        KeyCase("aws:userid", "StringLike", #""AIDA*""#, "AIDAJQABLZS4A3QDU576Q", "111122223333"),
        KeyCase("kms:DataKeyPairSpec", "StringEquals", #""RSA_2048""#, "RSA_2048", "ECC_NIST_P256"),
        KeyCase("kms:ReEncryptOnSameKey", "Bool", "true", "true", "false"),
    ]

    @Test(arguments: cases, [false, true])
    func eachKeyDecidesAllowAndDenyStatements(_ testCase: KeyCase, _ ifExists: Bool) throws {
        let operatorName = testCase.operatorName + (ifExists ? "IfExists" : "")
        let condition = #"{"\#(operatorName)": {"\#(testCase.key)": \#(testCase.policyValues)}}"#
        for effect in F.Effect.allCases {
            let matching = try F.decide(effect, condition, [testCase.key: [testCase.matching]])
            #expect(matching == effect.decision(applies: !testCase.isNegated), "\(effect) \(operatorName), matching value")
            let other = try F.decide(effect, condition, [testCase.key: [testCase.other]])
            #expect(other == effect.decision(applies: testCase.isNegated), "\(effect) \(operatorName), other value")
            // An absent key satisfies IfExists and the negated operators, nothing else.
            let absent = try F.decide(effect, condition, [:])
            #expect(absent == effect.decision(applies: ifExists || testCase.isNegated), "\(effect) \(operatorName), absent")
        }
    }

    @Test func standardStatementsFireOnTheSuppliedKeys() throws {
        let supplied: [String: [String]] = [
            "aws:SecureTransport": ["false"], "aws:SourceIp": ["198.51.100.7"], "aws:CurrentTime": ["2026-12-05T23:30:54Z"],
            "aws:EpochTime": ["1796513454"], "aws:RequestedRegion": ["us-east-1"], "aws:userid": ["111122223333"],
        ]
        // "Deny unless TLS", "Deny from outside these networks", "Deny after this date".
        let denials = [
            #"{"Bool": {"aws:SecureTransport": "false"}}"#,
            #"{"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}}"#,
            #"{"DateGreaterThan": {"aws:CurrentTime": "2026-12-01T00:00:00Z"}}"#,
            #"{"NumericGreaterThan": {"aws:EpochTime": 1796000000}}"#,
            #"{"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}"#,
        ]
        for condition in denials {
            #expect(try F.decide(.deny, condition, supplied) == .explicitDeny, "\(condition)")
        }
        var trusted = supplied
        trusted["aws:SecureTransport"] = ["true"]
        trusted["aws:SourceIp"] = ["::ffff:10.20.30.40"]
        #expect(try F.decide(.deny, denials[0], trusted) == .allow)
        #expect(try F.decide(.deny, denials[1], trusted) == .allow)
    }

    @Test func aKeyPolicyDenyUnlessTLSHoldsThroughTheAuthorizer() throws {
        let keyPolicy = try F.keyPolicy(
            F.document(
                #"{"Effect": "Allow", "Principal": {"AWS": "\#(F.rootA)"}, "Action": "kms:*", "Resource": "*"}"#,
                #"{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*", "#
                    + #""Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#))
        func decide(_ transport: String) -> Decision {
            KMSAuthorizer.authorize(
                keyPolicy: keyPolicy, keyAccount: F.accountA, identityPolicies: [],
                request: F.request(F.rootA, "kms:Decrypt", context: ["aws:SecureTransport": [transport]]))
        }
        #expect(decide("true") == .allow)
        #expect(decide("false") == .explicitDeny)
        // A value that is neither (never sent by the key holder) does not slip past the Deny.
        #expect(decide("maybe") == .explicitDeny)
    }

    /// KMS sets kms:GrantIsForAWSResource only on grant operations, which the key holder
    /// does not serve: the key is accepted, and absent from every request, as in KMS.
    @Test func grantIsForAWSResourceIsAcceptedAndAbsent() throws {
        #expect(try F.decide(.allow, #"{"Bool": {"kms:GrantIsForAWSResource": "true"}}"#, [:]) == .implicitDeny)
        #expect(try F.decide(.deny, #"{"Bool": {"kms:GrantIsForAWSResource": "false"}}"#, [:]) == .allow)
        #expect(try F.decide(.allow, #"{"Null": {"kms:GrantIsForAWSResource": "true"}}"#, [:]) == .allow)
    }
}
