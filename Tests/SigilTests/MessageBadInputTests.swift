import Foundation
import Sigil
import SigilTestSupport
import Testing

/// Bad input for the message decoder (issue 3, "Bad input"): truncated, altered, reordered
/// and absurd messages, wrong keys and contexts, and a seeded mutation fuzzer. Every case
/// must end in a ``SigilError`` whose code and message name the problem — never a crash,
/// never success with other plaintext, and never plaintext from a frame that does not
/// authenticate.
@Suite struct MessageBadInputTests {
    static let namespace = "sigil-bad-input"
    static let keyName = "key-1"
    static let signed = AlgorithmSuite.aes256GCMHKDFSHA512CommitKeyECDSAP384
    static let unsigned = AlgorithmSuite.aes256GCMHKDFSHA512CommitKey

    // MARK: - Truncation

    @Test(arguments: [unsigned, signed])
    func everyStrictPrefixFailsAndReleasesOnlyWholeAuthenticatedFrames(suite: AlgorithmSuite) async throws {
        let sample = try BadInputSample.make(suite: suite, length: 3 * 64, frameLength: 64, context: ["purpose": "truncation"])
        let layout = try MessageLayout(sample.message)
        #expect(layout.frames.count == 3)
        for length in 0..<sample.message.count {
            let prefix = Array(sample.message[0..<length])
            // The frames wholly inside the prefix are exactly what may come out.
            let whole = layout.frames.filter { $0.range.upperBound <= length }
            let expected = Array(sample.plaintext[0..<whole.reduce(0) { $0 + $1.plaintextLength }])
            for mode in DriveMode.allCases(seed: UInt64(length)) {
                let outcome = await drive(prefix, with: sample.decryptor, mode: mode)
                guard case let .failed(error, delivered, pieces) = outcome else {
                    Issue.record("prefix of \(length) of \(sample.message.count) bytes (\(mode)) did not fail: \(outcome)")
                    continue
                }
                #expect(error.code == .malformedMessage, "prefix \(length) (\(mode)): \(error.code) \(error.message)")
                #expect(error.message.contains("truncated"), "prefix \(length) (\(mode)): \(error.message)")
                #expect(delivered == expected, "prefix \(length) (\(mode)): \(delivered.count) bytes out, \(expected.count) expected")
                #expect(layout.endsOnFrameBoundaries(pieces), "prefix \(length) (\(mode)): pieces \(pieces)")
            }
        }
        // The whole message still decrypts, by every route.
        for mode in DriveMode.allCases(seed: 99) {
            let outcome = await drive(sample.message, with: sample.decryptor, mode: mode)
            #expect(outcome.plaintext == sample.plaintext, "\(mode): \(outcome)")
        }
    }

    // MARK: - Flipped bits

