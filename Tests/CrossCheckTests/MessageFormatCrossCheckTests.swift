import Foundation
import GnuTLSCheck
import Sigil
import SigilCrypto
import Testing

/// Sigil's messages taken apart by an independent walker and recomputed with GnuTLS and
/// nettle alone: the data key unwrapped by the RFC 8017 OAEP decoder, the keys derived
/// by GnuTLS's HKDF, the commit key compared, the header tag and every frame checked and
/// decrypted by GnuTLS's AES-GCM. Nothing on this path runs Sigil's decrypt code.
@Suite("Message format: Sigil's messages recomputed with GnuTLS and nettle")
struct MessageFormatCrossCheckTests {
    /// Two raw-RSA recipients, one per OAEP hash, so both unwrap paths are covered.
    struct Escrow: Sendable {
        let namespace = "sigil-crosscheck"
        let name: String
        let key: AsymmetricPrivateKey
        let nettleKey: NettleRSAPrivateKey
        let padding: RSAEncryptionPadding
        let oaep: RFC8017OAEP

        init(name: String, spec: KeySpec, hash: HashFunction) throws {
            self.name = name
            key = try AsymmetricPrivateKey(generating: spec)
            nettleKey = try NettleRSAPrivateKey(pkcs8DERRepresentation: key.pkcs8DERRepresentation)
            padding = .oaep(hash: hash)
            oaep = RFC8017OAEP(hash: GnuTLSDigest(hash))
        }

        func recipient() throws -> Recipient {
            try .rawRSA(namespace: namespace, name: name, publicKey: key.publicKey, padding: padding)
        }

        /// The data key, unwrapped from this escrow's EDK by nettle; `nil` when absent or refused.
        func unwrap(_ message: WalkedMessage) throws -> [UInt8]? {
            guard let edk = message.encryptedDataKeys.first(where: {
                $0.providerID == Array(namespace.utf8) && $0.providerInfo == Array(name.utf8)
            }) else { return nil }
            return try oaep.decrypt(edk.ciphertext, with: nettleKey)
        }
    }

    /// How a message whose length is a positive multiple of the frame length ends.
    enum FinalFrame: String, CaseIterable {
        /// The last full frame is the final frame (what the format recommends).
        case full
        /// Every full frame is regular, then an empty final frame.
        case empty
    }

    /// Encrypts with `MessageEncoder`, frame by frame, ending as `finalFrame` says.
    static func encryptWithEncoder(
        _ plaintext: [UInt8], recipients: [Recipient], context: EncryptionContext, suite: AlgorithmSuite,
        frameLength: UInt32, finalFrame: FinalFrame
    ) throws -> [UInt8] {
        let encoder = try MessageEncoder(recipients: recipients, context: context, suite: suite, frameLength: frameLength)
        var message = encoder.header.serialized
        let frame = Int(frameLength)
        var buffer = [UInt8](repeating: 0, count: encoder.maximumFrameSize)
        func seal(_ range: Range<Int>, isFinal: Bool) throws {
            let written = try plaintext[range].withUnsafeBytes { input in
                try buffer.withUnsafeMutableBytes { output in try encoder.sealFrame(input, isFinal: isFinal, into: output) }
            }
            message += buffer[0..<written]
        }
        var start = 0
        while plaintext.count - start > frame || (finalFrame == .empty && plaintext.count - start == frame) {
            try seal(start..<(start + frame), isFinal: false)
            start += frame
        }
        try seal(start..<plaintext.count, isFinal: true)
        return message + (try encoder.footer())
    }

    /// Encrypts with `MessageEncryptor`, the driver the CLI uses, reading a file.
    static func encryptWithEncryptor(
        _ plaintext: [UInt8], recipients: [Recipient], context: EncryptionContext, suite: AlgorithmSuite,
        frameLength: UInt32
    ) throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("sigil-crosscheck-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: path, contents: Data(plaintext)) else {
            throw WalkedMessage.Malformed(description: "cannot write \(path)")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let input = FileHandle(forReadingAtPath: path) else {
            throw WalkedMessage.Malformed(description: "cannot open \(path)")
        }
        defer { try? input.close() }
        var message: [UInt8] = []
        let encryptor = MessageEncryptor(recipients: recipients, context: context, suite: suite, frameLength: frameLength)
        try encryptor.encrypt(readingFrom: input.fileDescriptor, to: { message += $0 })
        return message
    }

    /// Plaintext lengths for a frame length: empty, one byte, exactly one frame, several
    /// full frames, several frames and a partial one, a random length, and for small
    /// frames more than 256 frames.
    static func lengths(frameLength: Int) -> [Int] {
        let candidates = [
            0, 1, frameLength, 3 * frameLength,
            3 * frameLength + (frameLength > 1 ? Int.random(in: 1..<frameLength) : 1),
            Int.random(in: 2...(5 * frameLength + 1)),
        ] + (frameLength <= 100 ? [260 * frameLength + 1] : [])  // sequence numbers past one byte
        var seen: Set<Int> = []
        return candidates.filter { seen.insert($0).inserted }
    }

