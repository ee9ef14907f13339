import SigilPolicy
import Testing

/// Every condition operator, with present, absent and multivalued keys.
@Suite struct ConditionOperatorTests {
    typealias F = Fixture
    typealias Context = [String: [String]]

    /// Whether `condition` (a Condition object) holds for a request with `context`.
    func holds(_ condition: String, _ context: Context, principal: String = Fixture.userA) throws -> Bool {
        let policy = try F.identityPolicy(F.document(F.allowStatement(condition: condition)))
        return policy.evaluate(F.request(principal, "kms:Decrypt", context: context)) == .allow
    }

    static let algorithm = "kms:EncryptionAlgorithm"
    static let oaep = ["kms:EncryptionAlgorithm": ["RSAES_OAEP_SHA_256"]]
    static let symmetric = ["kms:EncryptionAlgorithm": ["SYMMETRIC_DEFAULT"]]
    static let none: [String: [String]] = [:]

    @Test(arguments: [
        // operator, policy values, context, holds
        ("StringEquals", #""RSAES_OAEP_SHA_256""#, oaep, true),
        ("StringEquals", #""rsaes_oaep_sha_256""#, oaep, false),
        ("StringEquals", #""SYMMETRIC_DEFAULT""#, oaep, false),
        ("StringEquals", #"["SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256"]"#, oaep, true),
        ("StringEquals", #""RSAES_OAEP_SHA_256""#, none, false),
        ("StringNotEquals", #""RSAES_OAEP_SHA_256""#, oaep, false),
        ("StringNotEquals", #""SYMMETRIC_DEFAULT""#, oaep, true),
        ("StringNotEquals", #"["SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256"]"#, oaep, false),
        ("StringNotEquals", #"["SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1"]"#, oaep, true),
        ("StringNotEquals", #""SYMMETRIC_DEFAULT""#, none, true),
        ("StringEqualsIgnoreCase", #""rsaes_oaep_sha_256""#, oaep, true),
        ("StringEqualsIgnoreCase", #""rsaes_oaep_sha_1""#, oaep, false),
        ("StringEqualsIgnoreCase", #""x""#, none, false),
        ("StringNotEqualsIgnoreCase", #""Rsaes_Oaep_Sha_256""#, oaep, false),
        ("StringNotEqualsIgnoreCase", #""symmetric_default""#, oaep, true),
        ("StringNotEqualsIgnoreCase", #""x""#, none, true),
        ("StringLike", #""RSAES_OAEP_*""#, oaep, true),
        ("StringLike", #""rsaes_oaep_*""#, oaep, false),
        ("StringLike", #"["ECDSA_*", "*_SHA_256"]"#, oaep, true),
        ("StringLike", #""*""#, none, false),
        ("StringNotLike", #""RSAES_*""#, oaep, false),
        ("StringNotLike", #"["ECDSA_*", "SYMMETRIC*"]"#, oaep, true),
        ("StringNotLike", #""*""#, none, true),
        ("StringEqualsIfExists", #""RSAES_OAEP_SHA_256""#, oaep, true),
        ("StringEqualsIfExists", #""RSAES_OAEP_SHA_256""#, symmetric, false),
        ("StringEqualsIfExists", #""RSAES_OAEP_SHA_256""#, none, true),
        ("StringNotEqualsIfExists", #""RSAES_OAEP_SHA_256""#, oaep, false),
        ("StringNotEqualsIfExists", #""RSAES_OAEP_SHA_256""#, none, true),
        ("StringLikeIfExists", #""SYM*""#, symmetric, true),
        ("StringLikeIfExists", #""SYM*""#, oaep, false),
        ("StringLikeIfExists", #""SYM*""#, none, true),
        ("StringEqualsIgnoreCaseIfExists", #""symmetric_default""#, symmetric, true),
        ("StringEqualsIgnoreCaseIfExists", #""symmetric_default""#, none, true),
    ])
    func stringOperators(_ name: String, _ values: String, _ context: Context, _ expected: Bool) throws {
        #expect(try holds(#"{"\#(name)": {"\#(Self.algorithm)": \#(values)}}"#, context) == expected)
    }

    @Test func ignoringCaseCoversLettersBeyondASCII() throws {
        let context = ["kms:EncryptionContext:season": ["ÉTÉ"]]
        #expect(try holds(#"{"StringEqualsIgnoreCase": {"kms:EncryptionContext:season": "été"}}"#, context))
        #expect(try !holds(#"{"StringEquals": {"kms:EncryptionContext:season": "été"}}"#, context))
        #expect(try !holds(#"{"StringEqualsIgnoreCase": {"kms:EncryptionContext:season": "ete"}}"#, context))
    }

    @Test func anEmptyListOfValuesCountsAsAnAbsentKey() throws {
        let empty = ["kms:EncryptionContextKeys": [String]()]
        #expect(try holds(#"{"Null": {"kms:EncryptionContextKeys": "true"}}"#, empty))
        #expect(try !holds(#"{"StringLike": {"kms:EncryptionContextKeys": "*"}}"#, empty))
    }

    @Test(arguments: [
        ("true", none, true), ("true", ["kms:EncryptionContextKeys": ["purpose"]], false),
        ("false", none, false), ("false", ["kms:EncryptionContextKeys": ["purpose"]], true),
        (#""TRUE""#, none, true), (#"["true", "false"]"#, ["kms:EncryptionContextKeys": ["purpose"]], true),
    ])
    func nullTellsWhetherTheKeyIsAbsent(_ value: String, _ context: Context, _ expected: Bool) throws {
        #expect(try holds(#"{"Null": {"kms:EncryptionContextKeys": \#(value)}}"#, context) == expected)
    }

    @Test(arguments: [
        ("Bool", "true", ["aws:SecureTransport": ["true"]], true),
        ("Bool", #""true""#, ["aws:SecureTransport": ["TRUE"]], true),
        ("Bool", #""True""#, ["aws:SecureTransport": ["true"]], true),
        ("Bool", "true", ["aws:SecureTransport": ["false"]], false),
        ("Bool", "false", ["aws:SecureTransport": ["false"]], true),
        ("Bool", "false", ["aws:SecureTransport": ["yes"]], false),
        ("Bool", "true", ["aws:SecureTransport": ["yes"]], false),
        ("Bool", "true", none, false),
        ("BoolIfExists", "true", none, true),
        ("BoolIfExists", "true", ["aws:SecureTransport": ["false"]], false),
        ("Bool", "true", ["kms:GrantIsForAWSResource": ["true"]], false),
    ])
    func boolComparesTrueAndFalseWithoutCase(_ name: String, _ value: String, _ context: Context, _ expected: Bool) throws {
        #expect(try holds(#"{"\#(name)": {"aws:SecureTransport": \#(value)}}"#, context) == expected)
    }

    static let keys = "kms:EncryptionContextKeys"

    @Test(arguments: [
        // ForAnyValue: some request value must satisfy the operator; an absent key never does.
        ("ForAnyValue:StringEquals", #"["purpose"]"#, ["purpose", "tenant"], true),
        ("ForAnyValue:StringEquals", #"["owner"]"#, ["purpose", "tenant"], false),
        ("ForAnyValue:StringEquals", #"["owner"]"#, [], false),
        ("ForAnyValue:StringLike", #"["ten*"]"#, ["purpose", "tenant"], true),
        ("ForAnyValue:StringNotEquals", #"["purpose"]"#, ["purpose", "tenant"], true),
        ("ForAnyValue:StringNotEquals", #"["purpose", "tenant"]"#, ["purpose", "tenant"], false),
        ("ForAnyValue:StringNotEquals", #"["purpose"]"#, [], false),
        ("ForAnyValue:StringEqualsIfExists", #"["owner"]"#, [], true),
        // ForAllValues: every request value must satisfy the operator; an absent key always does.
        ("ForAllValues:StringEquals", #"["purpose", "tenant", "owner"]"#, ["purpose", "tenant"], true),
        ("ForAllValues:StringEquals", #"["purpose", "owner"]"#, ["purpose", "tenant"], false),
        ("ForAllValues:StringEquals", #"["purpose"]"#, [], true),
        ("ForAllValues:StringLike", #"["p*", "t*"]"#, ["purpose", "tenant"], true),
        ("ForAllValues:StringNotEquals", #"["owner"]"#, ["purpose", "tenant"], true),
        ("ForAllValues:StringNotEquals", #"["tenant"]"#, ["purpose", "tenant"], false),
        ("ForAllValues:StringNotLike", #"["x*"]"#, [], true),
        // No qualifier on a multivalued key: some value must match (negated: none may).
        ("StringEquals", #"["tenant"]"#, ["purpose", "tenant"], true),
        ("StringNotEquals", #"["tenant"]"#, ["purpose", "tenant"], false),
        ("StringNotEquals", #"["owner"]"#, ["purpose", "tenant"], true),
    ])
    func setQualifiersOnTheMultivaluedKey(_ name: String, _ values: String, _ requestKeys: [String], _ expected: Bool) throws {
        let context = requestKeys.isEmpty ? [:] : [Self.keys: requestKeys]
        #expect(try holds(#"{"\#(name)": {"\#(Self.keys)": \#(values)}}"#, context) == expected)
    }

    @Test func everyKeyOfAnOperatorAndEveryOperatorMustHold() throws {
        let condition = """
            {"StringEquals": {"kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_256", "kms:EncryptionContext:tenant": ["blue", "green"]},
             "Bool": {"aws:SecureTransport": "true"}}
            """
        let all: Context = [
            "kms:EncryptionAlgorithm": ["RSAES_OAEP_SHA_256"], "kms:EncryptionContext:tenant": ["green"],
            "aws:SecureTransport": ["true"],
        ]
        #expect(try holds(condition, all))
        for missing in all.keys {
            var context = all
            context[missing] = nil
            #expect(try !holds(condition, context), "without \(missing)")
        }
        var wrongTenant = all
        wrongTenant["kms:EncryptionContext:tenant"] = ["red"]
        #expect(try !holds(condition, wrongTenant))
    }

    @Test func keyNamesCompareWithoutCaseOnBothSides() throws {
        #expect(try holds(#"{"StringEquals": {"KMS:encryptionalgorithm": "RSAES_OAEP_SHA_256"}}"#, Self.oaep))
        let shouting = ["KMS:ENCRYPTIONALGORITHM": ["RSAES_OAEP_SHA_256"]]
        #expect(try holds(#"{"StringEquals": {"kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}}"#, shouting))
        // The encryption context key inside the condition key compares without case too; its value with case.
        let tenant = #"{"StringEquals": {"kms:EncryptionContext:Tenant": "blue"}}"#
        #expect(try holds(tenant, ["kms:EncryptionContext:tenant": ["blue"]]))
        #expect(try !holds(tenant, ["kms:EncryptionContext:tenant": ["Blue"]]))
    }

    @Test func contextKeysThatDifferOnlyInCaseDecideNothing() throws {
        let context = ["kms:EncryptionContext:tenant": ["blue"], "kms:EncryptionContext:Tenant": ["red"]]
        // Which one is "the" tenant is not knowable, so no Allow on it applies
        // (UndecidableConditionTests has the Deny side).
        #expect(try !holds(#"{"StringEquals": {"kms:EncryptionContext:tenant": "blue"}}"#, context))
        #expect(try !holds(#"{"StringNotEquals": {"kms:EncryptionContext:tenant": "green"}}"#, context))
        #expect(try !holds(#"{"ForAnyValue:StringEquals": {"kms:EncryptionContext:tenant": "blue"}}"#, context))
    }

    @Test func theRequestSuppliesCallerKeysItself() throws {
        #expect(try holds(#"{"StringEquals": {"kms:CallerAccount": "111122223333"}}"#, [:]))
        #expect(try !holds(#"{"StringEquals": {"kms:CallerAccount": "111122223333"}}"#, [:], principal: F.userB))
        #expect(try holds(#"{"StringEquals": {"aws:PrincipalAccount": "444455556666"}}"#, [:], principal: F.userB))
        #expect(try holds(#"{"StringEquals": {"aws:PrincipalArn": "\#(F.userA)"}}"#, [:]))
        #expect(try holds(#"{"StringEquals": {"aws:PrincipalType": "User"}}"#, [:]))
        #expect(try holds(#"{"StringEquals": {"aws:PrincipalType": "Account"}}"#, [:], principal: F.rootA))
        #expect(try holds(#"{"StringEquals": {"aws:PrincipalType": "AssumedRole"}}"#, [:], principal: F.roleA))
        #expect(try holds(#"{"StringEquals": {"aws:username": "KeyUser"}}"#, [:]))
        #expect(try holds(#"{"Null": {"aws:username": "true"}}"#, [:], principal: F.roleA))
        #expect(try holds(#"{"StringEquals": {"aws:ResourceAccount": "111122223333"}}"#, [:], principal: F.userB))
        #expect(try holds(#"{"Null": {"aws:userid": "true"}}"#, [:]))
        // A value in the context wins over the one worked out from the request.
        #expect(try !holds(#"{"StringEquals": {"kms:CallerAccount": "111122223333"}}"#, ["kms:CallerAccount": ["999988887777"]]))
    }

    @Test(arguments: [
        ("IpAddress", #""203.0.113.0/24""#, "203.0.113.9", true),
        ("IpAddress", #""203.0.113.0/24""#, "203.0.114.9", false),
        ("IpAddress", #"["10.0.0.0/8", "203.0.113.7"]"#, "203.0.113.7", true),
        ("IpAddress", #""203.0.113.7""#, "203.0.113.8", false),
        ("IpAddress", #""0.0.0.0/0""#, "198.51.100.1", true),
        ("IpAddress", #""0.0.0.0/0""#, "2001:db8::1", false),
        ("IpAddress", #""2001:db8::/32""#, "2001:db8:1::5", true),
        ("IpAddress", #""2001:db8::/32""#, "2001:db9::5", false),
        ("IpAddress", #""2001:db8:0:0:0:0:0:1/128""#, "2001:db8::1", true),
        ("IpAddress", #""2001:db8::1/128""#, "2001:db8::2", false),
        ("IpAddress", #""2001:db8::ff00/120""#, "2001:db8::ff7f", true),
        ("IpAddress", #""2001:db8::ff00/120""#, "2001:db8::fe00", false),
        ("IpAddress", #""2001:db8:1:2::/64""#, "2001:db8:1:2:ffff::1", true),
        ("IpAddress", #""2001:db8:1:2::/64""#, "2001:db8:1:3::1", false),
        ("IpAddress", #""::ffff:203.0.113.0/120""#, "::ffff:203.0.113.77", true),
        ("IpAddress", #""2001:db8::/32""#, "203.0.113.9", false),
        ("IpAddress", #""10.0.0.0/8""#, "not-an-address", false),
        ("IpAddress", #""10.0.0.0/8""#, "10.1.2", false),
        ("NotIpAddress", #""10.0.0.0/8""#, "10.200.0.1", false),
        ("NotIpAddress", #""10.0.0.0/8""#, "192.168.0.1", true),
        ("NotIpAddress", #""fe80::/10""#, "fe80::1", false),
        ("NotIpAddress", #""fe80::/10""#, "2001:db8::1", true),
    ])
    func ipAddressMatchesCIDRBlocks(_ name: String, _ blocks: String, _ address: String, _ expected: Bool) throws {
        #expect(try holds(#"{"\#(name)": {"aws:SourceIp": \#(blocks)}}"#, ["aws:SourceIp": [address]]) == expected)
    }

    @Test func ipAddressOnAnAbsentKey() throws {
        #expect(try !holds(#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#, [:]))
        #expect(try holds(#"{"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#, [:]))
        #expect(try holds(#"{"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}"#, [:]))
    }

    @Test(arguments: [
        ("DateLessThan", #""2031-01-01T00:00:00Z""#, "2030-06-01T12:00:00Z", true),
        ("DateLessThan", #""2031-01-01T00:00:00Z""#, "2031-01-01T00:00:00Z", false),
        ("DateLessThanEquals", #""2031-01-01T00:00:00Z""#, "2031-01-01T00:00:00Z", true),
        ("DateGreaterThan", #""2031-01-01""#, "2031-01-01T00:00:01Z", true),
        ("DateGreaterThan", #""2031-01-01""#, "2030-12-31T23:59:59Z", false),
        ("DateGreaterThanEquals", #""2031-01-01T00:00:00Z""#, "2031-01-01T02:00:00+02:00", true),
        ("DateEquals", #""2031-01-01T00:00:00Z""#, "2030-12-31T19:00:00-05:00", true),
        ("DateEquals", "1924992000", "2031-01-01T00:00:00Z", true),
        ("DateEquals", #""2031-01-01T00:00:00.500Z""#, "2031-01-01T00:00:00Z", false),
        ("DateLessThan", #""2031-01-01T00:00:00.500Z""#, "2031-01-01T00:00:00.25Z", true),
        ("DateNotEquals", #""2031-01-01T00:00:00Z""#, "2031-01-01T00:00:00Z", false),
        ("DateNotEquals", #""2031-01-01T00:00:00Z""#, "2032-02-29T00:00:00Z", true),
        ("DateLessThan", #""2031-01-01T00:00:00Z""#, "yesterday", false),
    ])
    func dateOperatorsCompareInstants(_ name: String, _ date: String, _ now: String, _ expected: Bool) throws {
        #expect(try holds(#"{"\#(name)": {"aws:CurrentTime": \#(date)}}"#, ["aws:CurrentTime": [now]]) == expected)
    }
}
