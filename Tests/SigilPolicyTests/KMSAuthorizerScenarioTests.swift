import SigilPolicy
import Testing

/// The situations of the key policy issue: key users, key administrators, another
/// account, Denies with conditions, and the default policy.
@Suite struct KMSAuthorizerScenarioTests {
    typealias F = Fixture

    static let userActions = [
        "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:DescribeKey",
    ]

    func decide(
        _ policy: PolicyDocument, _ principal: String, _ action: String, identity: [PolicyDocument] = [],
        context: [String: [String]] = [:]
    ) -> Decision {
        KMSAuthorizer.authorize(
            keyPolicy: policy, keyAccount: F.accountA, identityPolicies: identity,
            request: F.request(principal, action, context: context))
    }

    /// An identity policy allowing `actions` on `resource`.
    func identity(_ actions: [String], on resource: String = Fixture.keyARN) throws -> PolicyDocument {
        let list = "[" + actions.map { #""\#($0)""# }.joined(separator: ", ") + "]"
        return try F.identityPolicy(F.document(F.allowStatement(actions: list, resource: #""\#(resource)""#)))
    }

    // MARK: Key users and key administrators

    @Test func aKeyUserMayUseTheKeyButNotManageIt() throws {
        let policy = try F.keyPolicy(AuthorizationMatrixTests.keyPolicy)
        for action in Self.userActions {
            #expect(decide(policy, F.userA, action) == .allow, "\(action)")
        }
        for action in ["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey", "kms:Sign", "kms:GetKeyPolicy"] {
            #expect(decide(policy, F.userA, action) == .implicitDeny, "\(action)")
        }
    }

    @Test func aKeyAdministratorMayManageTheKeyButNotUseIt() throws {
        let policy = try F.keyPolicy(AuthorizationMatrixTests.keyPolicy)
        let allowed = [
            "kms:CreateAlias", "kms:DescribeKey", "kms:EnableKey", "kms:EnableKeyRotation", "kms:ListResourceTags",
            "kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:PutKeyPolicy", "kms:UpdateKeyDescription", "kms:UpdateAlias",
            "kms:RevokeGrant", "kms:DisableKey", "kms:DisableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus",
            "kms:GetPublicKey", "kms:DeleteAlias", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
            "kms:CancelKeyDeletion",
        ]
        for action in allowed {
            #expect(decide(policy, F.adminA, action) == .allow, "\(action)")
        }
        for action in ["kms:Decrypt", "kms:Sign", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:RotateKeyOnDemand"] {
            #expect(decide(policy, F.adminA, action) == .implicitDeny, "\(action)")
        }
    }

    // MARK: Another account

    static let crossAccountPolicy = """
        {"Version": "2012-10-17", "Statement": [
          {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
           "Action": "kms:*", "Resource": "*"},
          {"Sid": "Allow account B", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
           "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": "*",
           "Condition": {"StringEquals": {"kms:CallerAccount": "444455556666"}}}
        ]}
        """

    @Test func anotherAccountsRootNeedsOnlyTheKeyPolicy() throws {
        let policy = try F.keyPolicy(Self.crossAccountPolicy)
        #expect(decide(policy, F.rootB, "kms:Decrypt") == .allow)
        #expect(decide(policy, F.rootB, "kms:Sign") == .implicitDeny)
        #expect(decide(policy, F.rootB, "kms:ScheduleKeyDeletion") == .implicitDeny)
    }

    @Test func anotherAccountsUserNeedsItsOwnIdentityPolicyToo() throws {
        let policy = try F.keyPolicy(Self.crossAccountPolicy)
        #expect(decide(policy, F.userB, "kms:Decrypt") == .implicitDeny)
        let allowsDecrypt = try identity(["kms:Decrypt", "kms:Sign"])
        #expect(decide(policy, F.userB, "kms:Decrypt", identity: [allowsDecrypt]) == .allow)
        // The identity policy alone does not open what the key policy keeps shut.
        #expect(decide(policy, F.userB, "kms:Sign", identity: [allowsDecrypt]) == .implicitDeny)
        // The key policy alone does not open what the identity policy does not name.
        #expect(decide(policy, F.userB, "kms:Encrypt", identity: [allowsDecrypt]) == .implicitDeny)
        // An identity policy for another key does not count.
        let otherKey = try identity(["kms:Decrypt"], on: F.otherKeyARN)
        #expect(decide(policy, F.userB, "kms:Decrypt", identity: [otherKey]) == .implicitDeny)
        let anyKey = try identity(["kms:Decrypt"], on: "*")
        #expect(decide(policy, F.userB, "kms:Decrypt", identity: [anyKey]) == .allow)
    }

    @Test func theCallerAccountConditionHolds() throws {
        let policy = try F.keyPolicy(Self.crossAccountPolicy)
        let allowsDecrypt = try identity(["kms:Decrypt"])
        // A context claiming another caller account fails the condition.
        let lying = ["kms:CallerAccount": [F.accountA]]
        #expect(decide(policy, F.rootB, "kms:Decrypt", context: lying) == .implicitDeny)
        #expect(decide(policy, F.userB, "kms:Decrypt", identity: [allowsDecrypt], context: lying) == .implicitDeny)
        // Account A's users are not named by account B's statement.
        #expect(decide(policy, F.userA, "kms:Decrypt", identity: [allowsDecrypt]) == .allow)
        #expect(decide(policy, F.userA, "kms:Decrypt") == .implicitDeny)
    }

    @Test func namingAnotherAccountsUserStillNeedsItsIdentityPolicy() throws {
        let policy = try F.keyPolicy(
            F.document(
                #"{"Effect": "Allow", "Principal": {"AWS": "\#(F.userB)"}, "Action": "kms:Decrypt", "Resource": "*"}"#,
                #"{"Effect": "Allow", "Principal": "*", "Action": "kms:DescribeKey", "Resource": "*"}"#))
        #expect(decide(policy, F.userB, "kms:Decrypt") == .implicitDeny)
        #expect(decide(policy, F.userB, "kms:Decrypt", identity: [try identity(["kms:Decrypt"])]) == .allow)
        // Principal "*": in the key's account it names the caller directly, elsewhere the caller's account must agree.
        #expect(decide(policy, F.roleA, "kms:DescribeKey") == .allow)
        #expect(decide(policy, F.userB, "kms:DescribeKey") == .implicitDeny)
        #expect(decide(policy, F.rootB, "kms:DescribeKey") == .allow)
        #expect(decide(policy, F.userB, "kms:DescribeKey", identity: [try identity(["kms:Describe*"])]) == .allow)
    }

    // MARK: Denies with conditions

    static let tenantPolicy = """
        {"Version": "2012-10-17", "Statement": [
          {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
           "Action": "kms:*", "Resource": "*"},
          {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/KeyUser"},
           "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"], "Resource": "*"},
          {"Sid": "Blue tenant only", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
           "Condition": {"StringNotEquals": {"kms:EncryptionContext:tenant": "blue"}}},
          {"Sid": "Context required", "Effect": "Deny", "Principal": {"AWS": "111122223333"},
           "Action": ["kms:Encrypt", "kms:GenerateDataKey*"], "Resource": "*",
           "Condition": {"Null": {"kms:EncryptionContextKeys": "true"}}}
        ]}
        """

    @Test func aDenyWithAConditionOverridesAnAllow() throws {
        let policy = try F.keyPolicy(Self.tenantPolicy)
        #expect(decide(policy, F.userA, "kms:Decrypt", context: ["kms:EncryptionContext:tenant": ["blue"]]) == .allow)
        #expect(decide(policy, F.userA, "kms:Decrypt", context: ["kms:EncryptionContext:tenant": ["red"]]) == .explicitDeny)
        #expect(decide(policy, F.userA, "kms:Decrypt", context: ["kms:EncryptionContext:tenant": ["Blue"]]) == .explicitDeny)
        // A missing key makes the negated operator hold: the Deny applies.
        #expect(decide(policy, F.userA, "kms:Decrypt") == .explicitDeny)
        // It applies to the account's root as well.
        #expect(decide(policy, F.rootA, "kms:Decrypt", context: ["kms:EncryptionContext:tenant": ["red"]]) == .explicitDeny)
        #expect(decide(policy, F.rootA, "kms:Decrypt", context: ["kms:EncryptionContext:tenant": ["blue"]]) == .allow)
    }

    @Test func aDenyOnAMissingEncryptionContext() throws {
        let policy = try F.keyPolicy(Self.tenantPolicy)
        let withContext = ["kms:EncryptionContextKeys": ["tenant"], "kms:EncryptionContext:tenant": ["blue"]]
        #expect(decide(policy, F.userA, "kms:Encrypt") == .explicitDeny)
        #expect(decide(policy, F.userA, "kms:GenerateDataKeyWithoutPlaintext") == .explicitDeny)
        #expect(decide(policy, F.userA, "kms:Encrypt", context: withContext) == .allow)
        #expect(decide(policy, F.userA, "kms:GenerateDataKey", context: withContext) == .allow)
        // The Deny names account A; a user of A is covered through its account.
        #expect(decide(policy, F.roleA, "kms:Encrypt", identity: [try identity(["kms:Encrypt"])]) == .explicitDeny)
        #expect(decide(policy, F.roleA, "kms:Encrypt", identity: [try identity(["kms:Encrypt"])], context: withContext) == .allow)
    }

    @Test func anIdentityPolicyDenyOverridesTheKeyPolicy() throws {
        let policy = try F.keyPolicy(AuthorizationMatrixTests.keyPolicy)
        let deny = try F.identityPolicy(
            F.document(#"{"Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"}"#))
        #expect(decide(policy, F.userA, "kms:Decrypt") == .allow)
        #expect(decide(policy, F.userA, "kms:Decrypt", identity: [deny]) == .explicitDeny)
        #expect(decide(policy, F.userA, "kms:Encrypt", identity: [deny]) == .allow)
    }

    @Test func notPrincipalExemptsOnlyWhatItNames() throws {
        let policy = try F.keyPolicy(
            F.document(
                #"""
                {"Effect": "Allow", "Principal": {"AWS": ["\#(F.adminA)", "\#(F.userA)", "\#(F.rootA)"]},
                 "Action": "kms:*", "Resource": "*"}
                """#,
                #"""
                {"Effect": "Deny", "NotPrincipal": {"AWS": ["\#(F.adminA)", "\#(F.accountA)", "\#(F.userA)"]},
                 "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}
                """#,
                #"{"Effect": "Deny", "NotPrincipal": {"AWS": ["\#(F.adminA)"]}, "Action": "kms:DisableKey", "Resource": "*"}"#))
        #expect(decide(policy, F.adminA, "kms:ScheduleKeyDeletion") == .allow)
        #expect(decide(policy, F.rootA, "kms:ScheduleKeyDeletion") == .allow)
        #expect(decide(policy, F.roleA, "kms:ScheduleKeyDeletion") == .explicitDeny)
        // Naming a user without its account does not exempt it (as in AWS).
        #expect(decide(policy, F.adminA, "kms:DisableKey") == .explicitDeny)
        #expect(decide(policy, F.userA, "kms:Decrypt") == .allow)
    }

    // MARK: The default policy

    @Test func theDefaultPolicyLetsRootDoEverything() throws {
        let policy = try F.keyPolicy(PolicyDocument.defaultKeyPolicy(account: F.accountA))
        for action in KMSAuthorizer.keyActions {
            #expect(decide(policy, F.rootA, action) == .allow, "\(action)")
            #expect(decide(policy, F.userA, action) == .implicitDeny, "\(action)")
            #expect(decide(policy, F.rootB, action) == .implicitDeny, "\(action)")
        }
    }

    @Test func theDefaultPolicyLetsAUserDoWhatItsIdentityPolicyAllowsAndNothingElse() throws {
        let policy = try F.keyPolicy(PolicyDocument.defaultKeyPolicy(account: F.accountA))
        let allowed: Set = ["kms:Encrypt", "kms:DescribeKey", "kms:GenerateDataKeyPair"]
        let own = try F.identityPolicy(
            F.document(
                F.allowStatement(actions: #"["kms:Encrypt", "kms:DescribeKey"]"#, resource: #""\#(F.keyARN)""#),
                F.allowStatement(actions: #""kms:GenerateDataKeyPair""#, resource: #""arn:aws:kms:*:111122223333:key/*""#),
                F.allowStatement(actions: #""kms:Decrypt""#, resource: #""\#(F.otherKeyARN)""#)))
        for action in KMSAuthorizer.keyActions {
            let expected: Decision = allowed.contains(action) ? .allow : .implicitDeny
            #expect(decide(policy, F.userA, action, identity: [own]) == expected, "\(action)")
        }
        // The same identity policy in another account opens nothing: the default policy names only account A.
        #expect(decide(policy, F.userB, "kms:Encrypt", identity: [own]) == .implicitDeny)
    }

    @Test func evaluatingTheKeyPolicyAloneDoesNotHonourDelegation() throws {
        let policy = try F.keyPolicy(PolicyDocument.defaultKeyPolicy(account: F.accountA))
        #expect(policy.evaluate(F.request(F.rootA, "kms:Decrypt")) == .allow)
        #expect(policy.evaluate(F.request(F.userA, "kms:Decrypt")) == .implicitDeny)
    }

    // MARK: Misuse and the lockout check

    @Test func documentsOfTheWrongKindAllowNothing() throws {
        let anything = try F.identityPolicy(F.document(F.allowStatement()))
        #expect(anything.evaluate(F.request(F.userB, "kms:Decrypt")) == .allow)
        // An identity policy given as a key policy would name no principal, so anyone: refused.
        #expect(decide(anything, F.userA, "kms:Decrypt", identity: [anything]) == .implicitDeny)
        #expect(decide(anything, F.rootA, "kms:Decrypt") == .implicitDeny)
        // A key policy given as an identity policy grants nothing either.
        let keyPolicy = try F.keyPolicy(PolicyDocument.defaultKeyPolicy(account: F.accountA))
        let anyone = try F.keyPolicy(
            F.document(#"{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}"#))
        #expect(decide(keyPolicy, F.userA, "kms:Decrypt", identity: [anyone]) == .implicitDeny)
        // Its Denies still count.
        let denyAll = try F.keyPolicy(
            F.document(#"{"Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*"}"#))
        #expect(decide(keyPolicy, F.rootA, "kms:Decrypt", identity: [denyAll]) == .explicitDeny)
    }

    @Test func theLockoutCheckRefusesAPolicyThatShutsOutItsAuthor() throws {
        func passes(_ policy: String, _ principal: String, identity: [PolicyDocument] = []) throws -> Bool {
            KMSAuthorizer.lockoutCheck(
                keyPolicy: try F.keyPolicy(policy), keyAccount: F.accountA,
                caller: F.request(principal, "kms:PutKeyPolicy"), identityPolicies: identity)
        }
        let userOnly = F.document(
            #"{"Effect": "Allow", "Principal": {"AWS": "\#(F.userA)"}, "Action": "kms:Decrypt", "Resource": "*"}"#)
        #expect(try !passes(userOnly, F.rootA))
        #expect(try !passes(userOnly, F.userA))
        #expect(try passes(PolicyDocument.defaultKeyPolicy(account: F.accountA), F.rootA))
        #expect(try !passes(PolicyDocument.defaultKeyPolicy(account: F.accountA), F.adminA))
        let mayPutPolicy = try identity(["kms:PutKeyPolicy"])
        #expect(try passes(PolicyDocument.defaultKeyPolicy(account: F.accountA), F.adminA, identity: [mayPutPolicy]))
        #expect(try passes(AuthorizationMatrixTests.keyPolicy, F.adminA))
        // The check is about PutKeyPolicy whatever action the request carried.
        #expect(
            KMSAuthorizer.lockoutCheck(
                keyPolicy: try F.keyPolicy(AuthorizationMatrixTests.keyPolicy), keyAccount: F.accountA,
                caller: F.request(F.userA, "kms:Decrypt"), identityPolicies: []) == false)
    }

    @Test func actionsOnNoKeyAreDecidedByIdentityPoliciesAlone() throws {
        let create = try F.identityPolicy(F.document(F.allowStatement(actions: #"["kms:CreateKey", "kms:List*"]"#)))
        let keyOnly = try identity(["kms:CreateKey"])
        let deny = try F.identityPolicy(F.document(#"{"Effect": "Deny", "Action": "kms:CreateKey", "Resource": "*"}"#))
        func decide(_ principal: String, _ action: String, _ identity: [PolicyDocument]) -> Decision {
            KMSAuthorizer.authorize(identityPolicies: identity, request: F.request(principal, action, resource: "*"))
        }
        #expect(decide(F.rootA, "kms:CreateKey", []) == .allow)
        #expect(decide(F.rootB, "kms:GenerateRandom", []) == .allow)
        #expect(decide(F.userA, "kms:CreateKey", []) == .implicitDeny)
        #expect(decide(F.userA, "kms:CreateKey", [create]) == .allow)
        #expect(decide(F.userA, "kms:ListAliases", [create]) == .allow)
        #expect(decide(F.userA, "kms:GenerateRandom", [create]) == .implicitDeny)
        #expect(decide(F.userA, "kms:CreateKey", [keyOnly]) == .implicitDeny)
        #expect(decide(F.userA, "kms:CreateKey", [create, deny]) == .explicitDeny)
        #expect(decide(F.rootA, "kms:CreateKey", [deny]) == .explicitDeny)
    }

    @Test func theActionListsCoverEveryOperation() {
        #expect(KMSAuthorizer.keyActions.count == 31 && KMSAuthorizer.accountActions.count == 4)
        #expect(Set(KMSAuthorizer.allActions).count == 35)
        #expect(KMSAuthorizer.allActions.allSatisfy { $0.hasPrefix("kms:") })
        #expect(KMSAuthorizer.isAccountAction("KMS:createkey") && KMSAuthorizer.isAccountAction("kms:ListAliases"))
        #expect(!KMSAuthorizer.isAccountAction("kms:DescribeKey") && !KMSAuthorizer.isAccountAction("kms:CreateKeys"))
    }
}
