import Foundation
import Sigil
import SigilKMS
import SigilKeyStore

/// The symmetric half of KMS (Encrypt/Decrypt with `SYMMETRIC_DEFAULT`, ReEncrypt, the
/// data-key operations), rotation, aliases and tags.
extension KeyHolderService {
    /// KMS's limit on an Encrypt plaintext.
    static let maximumPlaintext = 4096
    /// KMS's limit on a ciphertext blob (`CiphertextType`).
    static let maximumCiphertext = 6144
    /// KMS allows 25 on-demand rotations per key.
    static let maximumOnDemandRotations = 25

    // MARK: - Symmetric ciphertexts

    /// Checks that an `EncryptionAlgorithm` is absent or `SYMMETRIC_DEFAULT`, as a
    /// symmetric key needs.
    func checkSymmetricAlgorithm(_ algorithm: KMS.EncryptionAlgorithm?, for key: KeyRecord, member: String) throws {
        guard let algorithm, algorithm != .symmetricDefault else { return }
        let known = try algorithm.validated(member: member)
        throw KMSError.invalidKeyUsage(
            "\(key.arn) is a symmetric key: \(member) \(known.rawValue) is not compatible with it; use SYMMETRIC_DEFAULT")
    }

    /// Seals bytes under the current material of a symmetric key, bound to the context.
    ///
    /// No length limit here: Encrypt applies KMS's 4096 bytes; a data key pair's private
    /// key (up to ~2.4 KB) is sealed the same way.
    func sealSymmetric(_ plaintext: [UInt8], key: KeyRecord, context: [String: String]?) throws -> [UInt8] {
        guard key.spec.isSymmetric else { throw KMSError.internalFailure() }
        let version = key.currentVersion
        let material = try mapStoreErrors { try symmetricKey(key, version: version) }
        guard let aad = SymmetricCiphertext.aad(
            keyID: key.id, materialVersion: version, keyARN: key.arn, context: context)
        else {
            throw KMSError.validation("The encryption context is too large")
        }
        let nonce = try SecureRandom.bytes(count: SymmetricCiphertext.nonceSize)
        let sealed = try AESGCM.seal(plaintext, key: material, nonce: nonce, authenticating: aad)
        return SymmetricCiphertext(
            keyID: key.id, materialVersion: version, nonce: nonce, ciphertext: sealed.ciphertext, tag: sealed.tag
        ).bytes
    }

    /// Opens a symmetric ciphertext blob.
    ///
    /// - Parameters:
    ///   - blob: The blob from the request.
    ///   - context: The encryption context it must have been sealed with.
    ///   - expected: The key the caller named, if any, already authorized: the blob must
    ///     be of that key.
    ///   - action: The policy action on the blob's key, when not the operation's own.
    ///   - conditions: The `kms:` condition keys, when not those of the request's body.
    ///   - admitting: Whether to count the request against its quota on the blob's key.
    /// - Returns: The key that sealed it and the plaintext.
    /// - Throws: `InvalidCiphertextException` for anything that is not an authentic blob
    ///   (including a different context); `IncorrectKeyException` when it is of another
    ///   key than `expected`; `AccessDeniedException`, worded as KMS words it, when the
    ///   blob names a key that does not exist here, does not suit it, or that the caller
    ///   may not use — the same answer for each, so a caller learns nothing of keys it
    ///   may not use; `DisabledException` and `KMSInvalidStateException` for a key that
    ///   cannot be used now.
    func openSymmetric(
        _ blob: [UInt8], context: [String: String]?, expected: KeyRecord?, caller: Call, action: String? = nil,
        conditions: [String: [String]]? = nil, admitting: Bool = true
    ) throws -> (key: KeyRecord, plaintext: [UInt8]) {
        guard blob.count <= Self.maximumCiphertext else {
            throw KMSError.validation(
                "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length less than or equal to \(Self.maximumCiphertext)")
        }
        guard let parsed = SymmetricCiphertext(parsing: blob) else {
            throw KMSError.invalidCiphertext("The ciphertext is not a ciphertext blob of this key holder")
        }
        let key: KeyRecord
        if let expected {
            guard expected.id == parsed.keyID else {
                throw KMSError.incorrectKey(
                    "The key ID in the request does not identify the key that encrypted the ciphertext (\(expected.arn))")
            }
            key = expected
        } else {
            // The key may be another account's: its key policy decides, as in KMS.
            guard let found = try store.key(id: parsed.keyID), found.region == configuration.region,
                found.spec.isSymmetric, found.usage == .encryptDecrypt
            else {
                throw Self.ciphertextKeyRefused
            }
            do {
                try authorize(found, caller, action: action, conditions: conditions, admitting: admitting)
            } catch let error as KMSError where error.type == "AccessDeniedException" {
                throw Self.ciphertextKeyRefused
            }
            key = found
        }
        try checkUsable(key)
        guard parsed.materialVersion <= key.currentVersion,
            let aad = SymmetricCiphertext.aad(
                keyID: key.id, materialVersion: parsed.materialVersion, keyARN: key.arn, context: context)
        else {
            throw KMSError.invalidCiphertext("The ciphertext refers to key material that \(key.arn) does not have")
        }
        let material = try symmetricKey(key, version: parsed.materialVersion)
        do {
            let plaintext = try AESGCM.open(
                parsed.ciphertext, tag: parsed.tag, key: material, nonce: parsed.nonce, authenticating: aad)
            return (key, plaintext)
        } catch let error as SigilError where error.code == .authenticationFailure {
            throw KMSError.invalidCiphertext(
                "The ciphertext does not decrypt with \(key.arn): it was altered or the encryption context differs")
        }
    }