    @Test("Sigil's messages check out under GnuTLS and nettle, frame lengths 1, 100 and 4096")
    func sigilMessagesRecomputeWithGnuTLS() throws {
        let escrows = [
            try Escrow(name: "escrow-2048-sha256", spec: .rsa2048, hash: .sha256),
            try Escrow(name: "escrow-3072-sha1", spec: .rsa3072, hash: .sha1),
        ]
        let recipients = try escrows.map { try $0.recipient() }

        var messages = 0
        var unwrapped = CheckCounter()
        var commitKeys = CheckCounter()
        var headerTags = CheckCounter()
        var tamperedHeaders = CheckCounter()
        var contexts = CheckCounter()
        var bodies = CheckCounter()
        var frames = 0
        var finalFrameForms: [String: Int] = [:]

        for frameLength in [1, 100, 4096] {
            for (index, length) in Self.lengths(frameLength: frameLength).enumerated() {
                let plaintext = try randomBytes(length)
                let context: EncryptionContext = index % 2 == 0
                    ? EncryptionContext()
                    : ["purpose": "crosscheck", "frame-length": "\(frameLength)", "zz-\(index)": "é\(length)", "A": ""]
                let suite: AlgorithmSuite = index == 4 ? .aes256GCMHKDFSHA512CommitKeyECDSAP384 : .aes256GCMHKDFSHA512CommitKey
                var produced: [(String, [UInt8])] = []
                for finalFrame in FinalFrame.allCases {
                    produced.append(("encoder/\(finalFrame.rawValue)", try Self.encryptWithEncoder(
                        plaintext, recipients: recipients, context: context, suite: suite,
                        frameLength: UInt32(frameLength), finalFrame: finalFrame)))
                }
                produced.append(("encryptor", try Self.encryptWithEncryptor(
                    plaintext, recipients: recipients, context: context, suite: suite, frameLength: UInt32(frameLength))))

                for (driver, bytes) in produced {
                    let label = "\(driver), \(length) bytes in \(frameLength)-byte frames, suite \(suite.hexID)"
                    messages += 1
                    let message: WalkedMessage
                    do {
                        message = try WalkedMessage(bytes)
                    } catch {
                        Issue.record("\(label): the walker refuses the message: \(error)")
                        continue
                    }
                    #expect(message.suiteID == suite.id && message.frameLength == UInt32(frameLength))
                    #expect(message.encryptedDataKeys.count == escrows.count, "\(label)")

                    // The context: what was given (plus the signing key for 0x0578), sorted by bytes.
                    let keys = message.context.map(\.key)
                    var expected = context.pairs.map { (Array($0.key.utf8), Array($0.value.utf8)) }
                    if suite.isSigned { expected.append((Array(EncryptionContext.publicKeyKey.utf8), [])) }
                    let sortedAndComplete = keys == keys.sorted { $0.lexicographicallyPrecedes($1) }
                        && Set(keys.map { String(decoding: $0, as: UTF8.self) })
                            == Set(expected.map { String(decoding: $0.0, as: UTF8.self) })
                        && message.context.allSatisfy { pair in
                            context[String(decoding: pair.key, as: UTF8.self)].map { Array($0.utf8) == pair.value } ?? true
                        }
                    #expect(sortedAndComplete, "\(label): context \(message.context.count) pairs")
                    contexts.record(sortedAndComplete)

                    // The data key, from each EDK, by nettle alone.
                    let dataKeys = try escrows.map { try $0.unwrap(message) }
                    let oneDataKey = dataKeys.allSatisfy { $0 != nil && $0?.count == 32 } && Set(dataKeys.compactMap { $0 }).count == 1
                    #expect(oneDataKey, "\(label): the EDKs do not unwrap to one 32-byte data key")
                    unwrapped.record(oneDataKey)
                    guard oneDataKey, let dataKey = dataKeys[0] else { continue }

                    let check = try GnuTLSMessageCheck(message, dataKey: dataKey)
                    #expect(check.commitKey == message.commitKey, "\(label): commit key differs")
                    commitKeys.record(check.commitKey == message.commitKey)
                    #expect(check.headerTagChecks, "\(label): GnuTLS refuses the header tag")
                    headerTags.record(check.headerTagChecks)
                    let flippedHeaderRefused = try GnuTLSAEAD.open(
                        [], tag: message.headerTag, key: check.encryptionKey, nonce: [UInt8](repeating: 0, count: 12),
                        aad: RandomInput.flippingOneBit(message.headerBody)) == nil
                    #expect(flippedHeaderRefused)
                    tamperedHeaders.record(flippedHeaderRefused)

                    #expect(check.frameProblems.isEmpty, "\(label): \(check.frameProblems)")
                    let bodyOK = check.frameProblems.isEmpty && check.plaintext == plaintext
                    #expect(bodyOK, "\(label): GnuTLS's plaintext differs")
                    bodies.record(bodyOK)
                    frames += message.frames.count
                    if let last = message.frames.last {
                        let form = last.ciphertext.isEmpty && message.frames.count > 1
                            ? "empty final after full frames"
                            : (last.ciphertext.count == frameLength ? "full final" : "partial or empty only")
                        finalFrameForms[form, default: 0] += 1
                    }
                    if suite.isSigned {
                        #expect((message.footerSignature?.count ?? 0) > 0, "\(label): no footer signature")
                    }
                }
            }
        }

        let forms = finalFrameForms.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        print("crosscheck message format: \(messages) messages walked, \(frames) frames decrypted by gnutls; "
              + "data key unwrapped by nettle \(unwrapped.summary), commit key \(commitKeys.summary), "
              + "header tag \(headerTags.summary), flipped header refused \(tamperedHeaders.summary), "
              + "context sorted \(contexts.summary), plaintext equal \(bodies.summary); final frames: \(forms)")
        #expect(messages >= 40)
        #expect(unwrapped.tried == messages && unwrapped.allHeld)
        #expect(commitKeys.tried == messages && commitKeys.allHeld)
        #expect(headerTags.allHeld && tamperedHeaders.allHeld && contexts.allHeld)
        #expect(bodies.tried == messages && bodies.allHeld)
    }
}
