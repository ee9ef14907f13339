import Foundation
import SigilPolicy
import Testing

/// Every principal of a small fixture against every action the key holder authorizes,
/// compared with a table written out by hand.
@Suite struct AuthorizationMatrixTests {
    typealias F = Fixture

    /// A console-style key policy of account A: IAM delegation for A, a key administrator,
    /// a key user, account B allowed to use the key, and destructive actions denied to
    /// anyone outside account A.
    static let keyPolicy = """
        {
          "Version": "2012-10-17",
          "Id": "key-consolepolicy-3",
          "Statement": [
            {
              "Sid": "Enable IAM User Permissions",
              "Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
              "Action": "kms:*",
              "Resource": "*"
            },
            {
              "Sid": "Allow access for Key Administrators",
              "Effect": "Allow",
              "Principal": {"AWS": "arn:aws:iam::111122223333:user/KeyAdmin"},
              "Action": [
                "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
                "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
                "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"
              ],
              "Resource": "*"
            },
            {
              "Sid": "Allow use of the key",
              "Effect": "Allow",
              "Principal": {"AWS": ["arn:aws:iam::111122223333:user/KeyUser"]},
              "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
              "Resource": "*"
            },
            {
              "Sid": "Allow account B to use the key",
              "Effect": "Allow",
              "Principal": {"AWS": "444455556666"},
              "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
              "Resource": "*",
              "Condition": {"StringEquals": {"kms:CallerAccount": "444455556666"}}
            },
            {
              "Sid": "Nothing destructive from outside",
              "Effect": "Deny",
              "Principal": "*",
              "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
              "Resource": "*",
              "Condition": {"StringNotEquals": {"kms:CallerAccount": "111122223333"}}
            }
          ]
        }
        """

    struct Principal {
        let name: String
        let arn: String
        let identityPolicies: [String]
    }