    @Test(arguments: [unsigned, signed])
    func everyFlippedBitFailsAndReleasesNothingPastTheAlteredFrame(suite: AlgorithmSuite) async throws {
        let sample = try BadInputSample.make(suite: suite, length: 3 * 64 + 10, frameLength: 64, context: ["purpose": "flips"])
        let layout = try MessageLayout(sample.message)
        var tally: [String: Int] = [:]
        for bit in 0..<(sample.message.count * 8) {
            let byte = bit / 8
            let altered = TestSupport.flippingBit(bit, of: sample.message)
            let outcome = await drive(altered, with: sample.decryptor, mode: .whole)
            guard case let .failed(error, delivered, pieces) = outcome else {
                Issue.record("bit \(bit) (byte \(byte), \(layout.region(of: byte))) flipped and the message still decrypted: \(outcome)")
                continue
            }
            tally[error.code.name, default: 0] += 1
            #expect(!error.message.isEmpty)
            // Frames before the altered one may come out (a decoder that opens frames in
            // batches may hold some back); nothing from it or after it.
            let before = layout.frames.filter { $0.range.upperBound <= byte }
            let allowed = Array(sample.plaintext[0..<before.reduce(0) { $0 + $1.plaintextLength }])
            #expect(
                delivered.count <= allowed.count && delivered == Array(allowed.prefix(delivered.count)),
                "bit \(bit) in \(layout.region(of: byte)): \(delivered.count) bytes out, at most \(allowed.count)")
            #expect(layout.endsOnFrameBoundaries(pieces), "bit \(bit): pieces \(pieces)")
            switch layout.region(of: byte) {
            case .frame, .footer:
                #expect(
                    [.authenticationFailure, .malformedMessage].contains(error.code),
                    "bit \(bit) in \(layout.region(of: byte)): \(error.code) \(error.message)")
            case .header:
                #expect(
                    [.authenticationFailure, .malformedMessage, .unsupportedMessage, .noMatchingRecipient, .decryptionFailure]
                        .contains(error.code),
                    "bit \(bit) in the header: \(error.code) \(error.message)")
            }
        }
        print("flipped \(sample.message.count * 8) bits of a \(suite.hexID) message: \(tally.sorted { $0.key < $1.key })")
        #expect(tally.values.reduce(0, +) == sample.message.count * 8)
    }

    // MARK: - Keys, recipients and context

    @Test func wrongRecipientNameOrNamespaceIsNoMatchingRecipient() async throws {
        let sample = try BadInputSample.make(suite: Self.unsigned, length: 100, frameLength: 64, context: [:])
        let key = try TestSupport.privateKey(.rsa2048)
        for (namespace, name) in [(Self.namespace, "key-2"), ("other-namespace", Self.keyName), ("", "")] {
            let decryptor = MessageDecryptor(unwrapper: LocalRSAKeyUnwrapper(privateKey: key, namespace: namespace, name: name))
            let error = try await expectFailure(sample.message, decryptor, .noMatchingRecipient)
            #expect(error.message.contains("not encrypted to"), "\(error.message)")
            #expect(error.message.contains("\(Self.namespace) \(Self.keyName)"), "names who it is for: \(error.message)")
        }
        let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        let kms = MessageDecryptor(unwrapper: LocalRSAKeyUnwrapper(privateKey: key, keyARN: arn))
        _ = try await expectFailure(sample.message, kms, .noMatchingRecipient)
    }

    @Test func wrongPrivateKeyOrPaddingIsDecryptionFailure() async throws {
        let sample = try BadInputSample.make(suite: Self.unsigned, length: 100, frameLength: 64, context: [:], padding: .oaepSHA384)
        let other = try TestSupport.privateKey(.rsa3072)
        let wrongKey = MessageDecryptor(
            unwrapper: LocalRSAKeyUnwrapper(privateKey: other, namespace: Self.namespace, name: Self.keyName, padding: .oaepSHA384))
        let error = try await expectFailure(sample.message, wrongKey, .decryptionFailure)
        #expect(error.message.contains("does not decrypt with this private key"), "\(error.message)")
        let right = try TestSupport.privateKey(.rsa2048)
        for padding in [RSAEncryptionPadding.oaepSHA1, .oaepSHA256, .oaepSHA512] {
            let wrongPadding = MessageDecryptor(
                unwrapper: LocalRSAKeyUnwrapper(privateKey: right, namespace: Self.namespace, name: Self.keyName, padding: padding))
            let error = try await expectFailure(sample.message, wrongPadding, .decryptionFailure)
            #expect(error.message.contains("\(padding)"), "names the padding tried: \(error.message)")
        }
        // PKCS#1 v1.5 over an OAEP block: refused by the padding check, or (rarely) a
        // "data key" of the wrong length; never the plaintext.
        let pkcs1 = MessageDecryptor(unwrapper: LocalRSAKeyUnwrapper(
            privateKey: right, namespace: Self.namespace, name: Self.keyName, padding: .insecurePKCS1v1_5))
        _ = try await expectFailure(sample.message, pkcs1, .decryptionFailure)
        #expect(try await sample.decryptor.decrypt(sample.message).plaintext == sample.plaintext)
    }

    @Test func missingOrDifferentRequiredContextIsEncryptionContextMismatch() async throws {
        let sample = try BadInputSample.make(
            suite: Self.signed, length: 100, frameLength: 64, context: ["stage": "prod", "tenant": "a"])
        let unwrapper = sample.decryptor.unwrapper
        let cases: [(EncryptionContext, String)] = [
            (["stage": "dev"], "different value for 'stage'"),
            (["region": "eu"], "no key 'region'"),
            (["stage": "prod", "tenant": "b"], "different value for 'tenant'"),
            (["aws-crypto-public-key": "AAAA"], "different value for 'aws-crypto-public-key'"),
        ]
        for (required, reason) in cases {
            let decryptor = MessageDecryptor(unwrapper: unwrapper, requiredContext: required)
            let error = try await expectFailure(sample.message, decryptor, .encryptionContextMismatch)
            #expect(error.message.contains(reason), "\(required): \(error.message)")
        }
        // A subset of the context is enough.
        let subset = MessageDecryptor(unwrapper: unwrapper, requiredContext: ["tenant": "a"])
        #expect(try await subset.decrypt(sample.message).plaintext == sample.plaintext)
    }

    @Test(arguments: [unsigned, signed])
    func alteredContextByteInTheHeaderIsAuthenticationFailure(suite: AlgorithmSuite) async throws {
        let sample = try BadInputSample.make(suite: suite, length: 100, frameLength: 64, context: ["stage": "prod"])
        let layout = try MessageLayout(sample.message)
        // "prod" -> "prad": still UTF-8, same lengths; only the header tag can notice.
        let position = try #require(firstIndex(of: Array("prod".utf8), in: sample.message, range: layout.context))
        var altered = sample.message
        altered[position + 2] = UInt8(ascii: "a")
        let error = try await expectFailure(altered, sample.decryptor, .authenticationFailure)
        #expect(error.message.contains("header"), "\(error.message)")
        // A KMS-RSA recipient (0x0478 only) also binds the context digest into the wrapped
        // key, which the unwrapper checks first.
        guard suite == Self.unsigned else { return }
        let key = try TestSupport.privateKey(.rsa2048)
        let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        let kmsMessage = try MessageEncryptor(
            recipients: [try .awsKMSRSA(keyARN: arn, publicKey: key.publicKey)], context: ["stage": "prod"]
        ).encrypt([1, 2, 3])
        let kmsLayout = try MessageLayout(kmsMessage)
        let kmsPosition = try #require(firstIndex(of: Array("prod".utf8), in: kmsMessage, range: kmsLayout.context))
        var kmsAltered = kmsMessage
        kmsAltered[kmsPosition + 2] = UInt8(ascii: "a")
        let kms = MessageDecryptor(unwrapper: LocalRSAKeyUnwrapper(privateKey: key, keyARN: arn))
        let kmsError = try await expectFailure(kmsAltered, kms, .encryptionContextMismatch)
        #expect(kmsError.message.contains("encryption context"), "\(kmsError.message)")
        #expect(try await kms.decrypt(kmsMessage).plaintext == [1, 2, 3])
    }

    // MARK: - Frames out of place

    @Test(arguments: [unsigned, signed])
    func reorderedDuplicatedAndDroppedFramesAreRefused(suite: AlgorithmSuite) async throws {
        let sample = try BadInputSample.make(suite: suite, length: 4 * 64 + 20, frameLength: 64, context: [:])
        let layout = try MessageLayout(sample.message)
        let frames = layout.frames.map { Array(sample.message[$0.range]) }
        #expect(frames.count == 5)
        let header = Array(sample.message[0..<layout.headerLength])
        let footer = Array(sample.message[layout.footer])
        func assemble(_ order: [Int]) -> [UInt8] { header + order.flatMap { frames[$0] } + footer }
        let cases: [(String, [Int], SigilError.Code, String, Int)] = [
            ("frames 2 and 3 swapped", [0, 2, 1, 3, 4], .malformedMessage, "expected frame 2, found frame 3", 1),
            ("frame 2 duplicated", [0, 1, 1, 2, 3, 4], .malformedMessage, "expected frame 3, found frame 2", 2),
            ("frame 3 dropped", [0, 1, 3, 4], .malformedMessage, "expected frame 3, found frame 4", 2),
            ("first frame dropped", [1, 2, 3, 4], .malformedMessage, "expected frame 1, found frame 2", 0),
            ("final frame moved first", [4, 0, 1, 2, 3], .malformedMessage, "expected frame 1, found frame 5", 0),
            // Signed: the footer is then read as frame 5 (unsigned: the message just ends).
            ("final frame removed", [0, 1, 2, 3], .malformedMessage, suite.isSigned ? "expected frame 5, found" : "truncated", 4),
            // Signed: the copy is read as the footer, whose length then runs past the end.
            ("final frame duplicated", [0, 1, 2, 3, 4, 4], .malformedMessage, suite.isSigned ? "footer" : "stray bytes", 5),
        ]
        for (name, order, code, reason, framesOut) in cases {
            let altered = assemble(order)
            for mode in DriveMode.allCases(seed: UInt64(order.count)) {
                let outcome = await drive(altered, with: sample.decryptor, mode: mode)
                guard case let .failed(error, delivered, pieces) = outcome else {
                    Issue.record("\(name) (\(mode)) decrypted: \(outcome)")
                    continue
                }
                #expect(error.code == code, "\(name) (\(mode)): \(error.code) \(error.message)")
                #expect(error.message.contains(reason), "\(name) (\(mode)): \(error.message)")
                // At most the frames before the misplaced one, whole.
                let allowed = layout.frames.prefix(framesOut).reduce(0) { $0 + $1.plaintextLength }
                #expect(
                    delivered.count <= allowed && delivered == Array(sample.plaintext.prefix(delivered.count)),
                    "\(name) (\(mode)): \(delivered.count) bytes out, at most \(allowed)")
                #expect(layout.endsOnFrameBoundaries(pieces), "\(name) (\(mode)): pieces \(pieces)")
            }
        }
        // A frame of another message with the same key layout does not authenticate here.
        let other = try BadInputSample.make(suite: suite, length: 4 * 64 + 20, frameLength: 64, context: [:])
        let otherLayout = try MessageLayout(other.message)
        let foreign = header + frames[0] + Array(other.message[otherLayout.frames[1].range]) + frames[2...].flatMap { $0 } + footer
        let error = try await expectFailure(foreign, sample.decryptor, .authenticationFailure)
        #expect(error.message.contains("frame 2 does not authenticate"), "\(error.message)")
    }

    @Test(arguments: [unsigned, signed])
    func trailingGarbageAndConcatenatedMessagesAreRefused(suite: AlgorithmSuite) async throws {
        let sample = try BadInputSample.make(suite: suite, length: 150, frameLength: 64, context: [:])
        for (name, altered) in [
            ("one trailing zero byte", sample.message + [0]),
            ("trailing garbage", sample.message + Array("garbage".utf8)),
            ("the message twice", sample.message + sample.message),
        ] {
            for mode in DriveMode.allCases(seed: UInt64(altered.count)) {
                let outcome = await drive(altered, with: sample.decryptor, mode: mode)
                guard case let .failed(error, _, _) = outcome else {
                    Issue.record("\(name) (\(mode)) decrypted: \(outcome)")
                    continue
                }
                #expect(error.code == .malformedMessage, "\(name) (\(mode)): \(error.code) \(error.message)")
                #expect(error.message.contains("stray bytes"), "\(name) (\(mode)): \(error.message)")
            }
        }
    }

    // MARK: - Absurd header fields

    @Test func absurdHeaderFieldsAreCleanErrors() async throws {
        let sample = try BadInputSample.make(suite: Self.unsigned, length: 100, frameLength: 64, context: ["a": "b"])
        let layout = try MessageLayout(sample.message)
        let message = sample.message
        func setting(_ offset: Int, _ bytes: [UInt8], in base: [UInt8] = message) -> [UInt8] {
            var copy = base
            copy.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
            return copy
        }
        let lastFrame = try #require(layout.frames.last)
        let cases: [(String, [UInt8], SigilError.Code?, String)] = [
            ("version 1", setting(0, [0x01]), .unsupportedMessage, "version 1"),
            ("version 0x41", setting(0, [0x41]), .malformedMessage, "0x41"),
            ("version 0", setting(0, [0x00]), .malformedMessage, "not an Encryption SDK message"),
            ("non-committing suite 0x0178", setting(1, [0x01, 0x78]), .unsupportedMessage, "0x0178 does not commit"),
            ("non-committing suite 0x0078", setting(1, [0x00, 0x78]), .unsupportedMessage, "does not commit"),
            ("unknown suite 0x9999", setting(1, [0x99, 0x99]), .unsupportedMessage, "unknown algorithm suite 0x9999"),
            ("EDK count 0", setting(layout.edkCountOffset, [0, 0]), .malformedMessage, "no encrypted data key"),
            ("EDK count 65535", setting(layout.edkCountOffset, [0xff, 0xff]), .unsupportedMessage, "65535 encrypted data keys"),
            ("EDK count 17", setting(layout.edkCountOffset, [0, 17]), .unsupportedMessage, "the limit is 16"),
            ("context length 65535", setting(layout.contextLengthOffset, [0xff, 0xff]), .malformedMessage, "truncated"),
            // The pairs are then read as encrypted data keys, and what follows as garbage.
            ("context length 0 with pairs", setting(layout.contextLengthOffset, [0, 0]), nil, ""),
            ("EDK count 2 of 1", setting(layout.edkCountOffset, [0, 2]), nil, ""),
            ("context length 1 short", setting(layout.contextLengthOffset, [0, UInt8(layout.context.count - 1)]),
             .malformedMessage, "encryption context"),
            ("context pair count 0", setting(layout.context.lowerBound, [0, 0]), .malformedMessage, "0 pairs"),
            ("context pair count 9", setting(layout.context.lowerBound, [0, 9]), .malformedMessage, "shorter than its pairs"),
            ("context key not UTF-8", setting(layout.context.lowerBound + 4, [0xff]), .malformedMessage, "not UTF-8"),
            ("provider id not UTF-8", setting(layout.edkCountOffset + 4, [0xc3]), .malformedMessage, "not UTF-8"),
            ("EDK ciphertext length past the end", setting(layout.edkCiphertextLengthOffset, [0xff, 0xff]),
             .malformedMessage, "truncated inside its header"),
            ("content type 3", setting(layout.contentTypeOffset, [3]), .malformedMessage, "unknown content type"),
            ("content type 0", setting(layout.contentTypeOffset, [0]), .malformedMessage, "unknown content type"),
            ("non-framed with a frame length", setting(layout.contentTypeOffset, [1]), .malformedMessage, "non-framed content"),
            ("frame length 0", setting(layout.frameLengthOffset, [0, 0, 0, 0]), .malformedMessage, "frame length of 0"),
            ("frame length 0xFFFFFFFF", setting(layout.frameLengthOffset, [0xff, 0xff, 0xff, 0xff]), .unsupportedMessage,
             "4294967295 exceeds the limit"),
            ("frame length 63", setting(layout.frameLengthOffset, [0, 0, 0, 63]), .authenticationFailure, "header"),
            ("final frame longer than the frame length", setting(lastFrame.range.lowerBound + 20, [0, 0, 0, 65]),
             .malformedMessage, "more than the frame length"),
            ("final frame length past the end", setting(lastFrame.range.lowerBound + 20, [0, 0, 0, 64]),
             .malformedMessage, "truncated"),
            ("final frame length 0xFFFFFFFF", setting(lastFrame.range.lowerBound + 20, [0xff, 0xff, 0xff, 0xff]),
             .malformedMessage, "more than the frame length"),
            ("final frame shorter", setting(lastFrame.range.lowerBound + 20, [0, 0, 0, 1]), .authenticationFailure,
             "frame 2 (final) does not authenticate"),
            ("final marker on a regular frame", setting(layout.frames[0].range.lowerBound, [0xff, 0xff, 0xff, 0xff]),
             .malformedMessage, "expected frame 1"),
            ("sequence number 0", setting(layout.frames[0].range.lowerBound, [0, 0, 0, 0]), .malformedMessage,
             "expected frame 1, found frame 0"),
            ("empty input", [], .malformedMessage, "truncated"),
        ]
        for (name, altered, code, reason) in cases {
            for mode in DriveMode.allCases(seed: UInt64(name.count)) {
                let outcome = await drive(altered, with: sample.decryptor, mode: mode)
                guard case let .failed(error, _, _) = outcome else {
                    Issue.record("\(name) (\(mode)) decrypted: \(outcome)")
                    continue
                }
                if let code {
                    #expect(error.code == code, "\(name) (\(mode)): \(error.code) \(error.message)")
                } else {
                    #expect(messageFailureCodes.contains(error.code), "\(name) (\(mode)): \(error.code) \(error.message)")
                }
                #expect(reason.isEmpty || error.message.contains(reason), "\(name) (\(mode)): \(error.message)")
            }
            // `sigil inspect` reads the header the same way, without a key.
            if altered.count > 0, altered.count < 60_000 {
                _ = try? headerFromPipe(altered)
            }
        }
    }

    @Test func encryptedDataKeyCountLimitIsConfigurable() async throws {
        let key = try TestSupport.privateKey(.rsa2048)
        let recipients = try (1...3).map {
            try Recipient.rawRSA(namespace: Self.namespace, name: "key-\($0)", publicKey: key.publicKey)
        }
        let message = try MessageEncryptor(recipients: recipients, frameLength: 64).encrypt([7, 7, 7])
        let unwrapper = LocalRSAKeyUnwrapper(privateKey: key, namespace: Self.namespace, name: "key-3")
        let atLimit = MessageDecryptor(unwrapper: unwrapper, limits: DecryptionLimits(maximumEncryptedDataKeys: 3))
        #expect(try await atLimit.decrypt(message).plaintext == [7, 7, 7])
        let below = MessageDecryptor(unwrapper: unwrapper, limits: DecryptionLimits(maximumEncryptedDataKeys: 2))
        let error = try await expectFailure(message, below, .unsupportedMessage)
        #expect(error.message.contains("3 encrypted data keys; the limit is 2"), "\(error.message)")
    }

    @Test func frameLengthLimitIsConfigurable() async throws {
        let sample = try BadInputSample.make(suite: Self.unsigned, length: 300, frameLength: 128, context: [:])
        let unwrapper = sample.decryptor.unwrapper
        let atLimit = MessageDecryptor(unwrapper: unwrapper, limits: DecryptionLimits(maximumFrameLength: 128))
        #expect(try await atLimit.decrypt(sample.message).plaintext == sample.plaintext)
        let below = MessageDecryptor(unwrapper: unwrapper, limits: DecryptionLimits(maximumFrameLength: 127))
        let error = try await expectFailure(sample.message, below, .unsupportedMessage)
        #expect(error.message.contains("frame length 128 exceeds the limit of 127"), "\(error.message)")
    }

    /// The header-size limit holds however the bytes arrive: all at once, in small chunks
    /// or from a file descriptor.
    @Test(arguments: [unsigned, signed])
    func headerSizeLimitIsEnforcedHoweverTheBytesArrive(suite: AlgorithmSuite) async throws {
        let sample = try BadInputSample.make(
            suite: suite, length: 100, frameLength: 64, context: ["note": String(repeating: "x", count: 2000)])
        let layout = try MessageLayout(sample.message)
        let unwrapper = sample.decryptor.unwrapper
        let exact = MessageDecryptor(unwrapper: unwrapper, limits: DecryptionLimits(maximumHeaderSize: layout.headerLength))
        let tight = MessageDecryptor(unwrapper: unwrapper, limits: DecryptionLimits(maximumHeaderSize: layout.headerLength - 1))
        let small = MessageDecryptor(unwrapper: unwrapper, limits: DecryptionLimits(maximumHeaderSize: 1024))
        for mode in DriveMode.allCases(seed: 7) {
            let fits = await drive(sample.message, with: exact, mode: mode)
            #expect(fits.plaintext == sample.plaintext, "a header of exactly the limit (\(mode)): \(fits)")
            for decryptor in [tight, small] {
                let outcome = await drive(sample.message, with: decryptor, mode: mode)
                guard case let .failed(error, delivered, _) = outcome else {
                    Issue.record("a \(layout.headerLength)-byte header passed a limit of \(decryptor.limits.maximumHeaderSize) (\(mode))")
                    continue
                }
                #expect(error.code == .unsupportedMessage, "\(mode): \(error.code) \(error.message)")
                #expect(error.message.contains("header is longer than the limit"), "\(mode): \(error.message)")
                #expect(delivered.isEmpty)
            }
        }
        // A context length that claims more than the limit is refused before it is read.
        var huge = sample.message
        huge.replaceSubrange(layout.contextLengthOffset..<(layout.contextLengthOffset + 2), with: [0xff, 0xff])
        let error = try await expectFailure(huge, small, .unsupportedMessage)
        #expect(error.message.contains("header is longer than the limit of 1024"), "\(error.message)")
    }

    // MARK: - Mutation fuzzing

    /// Thousands of random mutations of valid messages, in memory and in random chunks:
    /// each ends in a `SigilError`, or — only when the mutation changed nothing — the
    /// original plaintext. `SIGIL_FUZZ_SEED=<seed>` replays the mutations and chunkings;
    /// the messages themselves are fresh each run, so a failing one is saved to a file.
    @Test func randomMutationsEndInACleanErrorOrTheOriginalPlaintext() async throws {
        let seed = ProcessInfo.processInfo.environment["SIGIL_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5161_4c00_0003_0001
        print("mutation fuzz seed: \(seed) (set SIGIL_FUZZ_SEED to replay)")
        var random = SplitMix64(seed: seed)
        var samples: [BadInputSample] = []
        for suite in [Self.unsigned, Self.signed] {
            for frameLength in [16, 100] {
                for context: [String: String] in [[:], ["purpose": "fuzz", "tenant": "t-1"]] {
                    let length = Int(random.next() % 400)
                    samples.append(try BadInputSample.make(suite: suite, length: length, frameLength: UInt32(frameLength), context: context))
                }
            }
        }
        let rounds = 3200
        var byCode: [String: Int] = [:]
        var byKind: [String: Int] = [:]
        var noOps = 0
        for round in 0..<rounds {
            let sample = samples[Int(random.next() % UInt64(samples.count))]
            let (mutated, kinds) = Mutator.mutate(sample.message, using: &random)
            for kind in kinds { byKind[kind, default: 0] += 1 }
            let chunkSeed = random.next()
            var codes: [SigilError.Code] = []
            for mode in [DriveMode.whole, .chunks(seed: chunkSeed)] {
                let outcome = await drive(mutated, with: sample.decryptor, mode: mode)
                switch outcome {
                case let .decrypted(plaintext, _):
                    if mutated != sample.message || plaintext != sample.plaintext {
                        Issue.record(Comment(rawValue:
                            "round \(round) (seed \(seed), \(kinds), \(mode)): an altered message decrypted to \(plaintext.count) bytes; "
                                + "saved in \(saveForReplay(mutated, round: round))"))
                    } else if mode == .whole {
                        noOps += 1
                    }
                case let .failed(error, delivered, _):
                    if mode == .whole { byCode[error.code.name, default: 0] += 1 }
                    codes.append(error.code)
                    #expect(messageFailureCodes.contains(error.code), "round \(round) (seed \(seed), \(kinds), \(mode)): \(error)")
                    let isPrefix = delivered.count <= sample.plaintext.count
                        && Array(sample.plaintext[0..<delivered.count]) == delivered
                    if !isPrefix {
                        Issue.record(Comment(rawValue:
                            "round \(round) (seed \(seed), \(kinds), \(mode)): plaintext out is not the original's prefix; "
                                + "saved in \(saveForReplay(mutated, round: round))"))
                    }
                    #expect(!error.message.isEmpty)
                case let .crashedOther(error):
                    Issue.record(Comment(rawValue:
                        "round \(round) (seed \(seed), \(kinds), \(mode)): not a SigilError: \(error); "
                            + "saved in \(saveForReplay(mutated, round: round))"))
                }
            }
            #expect(Set(codes).count <= 1, "round \(round) (seed \(seed), \(kinds)): in memory and in chunks disagree: \(codes)")
        }
        print("mutation fuzz: \(rounds) mutated messages, each in memory and in random chunks; no-ops \(noOps)")
        print("mutation fuzz outcomes by error code: \(byCode.sorted { $0.key < $1.key })")
        print("mutation fuzz mutations applied: \(byKind.sorted { $0.key < $1.key })")
        #expect(byCode.values.reduce(0, +) + noOps == rounds)
        #expect(rounds >= 3000)
    }
}

