/// The keys of one message, derived from its data key (Encryption SDK, committing suites):
/// PRK = HKDF-Extract(SHA-512, salt = message id, data key);
/// content key = Expand(PRK, suite id ‖ "DERIVEKEY", 32); commit key = Expand(PRK, "COMMITKEY", 32).
struct MessageKeys {
    let cipher: AESGCMCipher
    let commitKey: SecureBytes
    /// The AES key, kept to give each worker thread a cipher of its own.
    let contentKey: SecureBytes

    static let dataKeySize = 32
    static let zeroNonce = [UInt8](repeating: 0, count: AESGCM.nonceSize)

    init(dataKey: SecureBytes, messageID: [UInt8], suite: AlgorithmSuite) throws {
        guard dataKey.count == Self.dataKeySize else {
            throw SigilError(.decryptionFailure, "the data key is \(dataKey.count) bytes, not \(Self.dataKeySize)")
        }
        let prk = try HKDF.extract(hash: .sha512, salt: messageID, inputKeyMaterial: dataKey)
        let contentKey = try HKDF.expand(
            hash: .sha512, pseudoRandomKey: prk, info: suite.idBytes + Array("DERIVEKEY".utf8), outputByteCount: 32)
        commitKey = try HKDF.expand(hash: .sha512, pseudoRandomKey: prk, info: Array("COMMITKEY".utf8), outputByteCount: 32)
        cipher = try AESGCMCipher(key: contentKey)
        self.contentKey = contentKey
    }

    /// Ciphers for `threads` workers, the first being ``cipher``.
    func workers(threads: Int) throws -> FrameWorkers {
        try FrameWorkers(first: cipher, contentKey: contentKey, threads: threads)
    }

    /// The header tag: AES-GCM with a zero nonce over nothing, authenticating the header body.
    func headerTag(body: [UInt8]) throws -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: AESGCM.tagSize)
        try tag.withUnsafeMutableBytes { tagBuffer in
            try body.withUnsafeBytes { aad in
                try cipher.seal(UnsafeRawBufferPointer(start: nil, count: 0), into: UnsafeMutableRawBufferPointer(start: nil, count: 0),
                                nonce: Self.zeroNonce, aad: aad, tag: tagBuffer)
            }
        }
        return tag
    }
}

/// The additional data of a body block: message id ‖ content string ‖ sequence number ‖
/// plaintext length (8 bytes).
enum BodyAAD {
    static let regularFrame = Array("AWSKMSEncryptionClient Frame".utf8)
    static let finalFrame = Array("AWSKMSEncryptionClient Final Frame".utf8)
    static let singleBlock = Array("AWSKMSEncryptionClient Single Block".utf8)

    static func make(messageID: [UInt8], content: [UInt8], sequenceNumber: UInt32, length: UInt64) -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes.reserveCapacity(messageID.count + content.count + 12)
        writer.write(messageID)
        writer.write(content)
        writer.write(sequenceNumber)
        writer.write(length)
        return writer.bytes
    }

    /// The deterministic frame nonce the SDKs write: 8 zero bytes ‖ sequence number.
    static func nonce(sequenceNumber: UInt32) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(UInt64(0))
        writer.write(sequenceNumber)
        return writer.bytes
    }
}