    static let principals: [Principal] = [
        Principal(name: "root of A", arn: Fixture.rootA, identityPolicies: []),
        Principal(name: "key administrator", arn: Fixture.adminA, identityPolicies: []),
        Principal(
            name: "key user", arn: Fixture.userA,
            identityPolicies: [
                Fixture.document(
                    Fixture.allowStatement(actions: #"["kms:ListKeys", "kms:ListAliases"]"#),
                    Fixture.allowStatement(actions: #""kms:GetKeyRotationStatus""#, resource: #""\#(Fixture.keyARN)""#))
            ]),
        Principal(name: "role without policies", arn: Fixture.roleA, identityPolicies: []),
        Principal(name: "root of B", arn: Fixture.rootB, identityPolicies: []),
        Principal(
            name: "user of B with a policy", arn: Fixture.userB,
            identityPolicies: [
                Fixture.document(
                    Fixture.allowStatement(
                        actions: #"["kms:Decrypt", "kms:Encrypt", "kms:DescribeKey", "kms:ScheduleKeyDeletion", "kms:Sign"]"#,
                        resource: #""\#(Fixture.keyARN)""#))
            ]),
        Principal(name: "user of B without", arn: Fixture.userB, identityPolicies: []),
    ]

    /// The expected decisions: A = allow, D = explicit deny, - = implicit deny, one column
    /// per principal in the order of ``principals``.
    static let expected: [(action: String, row: String)] = [
        //                                           rootA admin user role rootB userB+ userB
        ("kms:CreateKey", /*                      */ "A     -     -    -    A     -      -"),
        ("kms:ListKeys", /*                       */ "A     -     A    -    A     -      -"),
        ("kms:ListAliases", /*                    */ "A     -     A    -    A     -      -"),
        ("kms:GenerateRandom", /*                 */ "A     -     -    -    A     -      -"),
        ("kms:DescribeKey", /*                    */ "A     A     A    -    A     A      -"),
        ("kms:GetPublicKey", /*                   */ "A     A     -    -    -     -      -"),
        ("kms:Sign", /*                           */ "A     -     -    -    -     -      -"),
        ("kms:Verify", /*                         */ "A     -     -    -    -     -      -"),
        ("kms:Encrypt", /*                        */ "A     -     A    -    A     A      -"),
        ("kms:Decrypt", /*                        */ "A     -     A    -    A     A      -"),
        ("kms:ReEncryptFrom", /*                  */ "A     -     A    -    A     -      -"),
        ("kms:ReEncryptTo", /*                    */ "A     -     A    -    A     -      -"),
        ("kms:GenerateDataKey", /*                */ "A     -     A    -    A     -      -"),
        ("kms:GenerateDataKeyWithoutPlaintext", /**/ "A     -     A    -    A     -      -"),
        ("kms:GenerateDataKeyPair", /*            */ "A     -     A    -    A     -      -"),
        ("kms:GenerateDataKeyPairWithoutPlaintext", "A     -     A    -    A     -      -"),
        ("kms:EnableKey", /*                      */ "A     A     -    -    -     -      -"),
        ("kms:DisableKey", /*                     */ "A     A     -    -    D     D      D"),
        ("kms:ScheduleKeyDeletion", /*            */ "A     A     -    -    D     D      D"),
        ("kms:CancelKeyDeletion", /*              */ "A     A     -    -    -     -      -"),
        ("kms:UpdateKeyDescription", /*           */ "A     A     -    -    -     -      -"),
        ("kms:CreateAlias", /*                    */ "A     A     -    -    -     -      -"),
        ("kms:UpdateAlias", /*                    */ "A     A     -    -    -     -      -"),
        ("kms:DeleteAlias", /*                    */ "A     A     -    -    -     -      -"),
        ("kms:TagResource", /*                    */ "A     A     -    -    -     -      -"),
        ("kms:UntagResource", /*                  */ "A     A     -    -    -     -      -"),
        ("kms:ListResourceTags", /*               */ "A     A     -    -    -     -      -"),
        ("kms:EnableKeyRotation", /*              */ "A     A     -    -    -     -      -"),
        ("kms:DisableKeyRotation", /*             */ "A     A     -    -    -     -      -"),
        ("kms:GetKeyRotationStatus", /*           */ "A     A     A    -    -     -      -"),
        ("kms:RotateKeyOnDemand", /*              */ "A     -     -    -    -     -      -"),
        ("kms:ListKeyRotations", /*               */ "A     A     -    -    -     -      -"),
        ("kms:PutKeyPolicy", /*                   */ "A     A     -    -    D     D      D"),
        ("kms:GetKeyPolicy", /*                   */ "A     A     -    -    -     -      -"),
        ("kms:ListKeyPolicies", /*                */ "A     A     -    -    -     -      -"),
    ]

    static func decision(_ symbol: Substring) -> Decision? {
        switch symbol {
        case "A": .allow
        case "D": .explicitDeny
        case "-": .implicitDeny
        default: nil
        }
    }

    /// What the key holder decides for one cell: actions on no key go to the identity
    /// policies alone, the rest to the key policy combined with them.
    static func decide(_ principal: Principal, _ action: String, keyPolicy: PolicyDocument, identity: [PolicyDocument]) -> Decision {
        if KMSAuthorizer.isAccountAction(action) {
            return KMSAuthorizer.authorize(identityPolicies: identity, request: Fixture.request(principal.arn, action, resource: "*"))
        }
        return KMSAuthorizer.authorize(
            keyPolicy: keyPolicy, keyAccount: Fixture.accountA, identityPolicies: identity,
            request: Fixture.request(principal.arn, action))
    }

    @Test func everyPrincipalAgainstEveryAction() throws {
        let keyPolicy = try F.keyPolicy(Self.keyPolicy)
        #expect(keyPolicy.warnings.isEmpty)
        let identities = try Self.principals.map { try $0.identityPolicies.map(F.identityPolicy) }

        // The table covers every action exactly once and has a column per principal.
        #expect(Self.expected.map(\.action).sorted() == KMSAuthorizer.allActions.sorted())

        var counts: [Decision: Int] = [:]
        var mismatches: [String] = []
        for (action, row) in Self.expected {
            let symbols = row.split(separator: " ")
            try #require(symbols.count == Self.principals.count, "row for \(action)")
            for (column, principal) in Self.principals.enumerated() {
                let expected = try #require(Self.decision(symbols[column]), "symbol \(symbols[column])")
                let actual = Self.decide(principal, action, keyPolicy: keyPolicy, identity: identities[column])
                counts[actual, default: 0] += 1
                if actual != expected {
                    mismatches.append("\(principal.name) \(action): expected \(expected), got \(actual)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        let total = Self.principals.count * Self.expected.count
        #expect(counts.values.reduce(0, +) == total)
        print(
            "authorization matrix: \(Self.principals.count) principals × \(Self.expected.count) actions = \(total) decisions "
                + "(allow \(counts[.allow, default: 0]), explicitDeny \(counts[.explicitDeny, default: 0]), "
                + "implicitDeny \(counts[.implicitDeny, default: 0]))")
    }

    @Test func decisionsDoNotDependOnTheCaseOfTheAction() throws {
        let keyPolicy = try F.keyPolicy(Self.keyPolicy)
        let identities = try Self.principals.map { try $0.identityPolicies.map(F.identityPolicy) }
        for (action, _) in Self.expected {
            for (column, principal) in Self.principals.enumerated() {
                let asWritten = Self.decide(principal, action, keyPolicy: keyPolicy, identity: identities[column])
                let shouted = Self.decide(principal, action.uppercased(), keyPolicy: keyPolicy, identity: identities[column])
                #expect(asWritten == shouted, "\(principal.name) \(action)")
            }
        }
    }

    /// Not a pass/fail test: the rate, printed beside the matrix, for a feel of the cost of
    /// one decision (a debug build is several times slower than release).
    @Test func reportsTheDecisionRate() throws {
        let keyPolicy = try F.keyPolicy(Self.keyPolicy)
        let identities = try Self.principals.map { try $0.identityPolicies.map(F.identityPolicy) }
        let rounds = 100
        let clock = ContinuousClock()
        var allowed = 0
        let elapsed = clock.measure {
            for _ in 0..<rounds {
                for (action, _) in Self.expected {
                    for (column, principal) in Self.principals.enumerated()
                    where Self.decide(principal, action, keyPolicy: keyPolicy, identity: identities[column]) == .allow {
                        allowed += 1
                    }
                }
            }
        }
        let decisions = rounds * Self.principals.count * Self.expected.count
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let allowsPerRound = Self.expected.map { $0.row.split(separator: " ").filter { $0 == "A" }.count }.reduce(0, +)
        #expect(allowed == rounds * allowsPerRound)
        print("authorization rate: \(decisions) decisions in \(elapsed), \(Int(Double(decisions) / seconds)) per second")
    }
}