// MARK: - Helpers

/// What "this message does not decrypt" may be, as opposed to a usage error.
let messageFailureCodes: Set<SigilError.Code> = [
    .authenticationFailure, .decryptionFailure, .noMatchingRecipient, .encryptionContextMismatch, .malformedMessage,
    .unsupportedMessage,
]

/// A valid message with what it takes to open it.
struct BadInputSample: Sendable {
    let message: [UInt8]
    let plaintext: [UInt8]
    let decryptor: MessageDecryptor

    static func make(
        suite: AlgorithmSuite, length: Int, frameLength: UInt32, context: [String: String],
        padding: RSAEncryptionPadding = .oaepSHA256
    ) throws -> BadInputSample {
        let key = try TestSupport.privateKey(.rsa2048)
        let recipient = try Recipient.rawRSA(
            namespace: MessageBadInputTests.namespace, name: MessageBadInputTests.keyName, publicKey: key.publicKey, padding: padding)
        let plaintext = TestSupport.randomMessage(lengths: length...length)
        let message = try MessageEncryptor(
            recipients: [recipient], context: try EncryptionContext(context), suite: suite, frameLength: frameLength
        ).encrypt(plaintext)
        let unwrapper = MemoizingUnwrapper(LocalRSAKeyUnwrapper(
            privateKey: key, namespace: MessageBadInputTests.namespace, name: MessageBadInputTests.keyName, padding: padding))
        return BadInputSample(message: message, plaintext: plaintext, decryptor: MessageDecryptor(unwrapper: unwrapper))
    }
}

