// The policy language: SigilPolicy's PolicyDocument parser, then evaluation of fixed
// requests against whatever parses.
//
// Input: one control byte (bit 0: identity policy rather than key policy; bit 1: check
// principals against a set of known accounts), then the document as UTF-8. Invariants:
// the authorizer denies explicitly exactly when the document alone does; evaluating is
// deterministic.
import Foundation
import SigilPolicy

enum FuzzTarget {
    static let owner = "111122223333"
    static let partner = "444455556666"
    static let keyARN = "arn:aws:kms:us-east-1:\(owner):key/1234abcd-12ab-34cd-56ef-1234567890ab"

    /// A same-account user encrypting with a context, another account's root decrypting,
    /// and an account-level action: between them most condition keys and principal forms.
    static let requests: [AuthorizationRequest] = [
        AuthorizationRequest(
            principalARN: "arn:aws:iam::\(owner):user/alice", principalAccount: owner, action: "kms:Encrypt",
            resource: keyARN,
            context: [
                "kms:EncryptionContext:tenant": ["blue"], "kms:EncryptionContextKeys": ["tenant"],
                "kms:EncryptionAlgorithm": ["SYMMETRIC_DEFAULT"], "kms:ViaService": [],
                "aws:SecureTransport": ["true"], "aws:SourceIp": ["192.0.2.10"],
                "aws:CurrentTime": ["2026-01-01T00:00:00Z"], "aws:EpochTime": ["1767225600"],
                "aws:RequestedRegion": ["us-east-1"], "kms:CallerAccount": [owner],
            ]),
        AuthorizationRequest(
            principalARN: "arn:aws:iam::\(partner):root", principalAccount: partner, action: "kms:Decrypt",
            resource: keyARN,
            context: [
                "kms:EncryptionContext:Tenant": ["red"], "aws:SecureTransport": ["false"],
                "aws:SourceIp": ["2001:db8::1"], "kms:GrantIsForAWSResource": ["false"],
            ]),
        AuthorizationRequest(
            principalARN: "arn:aws:iam::\(owner):role/Builder", principalAccount: owner, action: "kms:CreateKey",
            resource: "*", context: ["kms:KeySpec": ["ECC_NIST_P256"], "kms:KeyUsage": ["SIGN_VERIFY"]]),
    ]

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let control = input.byte()
        let kind: PolicyDocument.Kind = control & 1 == 0 ? .keyPolicy : .identityPolicy
        let known: Set<String>? = control & 2 == 0 ? nil : [owner, partner]
        let json = String(decoding: input.rest, as: UTF8.self)
        guard let document = try? PolicyDocument(json: json, kind: kind, knownAccounts: known) else { return }
        invariant(document.text == json, "the document text is not what was given")
        for request in requests {
            let decision = document.evaluate(request)
            invariant(document.evaluate(request) == decision, "evaluation is not deterministic")
            let authorized: Decision
            if request.resource == "*" {
                authorized = KMSAuthorizer.authorize(identityPolicies: [document], request: request)
            } else {
                authorized = KMSAuthorizer.authorize(
                    keyPolicy: document, keyAccount: owner, identityPolicies: [], request: request)
                _ = KMSAuthorizer.lockoutCheck(keyPolicy: document, keyAccount: owner, caller: request, identityPolicies: [])
            }
            invariant(
                (authorized == .explicitDeny) == (decision == .explicitDeny),
                "the authorizer says \(authorized) where the document alone says \(decision)")
        }
    }

    static func seeds() throws -> [(String, [UInt8])] {
        let keyPolicy: UInt8 = 0
        let identityPolicy: UInt8 = 1
        let documents: [(String, UInt8, String)] = [
            ("default-key-policy", keyPolicy, PolicyDocument.defaultKeyPolicy(account: owner)),
            ("conditions", keyPolicy | 2, """
                {"Version":"2012-10-17","Id":"conditions","Statement":[
                {"Sid":"Use","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::\(owner):user/alice","\(partner)"]},
                 "Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*",
                 "Condition":{"StringEquals":{"kms:EncryptionContext:tenant":"blue"},
                  "ForAllValues:StringLike":{"kms:EncryptionContextKeys":["ten*","purpose"]},
                  "Bool":{"aws:SecureTransport":"true"},
                  "IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]},
                  "DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},
                  "NumericGreaterThanEquals":{"aws:EpochTime":"1700000000"}}},
                {"Sid":"NoPlainHTTP","Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*",
                 "Condition":{"BoolIfExists":{"aws:SecureTransport":"false"},"Null":{"kms:ViaService":"true"}}}]}
                """),
            ("not-principal", keyPolicy, """
                {"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::\(owner):root"},
                 "NotAction":["kms:Describe*","kms:Get*"],"Resource":"*",
                 "Condition":{"StringNotEqualsIgnoreCase":{"kms:CallerAccount":"\(owner)"},
                  "ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}}}
                """),
            ("identity-policy", identityPolicy, """
                {"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"kms:CreateKey","Resource":"*",
                 "Condition":{"StringEquals":{"kms:KeySpec":["ECC_NIST_P256","RSA_2048"],"kms:KeyUsage":"SIGN_VERIFY"}}},
                {"Effect":"Allow","Action":["kms:Encrypt"],"NotResource":"arn:aws:kms:*:\(partner):key/*"}]}
                """),
            ("version-2008", identityPolicy, """
                {"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt",
                 "Resource":"arn:aws:kms:us-east-1:\(owner):key/${aws:username}",
                 "Condition":{"StringLikeIfExists":{"kms:EncryptionContext:path":"${x}/?*"}}}]}
                """),
        ]
        return documents.map { name, control, text in (name, [control] + Array(text.utf8)) }
    }
}
