import Foundation
import SigilPolicy
import Testing

@Suite struct PolicyParsingTests {
    typealias F = Fixture

    /// A valid key policy statement with `extra` members spliced in.
    static func keyStatement(_ extra: String = "", sid: String = "S") -> String {
        #"{"Sid": "\#(sid)", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"\#(extra)}"#
    }

    func keyPolicyError(_ json: String, knownAccounts: Set<String>? = [Fixture.accountA, Fixture.accountB]) -> PolicyError? {
        F.policyError { () throws(PolicyError) in try PolicyDocument(json: json, kind: .keyPolicy, knownAccounts: knownAccounts) }
    }

    func identityPolicyError(_ json: String) -> PolicyError? {
        F.policyError { () throws(PolicyError) in try PolicyDocument(json: json, kind: .identityPolicy, knownAccounts: nil) }
    }

    // MARK: Documents that are read

    @Test func readsTheSingleStatementAndTheListFormAlike() throws {
        let single = try F.keyPolicy(
            #"{"Version": "2012-10-17", "Statement": \#(Self.keyStatement())}"#)
        let list = try F.keyPolicy(F.document(Self.keyStatement()))
        #expect(single.statementCount == 1 && list.statementCount == 1)
        #expect(single.canonicalJSON == list.canonicalJSON)
        let request = F.request(F.rootA, "kms:Decrypt")
        #expect(single.evaluate(request) == .allow && list.evaluate(request) == .allow)
    }

    @Test(arguments: ["2012-10-17", "2008-10-17"])
    func acceptsBothPolicyLanguageVersions(_ version: String) throws {
        let policy = try F.keyPolicy(#"{"Version": "\#(version)", "Statement": [\#(Self.keyStatement())]}"#)
        #expect(policy.version == version)
    }

    @Test func keepsTheTextIdAndSids() throws {
        let json = """
            {
              "Version": "2012-10-17", "Id": "key-consolepolicy-3",
              "Statement": [\(Self.keyStatement(sid: "First")), \(Self.keyStatement(sid: "Second"))]
            }
            """
        let policy = try F.keyPolicy(json)
        #expect(policy.text == json)
        #expect(policy.id == "key-consolepolicy-3")
        #expect(policy.statementIDs == ["First", "Second"])
        #expect(policy.kind == .keyPolicy)
        #expect(policy.warnings.isEmpty)
    }

    @Test func canonicalFormRoundTrips() throws {
        let json = """
            {"Id": "x", "Version": "2012-10-17", "Statement": [
              {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:user/KeyUser", "444455556666"]},
               "Action": ["kms:Encrypt", "kms:GenerateDataKey*"], "Resource": "*",
               "Condition": {"StringEquals": {"kms:EncryptionContext:tenant": "blue",
                                              "kms:CallerAccount": ["111122223333", "444455556666"]},
                             "Bool": {"aws:SecureTransport": true}, "NumericLikeValue": null}}
            ]}
            """
        // The document above is invalid on purpose (a null operator block); the fixed one reads.
        #expect(keyPolicyError(json)?.message.contains("NumericLikeValue") == true)
        let fixed = json.replacingOccurrences(of: #", "NumericLikeValue": null"#, with: "")
        let policy = try F.keyPolicy(fixed)
        let expected =
            #"{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"Use","Effect":"Allow","#
            + #""Principal":{"AWS":["arn:aws:iam::111122223333:user/KeyUser","444455556666"]},"#
            + #""Action":["kms:Encrypt","kms:GenerateDataKey*"],"Resource":["*"],"#
            + #""Condition":{"StringEquals":{"kms:EncryptionContext:tenant":["blue"],"#
            + #""kms:CallerAccount":["111122223333","444455556666"]},"Bool":{"aws:SecureTransport":["true"]}}}]}"#
        #expect(policy.canonicalJSON == expected)
        let again = try F.keyPolicy(policy.canonicalJSON)
        #expect(again.canonicalJSON == policy.canonicalJSON)
        // The canonical text is JSON that Foundation reads too.
        let object = try JSONSerialization.jsonObject(with: Data(policy.canonicalJSON.utf8)) as? [String: Any]
        #expect((object?["Statement"] as? [Any])?.count == 1)
        // Same decisions both ways.
        let context = ["kms:EncryptionContext:tenant": ["blue"], "aws:SecureTransport": ["true"]]
        for action in ["kms:Encrypt", "kms:GenerateDataKeyPair", "kms:Decrypt"] {
            let request = F.request(F.userA, action, context: context)
            #expect(policy.evaluate(request) == again.evaluate(request))
        }
        #expect(policy.evaluate(F.request(F.userA, "kms:Encrypt", context: context)) == .allow)
        #expect(policy.evaluate(F.request(F.userA, "kms:Decrypt", context: context)) == .implicitDeny)
    }

    @Test func canonicalFormKeepsNegatedElementsAndTheBareWildcard() throws {
        let policy = try F.keyPolicy(
            F.document(
                #"""
                {"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "NotAction": "kms:Describe*",
                 "NotResource": "arn:aws:kms:*:111122223333:key/*"}
                """#,
                #"{"Effect": "Allow", "Principal": "*", "Action": "kms:DescribeKey", "Resource": "*"}"#))
        #expect(policy.canonicalJSON.contains(#""NotPrincipal":{"AWS":["111122223333"]}"#))
        #expect(policy.canonicalJSON.contains(#""NotAction":["kms:Describe*"]"#))
        #expect(policy.canonicalJSON.contains(#""NotResource":["arn:aws:kms:*:111122223333:key/*"]"#))
        #expect(policy.canonicalJSON.contains(#""Principal":"*""#))
        #expect(try F.keyPolicy(policy.canonicalJSON).canonicalJSON == policy.canonicalJSON)
    }

    @Test func theDefaultKeyPolicyIsKMSs() throws {
        let text = PolicyDocument.defaultKeyPolicy(account: F.accountA)
        let policy = try F.keyPolicy(text)
        #expect(policy.id == "key-default-1" && policy.version == "2012-10-17")
        #expect(policy.statementIDs == ["Enable IAM User Permissions"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let statement = try #require((object["Statement"] as? [[String: Any]])?.first)
        #expect((statement["Principal"] as? [String: String])?["AWS"] == "arn:aws:iam::111122223333:root")
        #expect(statement["Action"] as? String == "kms:*" && statement["Resource"] as? String == "*")
        #expect(statement["Effect"] as? String == "Allow")
    }

    @Test func acceptsConditionKeysInAnyCase() throws {
        let policy = try F.keyPolicy(
            F.document(Self.keyStatement(#", "Condition": {"StringEquals": {"KMS:CALLERACCOUNT": "111122223333"}}"#)))
        #expect(policy.evaluate(F.request(F.rootA, "kms:Decrypt")) == .allow)
    }

    @Test func warnsAboutActionsThatMatchNoOperation() throws {
        let policy = try F.keyPolicy(
            F.document(
                #"""
                {"Sid": "Typo", "Effect": "Deny", "Principal": "*",
                 "Action": ["kms:Decrpyt", "kms:GenerateDataKey*", "kms:Revoke*", "kms:CreateGrant"], "Resource": "*"}
                """#,
                #"{"Sid": "S3", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}"#))
        #expect(policy.warnings.count == 2)
        #expect(policy.warnings.first?.contains("kms:Decrpyt") == true)
        #expect(policy.warnings.first?.contains("Typo") == true)
        #expect(policy.warnings.last?.contains("s3:GetObject") == true)
    }

    // MARK: The size limit

    /// A valid key policy of exactly `size` bytes of UTF-8, padded in its Id with `filler`.
    static func policy(ofSize size: Int, filler: Character = "x") -> String {
        let head = #"{"Version": "2012-10-17", "Id": ""#
        let tail = #"", "Statement": [\#(keyStatement())]}"#
        let room = size - head.utf8.count - tail.utf8.count
        let fillerSize = String(filler).utf8.count
        let padding = String(repeating: filler, count: room / fillerSize) + String(repeating: "x", count: room % fillerSize)
        return head + padding + tail
    }

    @Test func acceptsExactlyThirtyTwoKibibytes() throws {
        let largest = Self.policy(ofSize: 32_768)
        #expect(largest.utf8.count == 32_768)
        #expect(try F.keyPolicy(largest).statementCount == 1)
    }

    @Test func refusesOneByteMore() {
        let tooLarge = Self.policy(ofSize: 32_769)
        #expect(tooLarge.utf8.count == 32_769)
        let error = keyPolicyError(tooLarge)
        #expect(error?.code == .documentTooLarge)
        #expect(error?.message.contains("32769") == true)
        #expect(error?.message.contains("32768") == true)
    }

    @Test func countsTheLimitInUTF8BytesNotCharacters() {
        let wide = Self.policy(ofSize: 32_770, filler: "é")
        #expect(wide.count < 32_768 && wide.utf8.count == 32_770)
        #expect(keyPolicyError(wide)?.code == .documentTooLarge)
    }

    // MARK: Documents that are refused, each naming its fault

    @Test(arguments: [
        ("", "unexpected end"),
        ("{", "expected a member name"),
        (#"{"Version": "2012-10-17",}"#, "expected a member name"),
        (#"{"Version": '2012-10-17'}"#, "unexpected character"),
        (#"{"Version": "2012-10-17"} x"#, "after the end"),
        (#"{"Version": "2012-10-17", "Version": "2008-10-17"}"#, #"duplicate member "Version""#),
        ("{\"Version\": \"2012-10-17\", \"Id\": \"\\uD800\"}", "surrogate"),
        ("{\"Version\": \"2012-10-17\", \"Id\": \"a\u{01}\"}", "control character"),
        (#"{"Version": "2012-10-17", "Id": 01}"#, "expected ',' or '}'"),
        (String(repeating: "[", count: 40) + String(repeating: "]", count: 40), "nesting deeper"),
    ])
    func refusesTextThatIsNotJSON(_ json: String, _ reason: String) {
        let error = keyPolicyError(json)
        #expect(error?.code == .malformedJSON)
        #expect(error?.message.contains("not valid JSON") == true)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "no error")")
    }

    @Test(arguments: [("[]", "a list"), (#""policy""#, "a string"), ("42", "a number"), ("null", "null")])
    func refusesJSONThatIsNotAnObject(_ json: String, _ typeName: String) {
        let error = keyPolicyError(json)
        #expect(error?.code == .malformedJSON)
        #expect(error?.message == "the policy must be a JSON object, not \(typeName)")
    }

    @Test func refusesAMissingOrUnknownVersion() {
        let missing = keyPolicyError(#"{"Statement": [\#(Self.keyStatement())]}"#)
        #expect(missing?.code == .unsupportedVersion && missing?.message.contains("no Version") == true)
        let unknown = keyPolicyError(#"{"Version": "2010-01-01", "Statement": [\#(Self.keyStatement())]}"#)
        #expect(unknown?.code == .unsupportedVersion && unknown?.message.contains(#""2010-01-01""#) == true)
        let number = keyPolicyError(#"{"Version": 2012, "Statement": [\#(Self.keyStatement())]}"#)
        #expect(number?.code == .unsupportedVersion && number?.message.contains("a number") == true)
    }

    @Test func refusesAMissingEmptyOrMistypedStatement() {
        #expect(keyPolicyError(#"{"Version": "2012-10-17"}"#)?.message == "the policy has no Statement")
        #expect(keyPolicyError(#"{"Version": "2012-10-17", "Statement": []}"#)?.message == "Statement is an empty list")
        #expect(keyPolicyError(#"{"Version": "2012-10-17", "Statement": "Allow"}"#)?.message.contains("a string") == true)
        #expect(keyPolicyError(F.document(Self.keyStatement(), "[]"))?.message.contains("statement 2") == true)
    }

    @Test func refusesUnknownMembersByName() {
        let top = keyPolicyError(#"{"Version": "2012-10-17", "Statements": [\#(Self.keyStatement())]}"#)
        #expect(top?.code == .unknownMember && top?.message.contains(#""Statements""#) == true)
        let inStatement = keyPolicyError(F.document(Self.keyStatement(), Self.keyStatement(#", "Condtion": {}"#, sid: "Second")))
        #expect(inStatement?.code == .unknownMember)
        #expect(inStatement?.message == #"statement 2 (Sid "Second"): unknown member "Condtion""#)
    }

    @Test(arguments: [#""allow""#, #""Permit""#, "true"])
    func refusesAnEffectOtherThanAllowOrDeny(_ effect: String) {
        let json = F.document(
            #"{"Sid": "Odd", "Effect": \#(effect), "Principal": "*", "Action": "kms:*", "Resource": "*"}"#)
        let error = keyPolicyError(json)
        #expect(error?.code == .invalidElement)
        #expect(error?.message.contains(#"Sid "Odd""#) == true)
        #expect(error?.message.contains(effect.hasPrefix(#"""#) ? effect : "a boolean") == true, "\(error?.message ?? "")")
        let missing = keyPolicyError(F.document(#"{"Principal": "*", "Action": "kms:*", "Resource": "*"}"#))
        #expect(missing?.message == "statement 1: has no Effect")
    }

    @Test func refusesBothOrNeitherOfActionAndNotAction() {
        let both = keyPolicyError(
            F.document(#"{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "NotAction": "kms:Sign", "Resource": "*"}"#))
        #expect(both?.message == "statement 1: has both Action and NotAction")
        let neither = keyPolicyError(F.document(#"{"Effect": "Allow", "Principal": "*", "Resource": "*"}"#))
        #expect(neither?.message == "statement 1: has neither Action nor NotAction")
        let resources = keyPolicyError(
            F.document(#"{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*", "NotResource": "*"}"#))
        #expect(resources?.message == "statement 1: has both Resource and NotResource")
        let noResource = keyPolicyError(F.document(#"{"Effect": "Allow", "Principal": "*", "Action": "kms:*"}"#))
        #expect(noResource?.message == "statement 1: has neither Resource nor NotResource")
    }

    @Test(arguments: [
        (#""Decrypt""#, #""Decrypt""#), (#""kms:""#, #""kms:""#), (#""kms:Decrypt Key""#, #""kms:Decrypt Key""#),
        ("[]", "empty list"), (#"["kms:Sign", 3]"#, "a number"), ("{}", "an object"),
    ])
    func refusesMalformedActions(_ action: String, _ named: String) {
        let error = keyPolicyError(F.document(#"{"Effect": "Allow", "Principal": "*", "Action": \#(action), "Resource": "*"}"#))
        #expect(error?.code == .invalidElement)
        #expect(error?.message.contains(named) == true, "\(error?.message ?? "")")
    }

    @Test func refusesAResourceThatIsNotAnARN() {
        let error = keyPolicyError(F.document(#"{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "key/1234"}"#))
        #expect(error?.message == #"statement 1: Resource "key/1234" is not "*" or an ARN"#)
    }

    @Test func aKeyPolicyStatementNeedsExactlyOnePrincipalElement() {
        let neither = keyPolicyError(F.document(#"{"Sid": "Nobody", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}"#))
        #expect(neither?.code == .invalidPrincipal)
        #expect(neither?.message == #"statement 1 (Sid "Nobody"): a key policy statement needs a Principal or NotPrincipal"#)
        let both = keyPolicyError(
            F.document(
                #"{"Effect": "Deny", "Principal": "*", "NotPrincipal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}"#))
        #expect(both?.message == "statement 1: has both Principal and NotPrincipal")
    }

    @Test func anIdentityPolicyCannotNameAPrincipal() throws {
        let principal = identityPolicyError(F.document(Self.keyStatement()))
        #expect(principal?.code == .invalidPrincipal)
        #expect(principal?.message == #"statement 1 (Sid "S"): an identity policy cannot have Principal"#)
        let notPrincipal = identityPolicyError(
            F.document(#"{"Effect": "Deny", "NotPrincipal": {"AWS": "111122223333"}, "Action": "kms:*", "Resource": "*"}"#))
        #expect(notPrincipal?.message.contains("NotPrincipal") == true)
        #expect(try F.identityPolicy(F.document(F.allowStatement())).kind == .identityPolicy)
    }

    @Test(arguments: [
        "12345", "1111222233334", "arn:aws:iam::111122223333:group/devs", "arn:aws:iam::111122223333:user/",
        "arn:aws:iam::111122223333:user/a b", "arn:aws:iam::111122223333:user//a", "arn:aws:sts::111122223333:assumed-role/R/s",
        "arn:aws:iam::*:root", "arn:aws:iam::111122223333:user/*", "arn:aws-cn:iam::111122223333:root", "AWS",
    ])
    func refusesPrincipalsThatAreNotAccountsRootsUsersOrRoles(_ principal: String) {
        let error = keyPolicyError(
            F.document(
                #"{"Sid": "P", "Effect": "Allow", "Principal": {"AWS": ["111122223333", "\#(principal)"]}, "Action": "kms:*", "Resource": "*"}"#
            ))
        #expect(error?.code == .invalidPrincipal)
        #expect(error?.message.contains(#""\#(principal)""#) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(#"Sid "P""#) == true)
    }

    @Test func refusesPrincipalTypesOtherThanAWS() {
        let service = keyPolicyError(
            F.document(#"{"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}"#))
        #expect(service?.code == .invalidPrincipal && service?.message.contains(#""Service""#) == true)
        let bareAccount = keyPolicyError(
            F.document(#"{"Effect": "Allow", "Principal": "111122223333", "Action": "kms:*", "Resource": "*"}"#))
        #expect(bareAccount?.message.contains(#""111122223333""#) == true)
        let notPrincipalAnyone = keyPolicyError(
            F.document(#"{"Effect": "Deny", "NotPrincipal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}"#))
        #expect(notPrincipalAnyone?.message.contains(#"NotPrincipal cannot be "*""#) == true)
    }

    @Test(arguments: [
        "999988887777", "arn:aws:iam::999988887777:root", "arn:aws:iam::999988887777:user/Mallory",
        "arn:aws:iam::999988887777:role/Intruder",
    ])
    func refusesAccountsTheKeyHolderDoesNotKnow(_ principal: String) throws {
        let json = F.document(
            #"{"Sid": "External", "Effect": "Allow", "Principal": {"AWS": "\#(principal)"}, "Action": "kms:*", "Resource": "*"}"#)
        let error = keyPolicyError(json)
        #expect(error?.code == .unknownAccount)
        #expect(
            error?.message == #"statement 1 (Sid "External"): Principal names account 999988887777 that this key holder does not know"#)
        // Without a list of known accounts, any well-formed account is accepted.
        #expect(keyPolicyError(json, knownAccounts: nil) == nil)
    }

    @Test(arguments: [
        "StringEqual", "stringequals", "ForSomeValues:StringEquals", "NullIfExists", "ForAnyValue:Null", "NumericEqual",
        "NumericLike", "DateEqualsIgnoreCase",
    ])
    func refusesUnknownConditionOperators(_ name: String) {
        let error = keyPolicyError(
            F.document(Self.keyStatement(#", "Condition": {"\#(name)": {"kms:CallerAccount": "111122223333"}}"#)))
        #expect(error?.code == .invalidCondition)
        #expect(error?.message == #"statement 1 (Sid "S"): unknown condition operator "\#(name)""#)
    }

    @Test(arguments: ["kms:ViaService", "kms:EncryptionContext:", "kms:EncryptionContextKey", "aws:SourceVpc", "CallerAccount"])
    func refusesConditionKeysTheKeyHolderDoesNotSupply(_ key: String) {
        let error = keyPolicyError(F.document(Self.keyStatement(#", "Condition": {"StringEquals": {"\#(key)": "x"}}"#)))
        #expect(error?.code == .unsupportedConditionKey)
        #expect(error?.message == #"statement 1 (Sid "S"): condition key "\#(key)" is not supported"#)
    }

    @Test(arguments: [
        (#"{"Bool": {"aws:SecureTransport": "yes"}}"#, #""yes" is not true or false"#),
        (#"{"Null": {"kms:EncryptionContextKeys": "maybe"}}"#, #""maybe""#),
        (#"{"IpAddress": {"aws:SourceIp": "10.0.0.256/8"}}"#, #""10.0.0.256/8""#),
        (#"{"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}"#, #""10.0.0.0/33""#),
        (#"{"DateLessThan": {"aws:CurrentTime": "2024-02-30T00:00:00Z"}}"#, #""2024-02-30T00:00:00Z""#),
        (#"{"ArnLike": {"aws:PrincipalArn": "user/alice"}}"#, #""user/alice""#),
        (#"{"StringEquals": {"kms:CallerAccount": []}}"#, "has no values"),
        (#"{"StringEquals": {"kms:CallerAccount": {"a": "b"}}}"#, "an object"),
        (#"{"StringEquals": {"kms:CallerAccount": [["a"]]}}"#, "a list among its values"),
        (#"{"StringEquals": "kms:CallerAccount"}"#, "must be an object"),
        (#"{"StringEquals": {}}"#, "must be an object of keys"),
        ("[]", "Condition must be an object"),
        (#"{"StringLike": {"aws:username": "${aws:username}"}}"#, "policy variables"),
    ])
    func refusesConditionValuesThatDoNotSuitTheOperator(_ condition: String, _ named: String) {
        let error = keyPolicyError(F.document(Self.keyStatement(#", "Condition": \#(condition)"#)))
        #expect(error?.code == .invalidCondition)
        #expect(error?.message.contains(named) == true, "\(error?.message ?? "no error")")
    }

    @Test func policyVariablesArePlainTextInTheOldVersion() throws {
        let condition = #", "Condition": {"StringEquals": {"aws:username": "${aws:username}"}}"#
        let text = #"{"Version": "2008-10-17", "Statement": [\#(Self.keyStatement(condition))]}"#
        let policy = try F.keyPolicy(text)
        #expect(policy.evaluate(F.request(F.rootA, "kms:Sign", context: ["aws:username": ["${aws:username}"]])) == .allow)
        #expect(policy.evaluate(F.request(F.rootA, "kms:Sign", context: ["aws:username": ["alice"]])) == .implicitDeny)
        let resource = keyPolicyError(
            F.document(
                #"{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "arn:aws:kms:*:${aws:PrincipalAccount}:key/*"}"#
            ))
        #expect(resource?.message.contains("policy variables") == true)
    }

    @Test func refusesASidUsedTwice() {
        let error = keyPolicyError(F.document(Self.keyStatement(sid: "Twice"), Self.keyStatement(sid: "Twice")))
        #expect(error?.message == #"statement 2 (Sid "Twice"): Sid "Twice" is used by an earlier statement too"#)
    }

    @Test func errorsCompareOnTheirCode() {
        #expect(PolicyError(.unknownMember, "one") == PolicyError(.unknownMember, "two"))
        #expect(PolicyError(.unknownMember, "one") != PolicyError(.invalidElement, "one"))
        #expect(PolicyError(.unknownAccount, "text").description == "text")
    }
}