/// Remembers what a raw-RSA unwrapper answered for each list of encrypted data keys, so
/// that thousands of altered messages cost one RSA decryption per distinct list. A raw RSA
/// unwrap depends on the encrypted data keys only, so the answers are the same.
final class MemoizingUnwrapper: DataKeyUnwrapper, @unchecked Sendable {
    private let inner: LocalRSAKeyUnwrapper
    private let lock = NSLock()
    private var answers: [[EncryptedDataKey]: Result<SecureBytes, SigilError>] = [:]

    init(_ inner: LocalRSAKeyUnwrapper) { self.inner = inner }

    func unwrapDataKey(for header: MessageHeader) async throws -> SecureBytes {
        let known = lock.withLock { answers[header.encryptedDataKeys] }
        if let known { return try known.get() }
        let answer: Result<SecureBytes, SigilError>
        do {
            answer = .success(try await inner.unwrapDataKey(for: header))
        } catch let error as SigilError {
            answer = .failure(error)
        }
        lock.withLock {
            if answers.count > 4096 { answers.removeAll() }
            answers[header.encryptedDataKeys] = answer
        }
        return try answer.get()
    }
}

/// Keeps a failing fuzz case: the data key, message id and plaintext are fresh in each run
/// (the seed fixes the mutations, not the messages), so the bytes and the private key are
/// saved for a replay.
func saveForReplay(_ message: [UInt8], round: Int) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sigil-fuzz-failures")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent("round-\(round).sigil")
    try? Data(message).write(to: file)
    if let key = try? TestSupport.privateKey(.rsa2048) {
        try? Data(key.pemRepresentation.utf8).write(to: folder.appendingPathComponent("key.pem"))
    }
    return file.path + " (raw RSA \(MessageBadInputTests.namespace)/\(MessageBadInputTests.keyName), key.pem beside it)"
}

