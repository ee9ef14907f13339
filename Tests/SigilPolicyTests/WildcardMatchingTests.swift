import SigilPolicy
import Testing

/// Wildcards as policies use them: in Action (without case), in Resource and StringLike
/// (with case), and in ArnLike (part by part).
@Suite struct WildcardMatchingTests {
    typealias F = Fixture

    /// Whether an identity policy allowing `pattern` allows `action`.
    func actionPattern(_ pattern: String, allows action: String) throws -> Bool {
        let policy = try F.identityPolicy(F.document(F.allowStatement(actions: #""\#(pattern)""#)))
        return policy.evaluate(F.request(F.userA, action)) == .allow
    }

    /// Whether an identity policy allowing everything on `pattern` allows a request on `resource`.
    func resourcePattern(_ pattern: String, allows resource: String) throws -> Bool {
        let policy = try F.identityPolicy(F.document(F.allowStatement(resource: #""\#(pattern)""#)))
        return policy.evaluate(F.request(F.userA, "kms:Decrypt", resource: resource)) == .allow
    }

    /// Whether `StringLike` with `pattern` holds for the encryption context value `value`.
    func stringLike(_ pattern: String, matches value: String, operator name: String = "StringLike") throws -> Bool {
        let condition = #"{"\#(name)": {"kms:EncryptionContext:purpose": "\#(pattern)"}}"#
        let policy = try F.identityPolicy(F.document(F.allowStatement(condition: condition)))
        let request = F.request(F.userA, "kms:Decrypt", context: ["kms:EncryptionContext:purpose": [value]])
        return policy.evaluate(request) == .allow
    }

    @Test(arguments: [
        ("kms:*", "kms:Decrypt", true), ("kms:*", "KMS:decrypt", true), ("kms:*", "kmsx:Decrypt", false),
        ("kms:*", "s3:GetObject", false), ("*", "s3:GetObject", true), ("kms:Decrypt", "kms:DECRYPT", true),
        ("KMS:DECRYPT", "kms:Decrypt", true), ("kms:Decrypt", "kms:Decrypt2", false), ("kms:Decrypt", "kms:Decryp", false),
        ("kms:GenerateDataKey*", "kms:GenerateDataKey", true), ("kms:GenerateDataKey*", "kms:GenerateDataKeyPairWithoutPlaintext", true),
        ("kms:GenerateDataKey*", "kms:GenerateRandom", false), ("kms:Describe*", "kms:DescribeKey", true),
        ("kms:Describe*", "kms:ListKeys", false), ("kms:*Key", "kms:DescribeKey", true), ("kms:*Key", "kms:ListKeys", false),
        ("kms:*Key*", "kms:ListKeys", true), ("kms:*crypt", "kms:Encrypt", true), ("kms:*crypt", "kms:ReEncryptFrom", false),
        ("kms:Re*crypt*", "kms:ReEncryptTo", true), ("kms:En*Key*", "kms:EnableKeyRotation", true),
        ("kms:En*Key*", "kms:Encrypt", false), ("kms:?ecrypt", "kms:Decrypt", true), ("kms:?ecrypt", "kms:Encrypt", false),
        ("kms:Decryp?", "kms:Decrypt", true), ("kms:Decrypt?", "kms:Decrypt", false), ("kms:Decryp?", "kms:Decrypted", false),
        ("kms:??crypt", "kms:Encrypt", true),
        ("kms:???crypt", "kms:Encrypt", false), ("kms:*?crypt", "kms:Decrypt", true), ("kms:*?crypt", "kms:crypt", false),
        ("kms:**", "kms:Sign", true), ("kms:S*n", "kms:Sign", true), ("kms:S*n", "kms:Sig", false),
    ])
    func actionsMatchWithoutCase(_ pattern: String, _ action: String, _ expected: Bool) throws {
        #expect(try actionPattern(pattern, allows: action) == expected)
    }

    @Test(arguments: [
        ("arn:aws:kms:*:111122223333:key/*", Fixture.keyARN, true),
        ("arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:111122223333:key/abc", true),
        ("arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:444455556666:key/abc", false),
        ("arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:111122223333:alias/abc", false),
        ("arn:aws:kms:eu-west-1:111122223333:key/ABC", "arn:aws:kms:eu-west-1:111122223333:key/abc", false),
        ("arn:aws:kms:eu-west-1:111122223333:key/abc", "arn:aws:kms:eu-west-1:111122223333:key/abc", true),
        ("arn:aws:kms:eu-west-?:111122223333:key/*", Fixture.keyARN, true),
        ("arn:aws:kms:eu-west-?:111122223333:key/*", "arn:aws:kms:eu-west-10:111122223333:key/a", false),
        ("*", Fixture.keyARN, true),
    ])
    func resourcesMatchWithCase(_ pattern: String, _ resource: String, _ expected: Bool) throws {
        #expect(try resourcePattern(pattern, allows: resource) == expected)
    }

    @Test(arguments: [
        ("blue*", "blue-1", true), ("Blue*", "blue-1", false), ("*-1", "blue-1", true), ("b?ue", "blue", true),
        ("b?ue", "bue", false), ("b?ue", "blues", false), ("a*b*c", "abc", true), ("a*b*c", "aXXbYYc", true), ("a*b*c", "acb", false),
        ("a*b*c", "abcabc", true), ("a*b*c", "ab", false), ("a*a", "a", false), ("a*a", "aa", true),
        ("*", "", true), ("", "", true), ("", "x", false), ("?", "", false), ("*?*", "", false), ("*?*", "z", true),
        ("caf?", "café", true), ("?", "é", true), ("??", "é", false), ("*é", "café", true), ("c*?", "cé", true),
        ("日本*", "日本語", true), ("?本?", "日本語", true), ("x*y*z", "x日y本z", true), ("ab*ab", "abab", true),
        ("ab*ab", "aba", false), ("*ab*ab*", "xabyab", true), ("*ab*ab*", "xaby", false),
    ])
    func stringLikeMatchesWithCaseAndWholeCharacters(_ pattern: String, _ value: String, _ expected: Bool) throws {
        #expect(try stringLike(pattern, matches: value) == expected)
        // StringNotLike is its opposite for a present key.
        #expect(try stringLike(pattern, matches: value, operator: "StringNotLike") == !expected)
    }

    @Test func stringEqualsTakesWildcardsLiterally() throws {
        #expect(try stringLike("blue*", matches: "blue*", operator: "StringEquals"))
        #expect(try !stringLike("blue*", matches: "blue-1", operator: "StringEquals"))
        #expect(try !stringLike("b?ue", matches: "blue", operator: "StringEquals"))
    }

    @Test(arguments: [
        ("arn:aws:iam::*:role/Admin*", "arn:aws:iam::111122223333:role/AdminOps", true),
        ("arn:aws:iam::*:role/Admin*", "arn:aws:iam::111122223333:user/AdminOps", false),
        ("arn:aws:iam::111122223333:*", "arn:aws:iam::111122223333:user/KeyUser", true),
        // A wildcard in one part of an ARN never runs into the next part…
        ("arn:aws:iam::*:root", "arn:aws:iam::1:2:root", false),
        ("arn:*:iam::111122223333:root", "arn:aws:x:iam::111122223333:root", false),
        // …but the resource part may hold colons.
        ("arn:aws:kms:*:*:key/*", "arn:aws:kms:eu-west-1:111122223333:key/a:b", true),
        ("*", "arn:aws:iam::111122223333:user/KeyUser", true),
        // A value that is no ARN cannot be judged: no Allow on it applies, not even "*"
        // (UndecidableConditionTests has the Deny side).
        ("*", "not an arn", false),
        ("arn:aws:iam::*:root", "not an arn", false),
    ])
    func arnLikeMatchesPartByPart(_ pattern: String, _ value: String, _ expected: Bool) throws {
        for name in ["ArnLike", "ArnEquals"] {
            let condition = #"{"\#(name)": {"aws:PrincipalArn": "\#(pattern)"}}"#
            let policy = try F.identityPolicy(F.document(F.allowStatement(condition: condition)))
            let request = F.request(F.userA, "kms:Sign", context: ["aws:PrincipalArn": [value]])
            #expect((policy.evaluate(request) == .allow) == expected, "\(name) \(pattern) vs \(value)")
        }
    }

    @Test func stringLikeCrossesColonsWhereArnLikeDoesNot() throws {
        #expect(try stringLike("arn:aws:iam::*:root", matches: "arn:aws:iam::1:2:root"))
    }

    @Test func notActionAndNotResourceMatchEverythingElse() throws {
        let policy = try F.identityPolicy(
            F.document(#"{"Effect": "Allow", "NotAction": ["kms:Decrypt", "kms:Schedule*"], "NotResource": "\#(F.otherKeyARN)"}"#))
        #expect(policy.evaluate(F.request(F.userA, "kms:Encrypt")) == .allow)
        #expect(policy.evaluate(F.request(F.userA, "kms:decrypt")) == .implicitDeny)
        #expect(policy.evaluate(F.request(F.userA, "kms:ScheduleKeyDeletion")) == .implicitDeny)
        #expect(policy.evaluate(F.request(F.userA, "kms:Encrypt", resource: F.otherKeyARN)) == .implicitDeny)
    }
}