    /// KMS's answer to a ciphertext whose key the caller cannot have: one answer whether
    /// the key is missing, elsewhere, unsuitable or not the caller's to use.
    static let ciphertextKeyRefused = KMSError.accessDenied(
        "The ciphertext refers to a customer master key that does not exist, does not exist in this region, "
            + "or you are not allowed to access.")

    func encryptSymmetric(_ request: KMS.EncryptRequest, key: KeyRecord) throws -> KMS.EncryptResponse {
        try checkSymmetricAlgorithm(request.encryptionAlgorithm, for: key, member: "EncryptionAlgorithm")
        guard (1...Self.maximumPlaintext).contains(request.plaintext.count) else {
            throw KMSError.validation(
                "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and \(Self.maximumPlaintext)")
        }
        if request.dryRun == true { throw dryRunSucceeded() }
        let blob = try sealSymmetric(request.plaintext.bytes, key: key, context: request.encryptionContext)
        return KMS.EncryptResponse(ciphertextBlob: Base64Blob(blob), keyId: key.arn, encryptionAlgorithm: .symmetricDefault)
    }

    func decryptSymmetric(_ request: KMS.DecryptRequest, blob: [UInt8], caller: Call) throws -> KMS.DecryptResponse {
        let expected = try request.keyId.map { try symmetricDecryptionKey(find($0, caller), caller, operation: "Decrypt") }
        if request.dryRun == true {
            _ = try openSymmetric(blob, context: request.encryptionContext, expected: expected, caller: caller)
            throw dryRunSucceeded()
        }
        let (key, plaintext) = try openSymmetric(
            blob, context: request.encryptionContext, expected: expected, caller: caller)
        return KMS.DecryptResponse(keyId: key.arn, plaintext: Base64Blob(plaintext), encryptionAlgorithm: .symmetricDefault)
    }

    /// The key a caller names for a symmetric decryption, authorized first (nothing about
    /// it is told before), then checked: an encryption key, symmetric. Its state is checked
    /// once the blob names it.
    private func symmetricDecryptionKey(
        _ named: NamedKey, _ caller: Call, operation: String, action: String? = nil,
        conditions: [String: [String]]? = nil, admitting: Bool = true
    ) throws -> KeyRecord {
        try authorize(named, caller, action: action, conditions: conditions, admitting: admitting)
        let key = named.key
        try checkUsage(key, .encryptDecrypt, operation)
        guard key.spec.isSymmetric else {
            throw KMSError.invalidKeyUsage(
                "\(key.arn) is an asymmetric key: SYMMETRIC_DEFAULT is not compatible with it; name RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256")
        }
        return key
    }

    private func dryRunSucceeded() -> KMSError {
        KMSError(type: "DryRunOperationException", message: "The request would have succeeded, but the DryRun flag is set.")
    }

    // MARK: - ReEncrypt