/// How the bytes reach the decryptor.
enum DriveMode: Equatable, CustomStringConvertible {
    /// One chunk through the async-sequence API (what `decrypt(_:)` does).
    case whole
    /// Random chunk sizes, empty ones included, through the async-sequence API.
    case chunks(seed: UInt64)
    /// A pipe read by `decrypt(readingFrom:)`, as the CLI reads standard input.
    case pipe

    static func allCases(seed: UInt64) -> [DriveMode] { [.whole, .chunks(seed: seed), .pipe] }

    var description: String {
        switch self {
        case .whole: return "in memory"
        case .chunks(let seed): return "chunks seeded \(seed)"
        case .pipe: return "through a pipe"
        }
    }
}

enum DriveOutcome: CustomStringConvertible {
    case decrypted([UInt8], header: MessageHeader)
    /// A `SigilError`, with the plaintext handed out before it and the size of each piece.
    case failed(SigilError, delivered: [UInt8], pieces: [Int])
    case crashedOther(any Error)

    var plaintext: [UInt8]? {
        if case let .decrypted(plaintext, _) = self { return plaintext }
        return nil
    }

    var description: String {
        switch self {
        case let .decrypted(plaintext, _): return "decrypted \(plaintext.count) bytes"
        case let .failed(error, delivered, _): return "\(error.code): \(error.message) (after \(delivered.count) bytes out)"
        case let .crashedOther(error): return "not a SigilError: \(error)"
        }
    }
}

