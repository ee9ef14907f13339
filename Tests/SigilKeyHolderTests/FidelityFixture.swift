import Foundation
import SigilKMS
import Testing

/// The keys, aliases and blobs the rows of ``FidelityTable`` name, made through the API on
/// a fresh key holder, and the placeholders that name them.
struct FidelityFixture: Sendable {
    /// `name` → value, for `{name}` in a row.
    let values: [String: String]

    /// Replaces every `{name}` the fixture knows; with `escaping`, as regular-expression
    /// literals (for patterns).
    func substitute(_ text: String, escaping: Bool = false) -> String {
        var result = text
        // Longest names first, so that `{sym}` never eats the start of `{sym.arn}`'s match.
        for (name, value) in values.sorted(by: { $0.key.count > $1.key.count }) {
            result = result.replacingOccurrences(
                of: "{\(name)}", with: escaping ? NSRegularExpression.escapedPattern(for: value) : value)
        }
        return result
    }

    static func make(_ kms: KMSTestClient) async throws -> FidelityFixture {
        var values: [String: String] = [:]
        func key(_ name: String, _ request: KMS.CreateKeyRequest = KMS.CreateKeyRequest()) async throws -> KMS.KeyMetadata {
            let metadata = try #require(try await kms.send(request).keyMetadata)
            values[name] = metadata.keyId
            let arn: String = try #require(metadata.arn)
            values["\(name).arn"] = arn
            return metadata
        }
        let sym = try await key("sym")
        _ = try await key("sym2")
        let disabled = try await key("disabled")
        _ = try await kms.send(KMS.DisableKeyRequest(keyId: disabled.keyId))
        let ecc = try await key("ecc", KMS.CreateKeyRequest(keyUsage: .signVerify, keySpec: .eccNistP256))
        let disabledEcc = try await key("disabledEcc", KMS.CreateKeyRequest(keyUsage: .signVerify, keySpec: .eccNistP256))
        _ = try await kms.send(KMS.DisableKeyRequest(keyId: disabledEcc.keyId))
        let rsa = try await key("rsa", KMS.CreateKeyRequest(keyUsage: .encryptDecrypt, keySpec: .rsa2048))
        for name in ["pending", "pending2"] {
            let doomed = try await key(name)
            _ = try await kms.send(KMS.ScheduleKeyDeletionRequest(keyId: doomed.keyId, pendingWindowInDays: 30))
        }
        _ = try await key("victim")
        _ = try await key("rotating")
        // Rotated twice on demand, automatic rotation on: three key materials.
        let rotated = try await key("rotated")
        _ = try await kms.send(KMS.EnableKeyRotationRequest(keyId: rotated.keyId))
        for _ in 0..<2 { _ = try await kms.send(KMS.RotateKeyOnDemandRequest(keyId: rotated.keyId)) }
        for (name, id) in [("sym", sym.keyId), ("rotated", rotated.keyId)] {
            let current = try await kms.send(KMS.DescribeKeyRequest(keyId: id)).keyMetadata?.currentKeyMaterialId
            let material: String = try #require(current)
            values["\(name).material"] = material
        }

        _ = try await kms.send(KMS.CreateAliasRequest(aliasName: "alias/fidelity", targetKeyId: sym.keyId))
        _ = try await kms.send(KMS.CreateAliasRequest(aliasName: "alias/fidelity-delete", targetKeyId: sym.keyId))
        _ = try await kms.send(
            KMS.TagResourceRequest(keyId: sym.keyId, tags: [.init(tagKey: "a", tagValue: "1"), .init(tagKey: "b", tagValue: "2")]))

        let blob = try await kms.encrypt(sym.keyId, [1, 2, 3], context: ["purpose": "fidelity"])
        values["blob"] = Base64Blob(blob).base64EncodedString
        let rsaBlob = try await kms.send(
            KMS.EncryptRequest(keyId: rsa.keyId, plaintext: Base64Blob([1, 2, 3]), encryptionAlgorithm: .rsaesOaepSha256))
        values["rsaBlob"] = try #require(rsaBlob.ciphertextBlob).base64EncodedString
        let digest = Base64Blob([UInt8](repeating: 7, count: 32))
        values["digest"] = digest.base64EncodedString
        let signed = try await kms.send(
            KMS.SignRequest(keyId: ecc.keyId, message: digest, messageType: .digest, signingAlgorithm: .ecdsaSha256))
        var signature = try #require(signed.signature).bytes
        values["signature"] = Base64Blob(signature).base64EncodedString
        signature[signature.count - 1] ^= 0x01
        values["badSignature"] = Base64Blob(signature).base64EncodedString

        // A well-formed key id of no key, in the account and region of the others.
        let arn = try #require(sym.arn)
        let parts = arn.split(separator: ":")
        values["region"] = String(parts[3])
        values["account"] = String(parts[4])
        let missing = UUID().uuidString.lowercased()
        values["missing"] = missing
        values["missing.arn"] = "arn:aws:kms:\(parts[3]):\(parts[4]):key/\(missing)"
        return FidelityFixture(values: values)
    }
}
