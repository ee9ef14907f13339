// The Encryption SDK message decoder (Sigil's MessageDecoder, driven as
// MessageDecryptor drives it), with the message arriving in chunks whose sizes the input
// chooses. Sigil's sources are compiled into this harness, so the seeds can be written
// with its internal header writer.
//
// The data key comes from an encrypted data key of provider `sigil-fuzz` whose
// "ciphertext" is the 32-byte key itself: the seeds are real messages re-keyed that way,
// so mutations get past the commit key and header tag into the frames and the footer.
//
// Input: one control byte (bits 0–1: the largest chunk, 1, 7, 64 or 4096 bytes; bits
// 2–6: the seed of the chunk sizes; bit 7: two worker threads rather than one), then the
// message. Invariant: the message decodes the same — success or failure, and on success
// the same plaintext — whole and in chunks.
import Foundation

enum FuzzTarget {
    static let providerID = "sigil-fuzz"
    static let chunkLimits = [1, 7, 64, 4096]

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let control = input.byte()
        let message = input.rest
        let whole = decode(message, chunks: nil, threads: 1)
        var sizes = SplitMix(seed: UInt64(control >> 2 & 0x1F))
        let chunked = decode(
            message, chunks: (chunkLimits[Int(control & 3)], { sizes.upTo($0) }), threads: control & 0x80 == 0 ? 1 : 2)
        invariant(whole.complete == chunked.complete, "whole: \(whole.complete), in chunks: \(chunked.complete)")
        if whole.complete {
            invariant(whole.plaintext == chunked.plaintext, "the plaintext differs whole and in chunks")
        }
    }

    /// Decodes `message`, fed in chunks of sizes drawn from `chunks` (whole when nil).
    static func decode(
        _ message: [UInt8], chunks: (limit: Int, next: (Int) -> Int)?, threads: Int
    ) -> (complete: Bool, plaintext: [UInt8]) {
        let decoder = MessageDecoder(threads: threads)
        var plaintext: [UInt8] = []
        var pending: [UInt8] = []
        func drain() throws {
            while true {
                let consumed = try pending.withUnsafeBytes { try decoder.consume($0) { plaintext += $0 } }
                pending.removeFirst(consumed)
                guard case .dataKey(let header) = decoder.need else { return }
                try decoder.provideDataKey(try dataKey(for: header))
            }
        }
        do {
            var offset = 0
            repeat {
                let size = min(message.count - offset, chunks.map { $0.next($0.limit) } ?? message.count)
                pending += message[offset..<(offset + size)]
                offset += size
                try drain()
            } while offset < message.count
            guard case .done = decoder.need, pending.isEmpty else {
                try decoder.finish()
                return (false, plaintext)
            }
            invariant(decoder.header != nil, "a complete message without a header")
            return (true, plaintext)
        } catch {
            return (false, plaintext)
        }
    }

    static func dataKey(for header: MessageHeader) throws -> SecureBytes {
        guard let key = header.encryptedDataKeys.first(where: { $0.providerID == providerID && $0.ciphertext.count == 32 }) else {
            throw SigilError(.noMatchingRecipient, "no \(providerID) data key")
        }
        return SecureBytes(key.ciphertext)
    }

    // MARK: Seeds

    /// Messages made by MessageEncryptor for a raw RSA recipient, then re-keyed: the RSA
    /// encrypted data key replaced by a `sigil-fuzz` one (and, for the signed suite, the
    /// footer signed again with a key of our own); plus one non-framed message.
    static func seeds() throws -> [(String, [UInt8])] {
        let rsa = try AsymmetricPrivateKey(generating: .rsa2048)
        let recipient = try Recipient.rawRSA(namespace: "fuzz", name: "seed", publicKey: rsa.publicKey)
        let unwrapper = LocalRSAKeyUnwrapper(privateKey: rsa, namespace: "fuzz", name: "seed")
        let plaintext = Array("Sigil fuzz seed: a few frames of plaintext, the last one short.".utf8)
        var seeds: [(String, [UInt8])] = []
        for (name, suite, frameLength, context) in [
            ("framed", AlgorithmSuite.aes256GCMHKDFSHA512CommitKey, UInt32(16), ["tenant": "blue"]),
            ("framed-signed", .aes256GCMHKDFSHA512CommitKeyECDSAP384, 24, [:]),
            ("one-full-frame", .aes256GCMHKDFSHA512CommitKey, UInt32(plaintext.count), ["a": "", "b": "\u{FC}"]),
        ] {
            let message = try MessageEncryptor(
                recipients: [recipient], context: try EncryptionContext(context), suite: suite, frameLength: frameLength,
                threads: 1
            ).encrypt(plaintext)
            let (header, headerLength) = try message.withUnsafeBytes { try MessageHeader.parse($0, limits: .default) }
            let dataKey = try unwrapper.unwrap(header)
            let frames = Array(message[headerLength..<(headerLength + framesLength(message[headerLength...], header: header))])
            seeds.append((name, [0x02] + (try rekeyed(header, dataKey: dataKey, frames: frames))))
        }
        if let framed = seeds.first?.1 {
            seeds.append(("framed-in-bytes-threads", [0x80 | 0x10] + framed.dropFirst()))
        }
        seeds.append(("non-framed", [0x03] + (try nonFramed(plaintext))))
        for (name, seed) in seeds {
            let decoded = decode(Array(seed.dropFirst()), chunks: nil, threads: 1)
            invariant(decoded.complete && decoded.plaintext == plaintext, "the seed \(name) does not decrypt")
        }
        return seeds
    }

    /// The length of the frames at the start of `body`: regular frames up to the final one.
    static func framesLength(_ body: ArraySlice<UInt8>, header: MessageHeader) -> Int {
        let bytes = Array(body)
        func uint32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var offset = 0
        while uint32(offset) != Int(UInt32.max) {
            offset += 4 + AESGCM.nonceSize + Int(header.frameLength) + AESGCM.tagSize
        }
        let contentLength = uint32(offset + 8 + AESGCM.nonceSize)
        return offset + 8 + AESGCM.nonceSize + 4 + contentLength + AESGCM.tagSize
    }

    /// `header` with a `sigil-fuzz` data key, then `frames`, then a footer when signed.
    static func rekeyed(_ header: MessageHeader, dataKey: SecureBytes, frames: [UInt8]) throws -> [UInt8] {
        var context = header.encryptionContext
        let signer = header.suite.isSigned ? try AsymmetricPrivateKey(generating: .eccNistP384) : nil
        if let signer {
            context.setReserved(EncryptionContext.publicKeyKey, try signer.publicKey.compressedPoint.base64)
        }
        let keys = try MessageKeys(dataKey: dataKey, messageID: header.messageID, suite: header.suite)
        let body = try MessageHeader.encodeBody(
            suite: header.suite, messageID: header.messageID, context: try context.serialized(),
            encryptedDataKeys: [EncryptedDataKey(providerID: providerID, providerInfo: [], ciphertext: dataKey.unsafeBytes)],
            frameLength: header.frameLength, commitKey: keys.commitKey.unsafeBytes)
        var message = body + (try keys.headerTag(body: body)) + frames
        if let signer {
            let signature = try signer.signature(forDigest: try HashFunction.sha384.hash(message), scheme: .ecdsa(hash: .sha384))
            var writer = ByteWriter()
            writer.writeLengthPrefixed(signature)
            message += writer.bytes
        }
        return message
    }

    /// A non-framed message (content type 1), which Sigil reads but never writes.
    static func nonFramed(_ plaintext: [UInt8]) throws -> [UInt8] {
        let dataKey = try SecureBytes(randomCount: MessageKeys.dataKeySize)
        let messageID = try SecureRandom.bytes(count: 32)
        let suite = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey
        let keys = try MessageKeys(dataKey: dataKey, messageID: messageID, suite: suite)
        var body = try MessageHeader.encodeBody(
            suite: suite, messageID: messageID, context: try EncryptionContext(["kind": "non-framed"]).serialized(),
            encryptedDataKeys: [EncryptedDataKey(providerID: providerID, providerInfo: [], ciphertext: dataKey.unsafeBytes)],
            frameLength: 0, commitKey: keys.commitKey.unsafeBytes)
        // The content type and the frame length sit just before the 32-byte commit key.
        body[body.count - 32 - 5] = MessageHeader.ContentType.nonFramed.rawValue
        let nonce = try SecureRandom.bytes(count: AESGCM.nonceSize)
        let aad = BodyAAD.make(
            messageID: messageID, content: BodyAAD.singleBlock, sequenceNumber: 1, length: UInt64(plaintext.count))
        let (ciphertext, tag) = try AESGCM.seal(plaintext, key: keys.contentKey, nonce: nonce, authenticating: aad)
        var writer = ByteWriter()
        writer.write(body + (try keys.headerTag(body: body)) + nonce)
        writer.write(UInt64(plaintext.count))
        writer.write(ciphertext + tag)
        return writer.bytes
    }
}