/// Decrypts `message` the way `mode` says, recording every piece of plaintext handed out.
func drive(_ message: [UInt8], with decryptor: MessageDecryptor, mode: DriveMode) async -> DriveOutcome {
    var delivered: [UInt8] = []
    var pieces: [Int] = []
    let collect: (UnsafeRawBufferPointer) throws -> Void = { piece in
        delivered.append(contentsOf: piece)
        pieces.append(piece.count)
    }
    do {
        let header: MessageHeader
        switch mode {
        case .whole:
            header = try await decryptor.decrypt(ChunkedBytes([message]), to: collect)
        case .chunks(let seed):
            var random = SplitMix64(seed: seed)
            var chunks: [[UInt8]] = []
            var start = 0
            while start < message.count {
                let size = Int(random.next() % 4 == 0 ? random.next() % 3 : random.next() % 97)
                let end = min(message.count, start + size)
                chunks.append(Array(message[start..<end]))
                start = end
            }
            header = try await decryptor.decrypt(ChunkedBytes(chunks), to: collect)
        case .pipe:
            var descriptors: [Int32] = [0, 0]
            guard pipe(&descriptors) == 0 else { return .crashedOther(TestFailure("pipe() failed")) }
            let (reading, writing) = (descriptors[0], descriptors[1])
            // Fill the pipe from another thread so messages larger than its buffer work too.
            let writer = Thread {
                message.withUnsafeBytes { try? FileIO.write(writing, $0) }
                close(writing)
            }
            writer.start()
            defer { close(reading) }
            header = try await decryptor.decrypt(readingFrom: reading, to: collect)
        }
        return .decrypted(delivered, header: header)
    } catch let error as SigilError {
        return .failed(error, delivered: delivered, pieces: pieces)
    } catch {
        return .crashedOther(error)
    }
}