    /// ReEncrypt: each side authorized with its own condition keys — `kms:ReEncryptFrom`
    /// on the source key with the source's algorithm and encryption context,
    /// `kms:ReEncryptTo` on the destination key with the destination's — and
    /// `kms:ReEncryptOnSameKey` on both. The destination first: a request that cannot
    /// succeed decrypts nothing.
    func reEncrypt(_ request: KMS.ReEncryptRequest, _ caller: Call) async throws -> KMS.ReEncryptResponse {
        guard let blob = request.ciphertextBlob, !blob.bytes.isEmpty else {
            throw KMSError.validation(
                "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must not be null")
        }
        guard blob.count <= Self.maximumCiphertext else {
            throw KMSError.validation(
                "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length less than or equal to \(Self.maximumCiphertext)")
        }
        let sourceAlgorithm = request.sourceEncryptionAlgorithm ?? .symmetricDefault
        if sourceAlgorithm != .symmetricDefault { _ = try sourceAlgorithm.validated(member: "SourceEncryptionAlgorithm") }
        // Which key the ciphertext is of — from the blob, or SourceKeyId for RSA — before
        // either side is authorized, since both sides' conditions say whether it is the same.
        let destinationNamed = try find(request.destinationKeyId, caller)
        let sourceNamed = try request.sourceKeyId.map { try find($0, caller) }
        let sourceKeyID: String
        if sourceAlgorithm == .symmetricDefault {
            guard let parsed = SymmetricCiphertext(parsing: blob.bytes) else {
                throw KMSError.invalidCiphertext("The ciphertext is not a ciphertext blob of this key holder")
            }
            sourceKeyID = parsed.keyID
        } else {
            guard let sourceNamed else {
                throw KMSError.validation("SourceKeyId is required when the ciphertext was encrypted under an asymmetric key (\(sourceAlgorithm.rawValue))")
            }
            sourceKeyID = sourceNamed.key.id
        }
        let sameKey = ["kms:ReEncryptOnSameKey": [sourceKeyID == destinationNamed.key.id ? "true" : "false"]]
        let destinationConditions = encryptionConditions(
            request.destinationEncryptionAlgorithm, request.destinationEncryptionContext, extra: sameKey)
        let sourceConditions = encryptionConditions(
            request.sourceEncryptionAlgorithm, request.sourceEncryptionContext, extra: sameKey)

        try authorize(destinationNamed, caller, action: "kms:ReEncryptTo", conditions: destinationConditions)
        let destination = destinationNamed.key
        try checkUsage(destination, .encryptDecrypt, "ReEncrypt")
        let destinationPadding: RSAEncryptionPadding?
        if destination.spec.isSymmetric {
            try checkSymmetricAlgorithm(
                request.destinationEncryptionAlgorithm, for: destination, member: "DestinationEncryptionAlgorithm")
            destinationPadding = nil
        } else {
            destinationPadding = try rsaPadding(request.destinationEncryptionAlgorithm, for: destination)
            if request.destinationEncryptionContext?.isEmpty == false {
                throw KMSError.validation("DestinationEncryptionContext is not allowed with an asymmetric destination key")
            }
        }
        try checkUsable(destination)

        // One request, counted once against the quota (on the destination).
        let source: KeyRecord
        let plaintext: [UInt8]
        if sourceAlgorithm == .symmetricDefault {
            let expected = try sourceNamed.map {
                try symmetricDecryptionKey(
                    $0, caller, operation: "ReEncrypt", action: "kms:ReEncryptFrom", conditions: sourceConditions,
                    admitting: false)
            }
            (source, plaintext) = try openSymmetric(
                blob.bytes, context: request.sourceEncryptionContext, expected: expected, caller: caller,
                action: "kms:ReEncryptFrom", conditions: sourceConditions, admitting: false)
        } else {
            guard let sourceNamed else { throw KMSError.internalFailure() }
            try authorize(sourceNamed, caller, action: "kms:ReEncryptFrom", conditions: sourceConditions, admitting: false)
            source = sourceNamed.key
            try checkUsage(source, .encryptDecrypt, "ReEncrypt")
            guard !source.spec.isSymmetric else {
                throw KMSError.invalidKeyUsage("\(source.arn) is a symmetric key: use SourceEncryptionAlgorithm SYMMETRIC_DEFAULT")
            }
            let padding = try rsaPadding(sourceAlgorithm, for: source)
            if request.sourceEncryptionContext?.isEmpty == false {
                throw KMSError.validation("SourceEncryptionContext is not allowed with an asymmetric source key")
            }
            try checkUsable(source)
            plaintext = try await rsaDecrypt(blob.bytes, key: source, padding: padding, algorithm: sourceAlgorithm)
        }
        if request.dryRun == true { throw dryRunSucceeded() }

        let ciphertext: [UInt8]
        if let padding = destinationPadding {
            guard let der = destination.publicKeyDER, let spec = destination.spec.asymmetric else {
                throw KMSError.internalFailure()
            }
            let limit = padding.maximumPlaintextLength(modulusBytes: spec.sizeInBits / 8)
            guard plaintext.count <= limit else {
                throw KMSError.validation(
                    "The plaintext is \(plaintext.count) bytes; \(request.destinationEncryptionAlgorithm?.rawValue ?? "") with \(spec.kmsName) encrypts at most \(limit)")
            }
            ciphertext = try AsymmetricPublicKey(derRepresentation: der).encrypt(plaintext, padding: padding)
        } else {
            ciphertext = try sealSymmetric(plaintext, key: destination, context: request.destinationEncryptionContext)
        }
        return KMS.ReEncryptResponse(
            ciphertextBlob: Base64Blob(ciphertext), sourceKeyId: source.arn, keyId: destination.arn,
            sourceEncryptionAlgorithm: sourceAlgorithm,
            destinationEncryptionAlgorithm: request.destinationEncryptionAlgorithm ?? .symmetricDefault)
    }

