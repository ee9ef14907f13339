internal import CGnuTLS

/// RSAES-OAEP written from RFC 8017 §7.1 on nettle's raw RSA (``NettleRSAPublicKey``,
/// ``NettleRSAPrivateKey``), with hashes from `gnutls_hash_fast`. GnuTLS 3.7 has no OAEP,
/// so this is the independent implementation Sigil's OAEP is checked against.
///
/// For tests and tools only: the decoder answers every failure alike, but it is not
/// written to be free of timing side channels.
public struct RFC8017OAEP: Sendable {
    /// The hash of the label (RFC 8017's `Hash`).
    public let hash: GnuTLSDigest
    /// The hash under MGF1; KMS uses the same as ``hash``.
    public let mgf1Hash: GnuTLSDigest
    /// The label `L`; KMS's is empty.
    public let label: [UInt8]

    /// OAEP parameters.
    ///
    /// - Parameters:
    ///   - hash: The label hash.
    ///   - mgf1Hash: MGF1's hash; `nil` means the same as `hash`, as KMS does.
    ///   - label: The label; empty for KMS.
    public init(hash: GnuTLSDigest, mgf1Hash: GnuTLSDigest? = nil, label: [UInt8] = []) {
        self.hash = hash
        self.mgf1Hash = mgf1Hash ?? hash
        self.label = label
    }

    /// The longest message a `modulusByteCount`-byte key takes: `k − 2·hLen − 2`
    /// (negative when the key is too short for the hash).
    public func maximumMessageLength(modulusByteCount: Int) -> Int {
        modulusByteCount - 2 * hash.byteCount - 2
    }

    /// RSAES-OAEP-ENCRYPT (§7.1.1) with a fresh random seed.
    ///
    /// - Parameters:
    ///   - message: The message, at most ``maximumMessageLength(modulusByteCount:)`` bytes.
    ///   - publicKey: The recipient's key.
    /// - Returns: The ciphertext, `k` bytes.
    /// - Throws: ``GnuTLSError`` for "message too long" or when GnuTLS or nettle fail.
    public func encrypt(_ message: [UInt8], to publicKey: NettleRSAPublicKey) throws -> [UInt8] {
        try GnuTLSLibrary.ensureInitialized()
        var seed = [UInt8](repeating: 0, count: hash.byteCount)
        try checkGnuTLS(gnutls_rnd(GNUTLS_RND_RANDOM, &seed, seed.count), "gnutls_rnd")
        let encoded = try encode(message, seed: seed, modulusByteCount: publicKey.modulusByteCount)
        return try publicKey.rawEncrypt(encoded)
    }

    /// RSAES-OAEP-DECRYPT (§7.1.2).
    ///
    /// - Parameters:
    ///   - ciphertext: The ciphertext; it must be exactly `k` bytes.
    ///   - privateKey: The recipient's key.
    /// - Returns: The message, or `nil` for RFC 8017's one "decryption error" (wrong
    ///   length, representative out of range, bad leading byte, label hash or separator).
    /// - Throws: ``GnuTLSError`` only when GnuTLS or nettle themselves fail.
    public func decrypt(_ ciphertext: [UInt8], with privateKey: NettleRSAPrivateKey) throws -> [UInt8]? {
        let k = privateKey.modulusByteCount
        // Step 1: length checking (the label's 2^61 limit cannot be reached here).
        guard ciphertext.count == k, k >= 2 * hash.byteCount + 2 else { return nil }
        // Step 2: RSADP, then I2OSP(m, k).
        guard let encoded = try privateKey.rawDecrypt(ciphertext) else { return nil }
        // Step 3: EME-OAEP decoding.
        return try decode(encoded, modulusByteCount: k)
    }