/// Decrypts `message` every way and requires the same error code each time.
@discardableResult
func expectFailure(
    _ message: [UInt8], _ decryptor: MessageDecryptor, _ code: SigilError.Code,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> SigilError {
    var first: SigilError?
    for mode in DriveMode.allCases(seed: UInt64(message.count)) {
        let outcome = await drive(message, with: decryptor, mode: mode)
        guard case let .failed(error, _, _) = outcome else {
            Issue.record("expected \(code) (\(mode)), got \(outcome)", sourceLocation: sourceLocation)
            continue
        }
        #expect(error.code == code, "\(mode): \(error.code) \(error.message)", sourceLocation: sourceLocation)
        #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
        first = first ?? error
    }
    return try #require(first, sourceLocation: sourceLocation)
}

/// Reads a header from a pipe as `sigil inspect` does; errors must be `SigilError`s.
func headerFromPipe(_ bytes: [UInt8]) throws -> MessageHeader {
    var descriptors: [Int32] = [0, 0]
    guard pipe(&descriptors) == 0 else { throw TestFailure("pipe() failed") }
    bytes.withUnsafeBytes { _ = try? FileIO.write(descriptors[1], $0) }
    close(descriptors[1])
    defer { close(descriptors[0]) }
    do {
        return try MessageHeader.read(fromDescriptor: descriptors[0])
    } catch let error as SigilError {
        throw error
    } catch {
        Issue.record("inspecting a header threw a non-SigilError: \(error)")
        throw error
    }
}

/// Chunks as an async sequence.
struct ChunkedBytes: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let chunks: [[UInt8]]
    init(_ chunks: [[UInt8]]) { self.chunks = chunks }

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<[UInt8]>
        mutating func next() async -> [UInt8]? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: chunks[...]) }
}

/// Where each part of a valid message lies, found by walking it independently of the
/// decoder.
struct MessageLayout {
    struct Frame {
        let range: Range<Int>
        let plaintextLength: Int
        let isFinal: Bool
    }

