import Foundation
import Sigil
import SigilCommands
import SigilKMS

/// Opens `aws-kms-rsa` encrypted data keys through the key holder's Decrypt, so that the
/// private key never leaves it.
///
/// The ciphertext of such a key is RSA-OAEP(SHA-384(serialized encryption context) ‖
/// 32-byte data key). KMS Decrypt returns those 80 bytes; the first 48 must equal the
/// SHA-384 of this message's serialized encryption context (compared in constant time),
/// and the other 32 are the data key.
struct KMSDataKeyUnwrapper: DataKeyUnwrapper {
    let connection: KeyHolderConnection
    let keyARN: String
    let encryptionAlgorithm: KMS.EncryptionAlgorithm

    /// KMS errors that mean "this encrypted data key does not open": the message is at
    /// fault (or not for this key), not the configuration.
    static let ciphertextErrors: Set<String> = ["InvalidCiphertextException", "IncorrectKeyException"]

    /// - Parameter padding: `.oaepSHA256` (RSAES_OAEP_SHA_256) or `.oaepSHA1` (RSAES_OAEP_SHA_1).
    init(connection: KeyHolderConnection, keyARN: String, padding: RSAEncryptionPadding) throws {
        self.connection = connection
        self.keyARN = keyARN
        switch padding {
        case .oaepSHA256: encryptionAlgorithm = .rsaesOaepSha256
        case .oaepSHA1: encryptionAlgorithm = .rsaesOaepSha1
        default:
            throw SigilError(
                .invalidArgument, "the key holder decrypts aws-kms-rsa data keys with oaep-sha256 or oaep-sha1, not \(padding)")
        }
    }

    func unwrapDataKey(for header: MessageHeader) async throws -> SecureBytes {
        let candidates = header.encryptedDataKeys.filter {
            $0.providerID == EncryptedDataKey.awsKMSRSAProviderID && $0.providerInfo == Array(keyARN.utf8)
        }
        guard !candidates.isEmpty else {
            let present = header.encryptedDataKeys.map { "\($0.providerID) \($0.providerInfoText ?? "?")" }
            throw SigilError(
                .noMatchingRecipient,
                "the message is not encrypted to aws-kms-rsa \(keyARN); it is encrypted to: \(present.joined(separator: "; "))")
        }
        var lastError: (any Error)?
        for key in candidates {
            do {
                return try await open(key, header: header)
            } catch let error as SigilError where error.code == .decryptionFailure || error.code == .encryptionContextMismatch {
                lastError = error
            }
        }
        throw lastError!
    }

    private func open(_ key: EncryptedDataKey, header: MessageHeader) async throws -> SecureBytes {
        let response: KMS.DecryptResponse
        do {
            response = try await connection.call {
                try await $0.decrypt(ciphertextBlob: key.ciphertext, keyId: keyARN, encryptionAlgorithm: encryptionAlgorithm)
            }
        } catch let error as KMSError where Self.ciphertextErrors.contains(error.type) {
            throw SigilError(
                .decryptionFailure,
                "the key holder cannot decrypt the data key for \(keyARN) with \(encryptionAlgorithm.rawValue) "
                    + "(\(error)): wrong key or padding, or an altered message")
        }
        if let answered = response.keyId, answered != keyARN {
            throw SigilError(.decryptionFailure, "the key holder answered Decrypt with key \(answered), not \(keyARN)")
        }
        return try AWSKMSRSADataKey.open(SecureBytes(response.plaintext?.bytes ?? []), header: header, keyName: keyARN)
    }
}