    /// RSA-OAEP decryption with the key's private key, on the thread pool.
    private func rsaDecrypt(
        _ blob: [UInt8], key: KeyRecord, padding: RSAEncryptionPadding, algorithm: KMS.EncryptionAlgorithm
    ) async throws -> [UInt8] {
        return try await offload {
            do {
                return try self.privateKey(key).decrypt(blob, padding: padding).unsafeBytes
            } catch let error as SigilError where error.code == .decryptionFailure {
                throw KMSError.invalidCiphertext("The ciphertext does not decrypt with \(key.arn) and \(algorithm.rawValue)")
            }
        }
    }

    // MARK: - Data keys

    /// The length of a data key from `KeySpec` or `NumberOfBytes`, exactly one of which
    /// must be given.
    func dataKeyLength(keySpec: KMS.DataKeySpec?, numberOfBytes: Int?) throws -> Int {
        switch (keySpec, numberOfBytes) {
        case (nil, nil):
            throw KMSError.validation("Please specify either KeySpec or NumberOfBytes")
        case (.some, .some):
            throw KMSError.validation("Please specify either KeySpec or NumberOfBytes, not both")
        case (let spec?, nil):
            return try spec.validated(member: "KeySpec") == .aes128 ? 16 : 32
        case (nil, let count?):
            guard (1...1024).contains(count) else {
                throw KMSError.validation(
                    "1 validation error detected: Value '\(count)' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024")
            }
            return count
        }
    }

    /// The key a data key is sealed under: a usable symmetric encryption key.
    func dataKeyWrappingKey(_ keyId: String, _ caller: Call, operation: String) throws -> KeyRecord {
        let key = try resolve(keyId, caller)
        try checkUsage(key, .encryptDecrypt, operation)
        guard key.spec.isSymmetric else {
            throw KMSError.invalidKeyUsage(
                "\(key.arn) is an asymmetric \(key.spec.kmsName) key: \(operation) needs a symmetric encryption key")
        }
        try checkUsable(key)
        return key
    }

    func generateDataKey(_ request: KMS.GenerateDataKeyRequest, _ caller: Call) throws -> KMS.GenerateDataKeyResponse {
        let length = try dataKeyLength(keySpec: request.keySpec, numberOfBytes: request.numberOfBytes)
        if request.recipient != nil {
            throw KMSError.unsupportedOperation("GenerateDataKey for a Nitro enclave recipient is not supported")
        }
        let key = try dataKeyWrappingKey(request.keyId, caller, operation: "GenerateDataKey")
        if request.dryRun == true { throw dryRunSucceeded() }
        let dataKey = try SecureRandom.bytes(count: length)
        let blob = try sealSymmetric(dataKey, key: key, context: request.encryptionContext)
        return KMS.GenerateDataKeyResponse(ciphertextBlob: Base64Blob(blob), plaintext: Base64Blob(dataKey), keyId: key.arn)
    }