    enum Region: CustomStringConvertible {
        case header, frame(Int), footer
        var description: String {
            switch self {
            case .header: return "header"
            case .frame(let index): return "frame \(index + 1)"
            case .footer: return "footer"
            }
        }
    }

    let contextLengthOffset = 35
    let context: Range<Int>
    let edkCountOffset: Int
    let edkCiphertextLengthOffset: Int
    let contentTypeOffset: Int
    let frameLengthOffset: Int
    let headerLength: Int
    let frames: [Frame]
    let footer: Range<Int>

    init(_ bytes: [UInt8]) throws {
        var offset = 0
        func take(_ count: Int) throws -> Range<Int> {
            guard offset + count <= bytes.count else { throw TestFailure("layout: message ends at \(bytes.count)") }
            defer { offset += count }
            return offset..<(offset + count)
        }
        func number(_ count: Int) throws -> Int { try take(count).reduce(0) { $0 << 8 | Int(bytes[$1]) } }
        _ = try take(1 + 2 + 32)
        let contextLength = try number(2)
        context = try take(contextLength)
        edkCountOffset = offset
        let keyCount = try number(2)
        var ciphertextLengthOffset = 0
        for _ in 0..<keyCount {
            for field in 0..<3 {
                if field == 2 { ciphertextLengthOffset = offset }
                _ = try take(try number(2))
            }
        }
        edkCiphertextLengthOffset = ciphertextLengthOffset
        contentTypeOffset = offset
        _ = try take(1)
        frameLengthOffset = offset
        let frameLength = try number(4)
        _ = try take(32 + 16)
        headerLength = offset
        var frames: [Frame] = []
        while true {
            let start = offset
            let sequence = try number(4)
            if sequence == 0xffff_ffff {
                _ = try take(4 + 12)
                let length = try number(4)
                _ = try take(length + 16)
                frames.append(Frame(range: start..<offset, plaintextLength: length, isFinal: true))
                break
            }
            _ = try take(12 + frameLength + 16)
            frames.append(Frame(range: start..<offset, plaintextLength: frameLength, isFinal: false))
        }
        self.frames = frames
        footer = offset..<bytes.count
    }

    /// Whether every piece of plaintext handed out ends where a frame ends: no partial frames.
    func endsOnFrameBoundaries(_ pieces: [Int]) -> Bool {
        var boundaries: Set<Int> = [0]
        var total = 0
        for frame in frames {
            total += frame.plaintextLength
            boundaries.insert(total)
        }
        var running = 0
        for piece in pieces {
            running += piece
            guard boundaries.contains(running) else { return false }
        }
        return true
    }

    func region(of offset: Int) -> Region {
        if offset < headerLength { return .header }
        if let index = frames.firstIndex(where: { $0.range.contains(offset) }) { return .frame(index) }
        return .footer
    }

}

/// Where `needle` first occurs in `bytes[range]`.
func firstIndex(of needle: [UInt8], in bytes: [UInt8], range: Range<Int>) -> Int? {
    guard range.count >= needle.count else { return nil }
    return (range.lowerBound...(range.upperBound - needle.count)).first {
        Array(bytes[$0..<($0 + needle.count)]) == needle
    }
}

/// Random edits of a message: flipped bits, overwritten, inserted, deleted and duplicated
/// ranges, truncation — one to three per message.
enum Mutator {
    static func mutate(_ original: [UInt8], using random: inout SplitMix64) -> ([UInt8], [String]) {
        var bytes = original
        var kinds: [String] = []
        for _ in 0...(random.next() % 3) {
            func position(_ extra: Int = 0) -> Int { Int(random.next() % UInt64(max(1, bytes.count + extra))) }
            func span() -> Int { 1 + Int(random.next() % (random.next() % 2 == 0 ? 4 : 80)) }
            switch random.next() % 7 {
            case 0 where !bytes.isEmpty:
                bytes[position()] ^= UInt8(1) << UInt8(random.next() % 8)
                kinds.append("flip")
            case 1 where !bytes.isEmpty:
                let start = position()
                for index in start..<min(bytes.count, start + span()) { bytes[index] = UInt8(truncatingIfNeeded: random.next()) }
                kinds.append("overwrite")
            case 2:
                let at = position(1)
                bytes.insert(contentsOf: (0..<span()).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
                kinds.append("insert")
            case 3 where !bytes.isEmpty:
                let start = position()
                bytes.removeSubrange(start..<min(bytes.count, start + span()))
                kinds.append("delete")
            case 4 where !bytes.isEmpty:
                bytes.removeLast(1 + position(-1))
                kinds.append("truncate")
            case 5 where !bytes.isEmpty:
                let start = position()
                let copy = Array(bytes[start..<min(bytes.count, start + span())])
                bytes.insert(contentsOf: copy, at: position(1))
                kinds.append("duplicate")
            default:
                // A special value in a random field-sized slot: 0, 0xFF.., or a small count.
                guard bytes.count >= 4 else { continue }
                let start = position(-3)
                let values: [[UInt8]] = [[0, 0], [0xff, 0xff], [0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff], [0, 1], [0x7f, 0xff]]
                let value = values[Int(random.next() % UInt64(values.count))]
                bytes.replaceSubrange(start..<(start + value.count), with: value)
                kinds.append("field")
            }
        }
        return (bytes, kinds)
    }
}
