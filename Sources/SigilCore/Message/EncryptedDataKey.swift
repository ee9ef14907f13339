/// A data key encrypted to one recipient, as it travels in the message header.
public struct EncryptedDataKey: Hashable, Sendable, CustomStringConvertible {
    /// Who can open it: `aws-kms-rsa`, or a raw keyring's namespace.
    public let providerID: String
    /// Which key opens it: a KMS key ARN, or a raw keyring's key name.
    public let providerInfo: [UInt8]
    /// The wrapped data key.
    public let ciphertext: [UInt8]

    /// Creates an encrypted data key.
    public init(providerID: String, providerInfo: [UInt8], ciphertext: [UInt8]) {
        self.providerID = providerID
        self.providerInfo = providerInfo
        self.ciphertext = ciphertext
    }

    /// The provider id for keys wrapped to a KMS RSA key, opened through KMS Decrypt.
    public static let awsKMSRSAProviderID = "aws-kms-rsa"

    /// ``providerInfo`` as text, when it is UTF-8 (ARNs and key names are).
    public var providerInfoText: String? { String(validating: providerInfo, as: UTF8.self) }

    public var description: String {
        "\(providerID) \(providerInfoText ?? "<\(providerInfo.count) bytes>") (\(ciphertext.count)-byte ciphertext)"
    }
}

/// Someone a message is encrypted to: the data key is wrapped with their RSA public key.
public struct Recipient: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case awsKMSRSA(keyARN: String)
        case rawRSA(namespace: String, name: String)
    }

    let kind: Kind
    let publicKey: AsymmetricPublicKey
    /// The padding the data key is wrapped with.
    public let padding: RSAEncryptionPadding

    /// A KMS RSA key (key spec RSA_*, usage ENCRYPT_DECRYPT) that the key holder opens
    /// through KMS Decrypt: provider id `aws-kms-rsa`, provider info the key's full ARN, and
    /// RSA-OAEP of SHA-384(serialized encryption context) ‖ data key.
    ///
    /// - Parameters:
    ///   - keyARN: The key's full ARN, `arn:aws:kms:REGION:ACCOUNT:key/ID`.
    ///   - publicKey: Its public key, from GetPublicKey.
    ///   - padding: `.oaepSHA256` (KMS `RSAES_OAEP_SHA_256`, the default) or `.oaepSHA1`.
    /// - Throws: ``SigilError`` with code `invalidArgument` for a malformed ARN, another
    ///   padding or a non-RSA key.
    public static func awsKMSRSA(
        keyARN: String, publicKey: AsymmetricPublicKey, padding: RSAEncryptionPadding = .oaepSHA256
    ) throws -> Recipient {
        try KMSKeyARN.validate(keyARN)
        guard padding == .oaepSHA256 || padding == .oaepSHA1 else {
            throw SigilError(
                .invalidArgument, "aws-kms-rsa recipients use RSAES_OAEP_SHA_256 or RSAES_OAEP_SHA_1, not \(padding)")
        }
        try checkRSA(publicKey)
        return Recipient(kind: .awsKMSRSA(keyARN: keyARN), publicKey: publicKey, padding: padding)
    }

    /// A raw RSA key, named by a namespace and a key name as the SDKs' raw RSA keyrings are.
    ///
    /// - Parameters:
    ///   - namespace: The key namespace (provider id); never `aws-kms`-anything.
    ///   - name: The key name (provider info).
    ///   - publicKey: The RSA public key.
    ///   - padding: OAEP with SHA-1, SHA-256 (default), SHA-384 or SHA-512.
    /// - Throws: ``SigilError`` with code `invalidArgument`.
    public static func rawRSA(
        namespace: String, name: String, publicKey: AsymmetricPublicKey, padding: RSAEncryptionPadding = .oaepSHA256
    ) throws -> Recipient {
        guard !namespace.isEmpty, !name.isEmpty else {
            throw SigilError(.invalidArgument, "a raw RSA recipient needs a non-empty key namespace and key name")
        }
        guard !namespace.hasPrefix("aws-kms") else {
            throw SigilError(.invalidArgument, "key namespace '\(namespace)' is reserved for AWS KMS")
        }
        guard namespace.utf8.count <= Int(UInt16.max), name.utf8.count <= Int(UInt16.max) else {
            throw SigilError(.invalidArgument, "the key namespace or name is longer than 65535 bytes")
        }
        guard padding != .insecurePKCS1v1_5 else {
            throw SigilError(.invalidArgument, "Sigil never encrypts with PKCS#1 v1.5 padding; use OAEP")
        }
        try checkRSA(publicKey)
        return Recipient(kind: .rawRSA(namespace: namespace, name: name), publicKey: publicKey, padding: padding)
    }

    private static func checkRSA(_ key: AsymmetricPublicKey) throws {
        guard key.family == .rsa else {
            throw SigilError(.algorithmKeyMismatch, "recipients need an RSA public key, but this is an \(key.family) key")
        }
    }

    /// Whether this is an `aws-kms-rsa` recipient.
    public var isAWSKMSRSA: Bool {
        if case .awsKMSRSA = kind { return true }
        return false
    }

    /// Wraps `dataKey` for this recipient.
    func wrap(_ dataKey: SecureBytes, serializedContext: [UInt8]) throws -> EncryptedDataKey {
        switch kind {
        case let .awsKMSRSA(keyARN):
            let digest = try HashFunction.sha384.hash(serializedContext)
            let ciphertext = try dataKey.withUnsafeBytes { key in
                try publicKey.encrypt(digest + Array(key), padding: padding)
            }
            return EncryptedDataKey(
                providerID: EncryptedDataKey.awsKMSRSAProviderID, providerInfo: Array(keyARN.utf8), ciphertext: ciphertext)
        case let .rawRSA(namespace, name):
            let ciphertext = try dataKey.withUnsafeBytes { try publicKey.encrypt($0, padding: padding) }
            return EncryptedDataKey(providerID: namespace, providerInfo: Array(name.utf8), ciphertext: ciphertext)
        }
    }

    public var description: String {
        switch kind {
        case let .awsKMSRSA(keyARN): return "aws-kms-rsa \(keyARN) (\(padding))"
        case let .rawRSA(namespace, name): return "raw RSA \(namespace)/\(name) (\(padding))"
        }
    }
}

/// KMS key ARNs: `arn:PARTITION:kms:REGION:ACCOUNT:key/ID`.
enum KMSKeyARN {
    static func validate(_ arn: String) throws {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty, parts[2] == "kms", !parts[3].isEmpty,
            !parts[4].isEmpty, parts[5].hasPrefix("key/"), parts[5].count > 4
        else {
            throw SigilError(
                .invalidArgument, "'\(arn)' is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID)")
        }
    }
}