    func generateDataKeyWithoutPlaintext(
        _ request: KMS.GenerateDataKeyWithoutPlaintextRequest, _ caller: Call
    ) throws -> KMS.GenerateDataKeyWithoutPlaintextResponse {
        let length = try dataKeyLength(keySpec: request.keySpec, numberOfBytes: request.numberOfBytes)
        let key = try dataKeyWrappingKey(request.keyId, caller, operation: "GenerateDataKeyWithoutPlaintext")
        if request.dryRun == true { throw dryRunSucceeded() }
        let blob = try sealSymmetric(try SecureRandom.bytes(count: length), key: key, context: request.encryptionContext)
        return KMS.GenerateDataKeyWithoutPlaintextResponse(ciphertextBlob: Base64Blob(blob), keyId: key.arn)
    }

    /// The key spec of a data key pair: the seven Sigil generates; the other specs KMS
    /// knows (SM2, Ed25519, ML-KEM) are refused as unsupported.
    func dataKeyPairSpec(_ spec: KMS.DataKeyPairSpec) throws -> KeySpec {
        let known = try spec.validated(member: "KeyPairSpec")
        guard let keySpec = KeySpec(kmsName: known.rawValue), KeySpec.allAsymmetric.contains(keySpec) else {
            throw KMSError.unsupportedOperation(
                "KeyPairSpec \(known.rawValue) is not supported; Sigil generates \(KeySpec.allAsymmetric.map(\.kmsName).joined(separator: ", "))")
        }
        return keySpec
    }

    /// Generates a key pair off the event loop and seals its PKCS#8 private key.
    private func makeDataKeyPair(
        _ spec: KeySpec, under key: KeyRecord, context: [String: String]?
    ) async throws -> (privateKey: [UInt8], sealedPrivateKey: [UInt8], publicKey: [UInt8]) {
        let (privateDER, publicDER) = try await offload {
            let pair = try AsymmetricPrivateKey(generating: spec)
            return (try pair.pkcs8DERRepresentation, pair.publicKey.derRepresentation)
        }
        let sealed = try sealSymmetric(privateDER, key: key, context: context)
        return (privateDER, sealed, publicDER)
    }

    func generateDataKeyPair(
        _ request: KMS.GenerateDataKeyPairRequest, _ caller: Call
    ) async throws -> KMS.GenerateDataKeyPairResponse {
        let spec = try dataKeyPairSpec(request.keyPairSpec)
        if request.recipient != nil {
            throw KMSError.unsupportedOperation("GenerateDataKeyPair for a Nitro enclave recipient is not supported")
        }
        let key = try dataKeyWrappingKey(request.keyId, caller, operation: "GenerateDataKeyPair")
        if request.dryRun == true { throw dryRunSucceeded() }
        let pair = try await makeDataKeyPair(spec, under: key, context: request.encryptionContext)
        return KMS.GenerateDataKeyPairResponse(
            privateKeyCiphertextBlob: Base64Blob(pair.sealedPrivateKey), privateKeyPlaintext: Base64Blob(pair.privateKey),
            publicKey: Base64Blob(pair.publicKey), keyId: key.arn, keyPairSpec: request.keyPairSpec)
    }

    func generateDataKeyPairWithoutPlaintext(
        _ request: KMS.GenerateDataKeyPairWithoutPlaintextRequest, _ caller: Call
    ) async throws -> KMS.GenerateDataKeyPairWithoutPlaintextResponse {
        let spec = try dataKeyPairSpec(request.keyPairSpec)
        let key = try dataKeyWrappingKey(request.keyId, caller, operation: "GenerateDataKeyPairWithoutPlaintext")
        if request.dryRun == true { throw dryRunSucceeded() }
        let pair = try await makeDataKeyPair(spec, under: key, context: request.encryptionContext)
        return KMS.GenerateDataKeyPairWithoutPlaintextResponse(
            privateKeyCiphertextBlob: Base64Blob(pair.sealedPrivateKey), publicKey: Base64Blob(pair.publicKey),
            keyId: key.arn, keyPairSpec: request.keyPairSpec)
    }

    // MARK: - Rotation

    /// A symmetric key named by id or ARN (the rotation operations take no alias).
    private func rotatableKey(_ keyId: String, _ caller: Call, operation: String) throws -> KeyRecord {
        let key = try resolve(keyId, caller, aliases: false)
        guard key.spec.isSymmetric else {
            throw KMSError.unsupportedOperation(
                "\(key.arn) is an asymmetric \(key.spec.kmsName) key: \(operation) applies to symmetric encryption keys only")
        }
        return key
    }

