/// Opens one of a message's encrypted data keys. The local implementation holds an RSA
/// private key; the key holder's client implements the same protocol with KMS Decrypt.
public protocol DataKeyUnwrapper: Sendable {
    /// Returns the plaintext data key from one of `header.encryptedDataKeys`.
    ///
    /// - Throws: ``SigilError`` with code `noMatchingRecipient` when no encrypted data key
    ///   is for this unwrapper, `decryptionFailure` when one is but does not open.
    func unwrapDataKey(for header: MessageHeader) async throws -> SecureBytes
}

/// Unwraps data keys with an RSA private key held locally: raw RSA keys by namespace and
/// name, or `aws-kms-rsa` keys by ARN (checking the encryption context digest).
public struct LocalRSAKeyUnwrapper: DataKeyUnwrapper {
    enum Match: Sendable {
        case awsKMSRSA(keyARN: String)
        case rawRSA(namespace: String, name: String)
    }

    let match: Match
    let privateKey: AsymmetricPrivateKey
    let padding: RSAEncryptionPadding

    /// Opens raw RSA encrypted data keys named `namespace`/`name`.
    ///
    /// - Parameter padding: The padding the keys were wrapped with; `.insecurePKCS1v1_5`
    ///   reads old messages only.
    public init(privateKey: AsymmetricPrivateKey, namespace: String, name: String, padding: RSAEncryptionPadding = .oaepSHA256) {
        self.match = .rawRSA(namespace: namespace, name: name)
        self.privateKey = privateKey
        self.padding = padding
    }

    /// Opens `aws-kms-rsa` encrypted data keys whose provider info is `keyARN`, as KMS
    /// Decrypt would with the private half of that key.
    ///
    /// - Parameter padding: `.oaepSHA256` (`RSAES_OAEP_SHA_256`) or `.oaepSHA1`.
    public init(privateKey: AsymmetricPrivateKey, keyARN: String, padding: RSAEncryptionPadding = .oaepSHA256) {
        self.match = .awsKMSRSA(keyARN: keyARN)
        self.privateKey = privateKey
        self.padding = padding
    }

    public func unwrapDataKey(for header: MessageHeader) async throws -> SecureBytes {
        try unwrap(header)
    }

    func unwrap(_ header: MessageHeader) throws -> SecureBytes {
        let candidates = header.encryptedDataKeys.filter(matches)
        guard !candidates.isEmpty else {
            let present = header.encryptedDataKeys.map { "\($0.providerID) \($0.providerInfoText ?? "?")" }
            throw SigilError(
                .noMatchingRecipient,
                "the message is not encrypted to \(wanted); it is encrypted to: \(present.joined(separator: "; "))")
        }
        var lastError: SigilError? = nil
        for key in candidates {
            do {
                return try open(key, header: header)
            } catch let error as SigilError {
                lastError = error
            }
        }
        throw lastError!
    }

    private var wanted: String {
        switch match {
        case let .awsKMSRSA(keyARN): return "aws-kms-rsa \(keyARN)"
        case let .rawRSA(namespace, name): return "\(namespace) \(name)"
        }
    }

    private func matches(_ key: EncryptedDataKey) -> Bool {
        switch match {
        case let .awsKMSRSA(keyARN):
            return key.providerID == EncryptedDataKey.awsKMSRSAProviderID && key.providerInfo == Array(keyARN.utf8)
        case let .rawRSA(namespace, name):
            return key.providerID == namespace && key.providerInfo == Array(name.utf8)
        }
    }

    private func open(_ key: EncryptedDataKey, header: MessageHeader) throws -> SecureBytes {
        let plaintext: SecureBytes
        do {
            plaintext = try privateKey.decrypt(key.ciphertext, padding: padding)
        } catch let error as SigilError where error.code == .decryptionFailure {
            throw SigilError(
                .decryptionFailure,
                "the data key for \(wanted) does not decrypt with this private key and \(padding): wrong key or padding, or an altered message")
        }
        switch match {
        case .rawRSA:
            guard plaintext.count == MessageKeys.dataKeySize else {
                throw SigilError(.decryptionFailure, "the data key for \(wanted) is \(plaintext.count) bytes, not 32")
            }
            return plaintext
        case .awsKMSRSA:
            return try AWSKMSRSADataKey.open(plaintext, header: header, keyName: wanted)
        }
    }
}

/// The plaintext of an `aws-kms-rsa` encrypted data key: SHA-384 of the serialized
/// encryption context (48 bytes), then the 32-byte data key. Shared by every unwrapper of
/// such keys — the local one and the key holder's client — so the check is written once.
public enum AWSKMSRSADataKey {
    /// Checks the context digest against the message's, in constant time, and returns
    /// the data key.
    ///
    /// - Parameters:
    ///   - plaintext: What RSA-OAEP (or KMS Decrypt) gave back.
    ///   - header: The message's header, whose encryption context the digest must match.
    ///   - keyName: The key, for error messages.
    /// - Throws: ``SigilError`` with code `decryptionFailure` for the wrong length,
    ///   `encryptionContextMismatch` when the digest is another context's.
    public static func open(_ plaintext: SecureBytes, header: MessageHeader, keyName: String) throws -> SecureBytes {
        let digestSize = HashFunction.sha384.digestSize
        guard plaintext.count == digestSize + MessageKeys.dataKeySize else {
            throw SigilError(
                .decryptionFailure,
                "the aws-kms-rsa data key for \(keyName) is \(plaintext.count) bytes, not \(digestSize + MessageKeys.dataKeySize)")
        }
        let expected = try HashFunction.sha384.hash(try header.encryptionContext.serialized())
        return try plaintext.withUnsafeBytes { bytes in
            let contextMatches = expected.withUnsafeBytes {
                ConstantTime.equals(UnsafeRawBufferPointer(rebasing: bytes[0..<digestSize]), $0)
            }
            guard contextMatches else {
                throw SigilError(
                    .encryptionContextMismatch,
                    "the aws-kms-rsa data key was wrapped for another encryption context than this message's")
            }
            return SecureBytes(bytes[digestSize...])
        }
    }
}