    /// EME-OAEP encoding (§7.1.1 step 2): `EM = 0x00 ‖ maskedSeed ‖ maskedDB`.
    ///
    /// - Parameters:
    ///   - message: The message `M`.
    ///   - seed: The random `seed`, `hLen` bytes (given, so that tests can fix it).
    ///   - modulusByteCount: `k`.
    /// - Returns: `EM`, `k` bytes.
    /// - Throws: ``GnuTLSError`` for "message too long" or a seed of the wrong length.
    public func encode(_ message: [UInt8], seed: [UInt8], modulusByteCount k: Int) throws -> [UInt8] {
        let hLen = hash.byteCount
        guard seed.count == hLen else {
            throw GnuTLSError(function: "EME-OAEP", message: "the seed is \(seed.count) bytes, not \(hLen)")
        }
        guard message.count <= maximumMessageLength(modulusByteCount: k) else {
            throw GnuTLSError(function: "EME-OAEP", message: "message too long")
        }
        // a. lHash = Hash(L).
        let labelHash = try hash.hash(label)
        // b, c. DB = lHash ‖ PS ‖ 0x01 ‖ M, where PS is k − mLen − 2hLen − 2 zeros.
        let padding = [UInt8](repeating: 0, count: k - message.count - 2 * hLen - 2)
        let dataBlock = labelHash + padding + [0x01] + message
        // e, f. maskedDB = DB ⊕ MGF(seed, k − hLen − 1).
        let maskedDataBlock = xor(dataBlock, try mgf1(seed: seed, length: k - hLen - 1))
        // g, h. maskedSeed = seed ⊕ MGF(maskedDB, hLen).
        let maskedSeed = xor(seed, try mgf1(seed: maskedDataBlock, length: hLen))
        // i. EM = 0x00 ‖ maskedSeed ‖ maskedDB.
        return [0x00] + maskedSeed + maskedDataBlock
    }

    /// EME-OAEP decoding (§7.1.2 step 3).
    ///
    /// - Parameters:
    ///   - encoded: `EM`, `k` bytes.
    ///   - modulusByteCount: `k`.
    /// - Returns: The message `M`, or `nil` for "decryption error".
    /// - Throws: ``GnuTLSError`` only when GnuTLS fails to hash.
    public func decode(_ encoded: [UInt8], modulusByteCount k: Int) throws -> [UInt8]? {
        let hLen = hash.byteCount
        guard encoded.count == k, k >= 2 * hLen + 2 else { return nil }
        // a. lHash = Hash(L).
        let labelHash = try hash.hash(label)
        // b. EM = Y ‖ maskedSeed ‖ maskedDB.
        let leadingByte = encoded[0]
        let maskedSeed = Array(encoded[1...hLen])
        let maskedDataBlock = Array(encoded[(hLen + 1)...])
        // c–f. Unmask the seed, then the data block.
        let seed = xor(maskedSeed, try mgf1(seed: maskedDataBlock, length: hLen))
        let dataBlock = xor(maskedDataBlock, try mgf1(seed: seed, length: k - hLen - 1))
        // g. DB = lHash' ‖ PS ‖ 0x01 ‖ M. Every check runs; the verdict is taken at the end.
        var bad = leadingByte != 0
        var differences: UInt8 = 0
        for index in 0..<hLen { differences |= dataBlock[index] ^ labelHash[index] }
        bad = bad || differences != 0
        var separatorIndex: Int? = nil
        for index in hLen..<dataBlock.count where separatorIndex == nil {
            switch dataBlock[index] {
            case 0x00: continue
            case 0x01: separatorIndex = index
            default: bad = true; separatorIndex = dataBlock.count
            }
        }
        guard !bad, let separatorIndex, separatorIndex < dataBlock.count else { return nil }
        return Array(dataBlock[(separatorIndex + 1)...])
    }

    /// MGF1 (§B.2.1): `Hash(seed ‖ C)` for counters `C = 0, 1, …` (4 bytes, big-endian),
    /// concatenated and cut to `length`.
    public func mgf1(seed: [UInt8], length: Int) throws -> [UInt8] {
        var mask: [UInt8] = []
        mask.reserveCapacity(length + mgf1Hash.byteCount)
        var counter: UInt32 = 0
        while mask.count < length {
            let counterBytes = (0..<4).map { UInt8(truncatingIfNeeded: counter >> (24 - 8 * $0)) }
            mask += try mgf1Hash.hash(seed + counterBytes)
            counter += 1
        }
        return Array(mask.prefix(length))
    }

    private func xor(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        precondition(left.count == right.count, "xor of \(left.count) and \(right.count) bytes")
        return zip(left, right).map { $0 ^ $1 }
    }
}