    func enableKeyRotation(_ request: KMS.EnableKeyRotationRequest, _ caller: Call) throws -> KMS.Empty {
        let period = request.rotationPeriodInDays ?? 365
        guard (90...2560).contains(period) else {
            throw KMSError.validation(
                "1 validation error detected: Value '\(period)' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560")
        }
        let key = try rotatableKey(request.keyId, caller, operation: "EnableKeyRotation")
        try checkUsable(key)
        _ = try mapStoreErrors {
            try store.setRotation(id: key.id, enabled: true, periodDays: period, now: configuration.now(), audit: auditEvent(caller))
        }
        return KMS.Empty()
    }

    func disableKeyRotation(_ request: KMS.DisableKeyRotationRequest, _ caller: Call) throws -> KMS.Empty {
        let key = try rotatableKey(request.keyId, caller, operation: "DisableKeyRotation")
        try checkUsable(key)
        _ = try mapStoreErrors { try store.setRotation(id: key.id, enabled: false, now: configuration.now(), audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func getKeyRotationStatus(
        _ request: KMS.GetKeyRotationStatusRequest, _ caller: Call
    ) throws -> KMS.GetKeyRotationStatusResponse {
        let key = try rotatableKey(request.keyId, caller, operation: "GetKeyRotationStatus")
        // As KMS: a key pending deletion reports false (its setting returns if the
        // deletion is cancelled); a disabled key keeps its setting.
        let enabled = key.rotationEnabled && key.state != .pendingDeletion
        var response = KMS.GetKeyRotationStatusResponse(keyRotationEnabled: enabled, keyId: key.arn)
        if enabled {
            response.rotationPeriodInDays = key.rotationPeriodDays ?? 365
            response.nextRotationDate = key.nextRotationDate
        }
        return response
    }

    func rotateKeyOnDemand(_ request: KMS.RotateKeyOnDemandRequest, _ caller: Call) throws -> KMS.RotateKeyOnDemandResponse {
        let key = try rotatableKey(request.keyId, caller, operation: "RotateKeyOnDemand")
        try checkUsable(key)
        let onDemand = try mapStoreErrors { try store.rotations(id: key.id) }.filter { $0.type == .onDemand }.count
        guard onDemand < Self.maximumOnDemandRotations else {
            throw KMSError.limitExceeded(
                "\(key.arn) has been rotated on demand \(onDemand) times, the most KMS allows (\(Self.maximumOnDemandRotations))")
        }
        _ = try mapStoreErrors { try store.rotate(id: key.id, at: configuration.now(), type: .onDemand, audit: auditEvent(caller)) }
        return KMS.RotateKeyOnDemandResponse(keyId: key.id)
    }

    func listKeyRotations(_ request: KMS.ListKeyRotationsRequest, _ caller: Call) throws -> KMS.ListKeyRotationsResponse {
        let limit = try pageLimit(request.limit, maximum: 1000, default: 100)
        if let include = request.includeKeyMaterial { _ = try include.validated(member: "IncludeKeyMaterial") }
        let key = try rotatableKey(request.keyId, caller, operation: "ListKeyRotations")
        let rotations = try mapStoreErrors { try store.rotations(id: key.id) }
        let after: Int
        if let marker = request.marker {
            guard let text = decodeMarker(marker), let version = Int(text), version >= 1 else {
                throw KMSError.invalidMarker("The marker '\(marker.prefix(80))' is not one this key holder issued")
            }
            after = version
        } else {
            after = 0
        }
        let remaining = rotations.filter { $0.version > after }
        let page = remaining.prefix(limit)
        let truncated = remaining.count > page.count
        return KMS.ListKeyRotationsResponse(
            rotations: page.map {
                KMS.RotationsListEntry(
                    keyId: key.id, rotationDate: $0.rotationDate, rotationType: KMS.RotationType(rawValue: $0.type.kmsName))
            },
            nextMarker: truncated ? page.last.map { encodeMarker(String($0.version)) } : nil,
            truncated: truncated)
    }

    // MARK: - Aliases

    /// `AliasName` as the KMS model constrains it (1–256 of `[a-zA-Z0-9:/_-]`):
    /// `ValidationException` otherwise.
    private func checkAliasNameShape(_ name: String) throws {
        let allowed = name.utf8.allSatisfy { byte in
            (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) || (0x30...0x39).contains(byte)
                || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
        guard (1...256).contains(name.utf8.count), allowed else {
            throw KMSError.validation(
                "1 validation error detected: Value '\(name.prefix(80))' at 'aliasName' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$ and have length between 1 and 256")
        }
    }

    /// The rules for a new alias's name beyond the model's pattern.
    private func checkNewAliasName(_ name: String) throws {
        try checkAliasNameShape(name)
        guard name.hasPrefix("alias/"), name.count > "alias/".count else {
            throw KMSError.invalidAliasName("Alias must start with the prefix \"alias/\" followed by a name: '\(name.prefix(80))'")
        }
        guard !name.hasPrefix("alias/aws/") else {
            throw KMSError.invalidAliasName("Alias names starting with alias/aws/ are reserved for AWS managed keys")
        }
        guard !name.contains(":") else {
            throw KMSError.invalidAliasName("An alias name may contain only letters, digits, '/', '_' and '-': '\(name.prefix(80))'")
        }
    }

    /// The key an alias is to point at: named by id or ARN, not pending deletion.
    private func aliasTarget(_ keyId: String, _ caller: Call) throws -> KeyRecord {
        let key = try resolve(keyId, caller, aliases: false)
        guard key.state != .pendingDeletion else {
            throw KMSError.invalidState("\(key.arn) is pending deletion.")
        }
        return key
    }

    private func existingAlias(_ name: String, _ caller: Call) throws -> AliasRecord {
        try checkAliasNameShape(name)
        guard let alias = try store.alias(name, account: caller.account, region: configuration.region) else {
            throw KMSError.notFound(
                "Alias \(KeyStore.aliasARN(account: caller.account, region: configuration.region, name: name)) is not found.")
        }
        return alias
    }

    func createAlias(_ request: KMS.CreateAliasRequest, _ caller: Call) throws -> KMS.Empty {
        try checkNewAliasName(request.aliasName)
        let key = try aliasTarget(request.targetKeyId, caller)
        if try store.alias(request.aliasName, account: caller.account, region: configuration.region) != nil {
            throw KMSError.alreadyExists(
                "An alias with the name \(KeyStore.aliasARN(account: caller.account, region: configuration.region, name: request.aliasName)) already exists")
        }
        _ = try mapStoreErrors { try store.createAlias(request.aliasName, keyID: key.id, now: configuration.now(), audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func updateAlias(_ request: KMS.UpdateAliasRequest, _ caller: Call) throws -> KMS.Empty {
        let alias = try existingAlias(request.aliasName, caller)
        // As in KMS, moving an alias needs the permission on both keys.
        _ = try resolve(alias.keyID, caller, aliases: false)
        let key = try aliasTarget(request.targetKeyId, caller)
        _ = try mapStoreErrors {
            try store.updateAlias(
                alias.name, account: caller.account, region: configuration.region, keyID: key.id, now: configuration.now(),
                audit: auditEvent(caller))
        }
        return KMS.Empty()
    }

    func deleteAlias(_ request: KMS.DeleteAliasRequest, _ caller: Call) throws -> KMS.Empty {
        let alias = try existingAlias(request.aliasName, caller)
        _ = try resolve(alias.keyID, caller, aliases: false)
        try mapStoreErrors { try store.deleteAlias(alias.name, account: caller.account, region: configuration.region, audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func listAliases(_ request: KMS.ListAliasesRequest, _ caller: Call) throws -> KMS.ListAliasesResponse {
        let limit = try pageLimit(request.limit, maximum: 100, default: 50)
        // ListAliases is decided by identity policies alone (done before the operation).
        let keyID = try request.keyId.map { try resolve($0, caller, aliases: false, authorizing: false).id }
        var aliases = try mapStoreErrors {
            try store.listAliases(account: caller.account, region: configuration.region, keyID: keyID)
        }
        if let marker = request.marker {
            guard let after = decodeMarker(marker), after.hasPrefix("alias/") else {
                throw KMSError.invalidMarker("The marker '\(marker.prefix(80))' is not one this key holder issued")
            }
            // The store sorts by name in SQLite's binary (UTF-8) order.
            aliases = aliases.filter { Array(after.utf8).lexicographicallyPrecedes(Array($0.name.utf8)) }
        }
        let page = aliases.prefix(limit)
        let truncated = aliases.count > page.count
        return KMS.ListAliasesResponse(
            aliases: page.map {
                KMS.AliasListEntry(
                    aliasName: $0.name, aliasArn: $0.arn, targetKeyId: $0.keyID, creationDate: $0.creationDate,
                    lastUpdatedDate: $0.lastUpdatedDate)
            },
            nextMarker: truncated ? page.last.map { encodeMarker($0.name) } : nil,
            truncated: truncated)
    }

    // MARK: - Tags

    /// A key named by id or ARN whose tags may change: not pending deletion.
    private func taggableKey(_ keyId: String, _ caller: Call) throws -> KeyRecord {
        let key = try resolve(keyId, caller, aliases: false)
        guard key.state != .pendingDeletion else {
            throw KMSError.invalidState("\(key.arn) is pending deletion.")
        }
        return key
    }

    func tagResource(_ request: KMS.TagResourceRequest, _ caller: Call) throws -> KMS.Empty {
        let key = try taggableKey(request.keyId, caller)
        let tags = try request.tags.map { tag -> KeyTag in
            guard !tag.tagKey.lowercased().hasPrefix("aws:") else {
                throw KMSError.tag("Tag keys starting with 'aws:' are reserved")
            }
            return try validatedTag(tag)
        }
        guard Set(tags.map(\.key)).count == tags.count else {
            throw KMSError.tag("The tags repeat a tag key")
        }
        let existing = Set(try mapStoreErrors { try store.tags(id: key.id) }.map(\.key))
        let total = existing.union(tags.map(\.key)).count
        guard total <= 50 else {
            throw KMSError.limitExceeded("A key has at most 50 tags; this request would give \(key.arn) \(total)")
        }
        do {
            try store.setTags(id: key.id, tags, audit: auditEvent(caller))
        } catch let error as SigilError where error.code == .invalidArgument {
            throw KMSError.tag(error.message)
        }
        return KMS.Empty()
    }

    func untagResource(_ request: KMS.UntagResourceRequest, _ caller: Call) throws -> KMS.Empty {
        for tagKey in request.tagKeys where !(1...128).contains(tagKey.count) {
            throw KMSError.validation(
                "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length between 1 and 128")
        }
        let key = try taggableKey(request.keyId, caller)
        try mapStoreErrors { try store.removeTags(id: key.id, keys: request.tagKeys, audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func listResourceTags(_ request: KMS.ListResourceTagsRequest, _ caller: Call) throws -> KMS.ListResourceTagsResponse {
        let limit = try pageLimit(request.limit, maximum: 50, default: 50)
        let key = try resolve(request.keyId, caller, aliases: false)
        var tags = try mapStoreErrors { try store.tags(id: key.id) }
        if let marker = request.marker {
            guard let after = decodeMarker(marker) else {
                throw KMSError.invalidMarker("The marker '\(marker.prefix(80))' is not one this key holder issued")
            }
            // The store sorts by tag key in SQLite's binary (UTF-8) order.
            tags = tags.filter { Array(after.utf8).lexicographicallyPrecedes(Array($0.key.utf8)) }
        }
        let page = tags.prefix(limit)
        let truncated = tags.count > page.count
        return KMS.ListResourceTagsResponse(
            tags: page.map { KMS.Tag(tagKey: $0.key, tagValue: $0.value) },
            nextMarker: truncated ? page.last.map { encodeMarker($0.key) } : nil,
            truncated: truncated)
    }

    // MARK: - Paging

    private func pageLimit(_ limit: Int?, maximum: Int, default defaultLimit: Int) throws -> Int {
        guard let limit else { return defaultLimit }
        guard (1...maximum).contains(limit) else {
            throw KMSError.validation(
                "1 validation error detected: Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value between 1 and \(maximum)")
        }
        return limit
    }

    /// Markers are opaque to clients: base64 of where the previous page ended.
    private func encodeMarker(_ position: String) -> String {
        Data(position.utf8).base64EncodedString()
    }

    private func decodeMarker(_ marker: String) -> String? {
        guard let blob = Base64Blob(base64Encoded: marker), !blob.bytes.isEmpty else { return nil }
        return String(bytes: blob.bytes, encoding: .utf8)
    }
}
