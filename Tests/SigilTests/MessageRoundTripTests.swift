import Foundation
import Sigil
import SigilTestSupport
import Testing

/// Hands the decoder a known data key: for vectors that give one.
struct FixedDataKey: DataKeyUnwrapper {
    let key: SecureBytes
    func unwrapDataKey(for header: MessageHeader) async throws -> SecureBytes { key }
}

@Suite struct MessageRoundTripTests {
    static let arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    func rawRecipient(_ padding: RSAEncryptionPadding = .oaepSHA256) throws -> (Recipient, LocalRSAKeyUnwrapper) {
        let key = try TestSupport.privateKey(.rsa2048)
        return (
            try .rawRSA(namespace: "sigil-test", name: "key-1", publicKey: key.publicKey, padding: padding),
            LocalRSAKeyUnwrapper(privateKey: key, namespace: "sigil-test", name: "key-1", padding: padding)
        )
    }

    @Test(arguments: [
        (0, 4096), (1, 4096), (4095, 4096), (4096, 4096), (4097, 4096), (3 * 4096, 4096), (10_000, 1), (1000, 100),
        (200_000, 65536),
    ])
    func roundTripsInMemoryAndThroughFiles(length: Int, frameLength: Int) async throws {
        let (recipient, unwrapper) = try rawRecipient()
        let plaintext = TestSupport.randomMessage(lengths: length...length)
        let encryptor = MessageEncryptor(recipients: [recipient], context: ["purpose": "test"], frameLength: UInt32(frameLength))
        let message = try encryptor.encrypt(plaintext)
        let decryptor = MessageDecryptor(unwrapper: unwrapper)
        let (decrypted, header) = try await decryptor.decrypt(message)
        #expect(decrypted == plaintext)
        #expect(header.encryptionContext["purpose"] == "test")
        #expect(header.frameLength == UInt32(frameLength))

        // Through file descriptors, as the CLI does.
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("plain")
        try Data(plaintext).write(to: input)
        let handle = try FileHandle(forReadingFrom: input)
        var streamed: [UInt8] = []
        try encryptor.encrypt(readingFrom: handle.fileDescriptor) { streamed.append(contentsOf: $0) }
        try handle.close()
        let messageFile = folder.appendingPathComponent("message")
        try Data(streamed).write(to: messageFile)
        let messageHandle = try FileHandle(forReadingFrom: messageFile)
        var output: [UInt8] = []
        try await decryptor.decrypt(readingFrom: messageHandle.fileDescriptor) { output.append(contentsOf: $0) }
        try messageHandle.close()
        #expect(output == plaintext)
        // Same frames as in memory: a multiple of the frame length ends with a full final frame.
        #expect(streamed.count == message.count)
    }

    @Test func signedSuiteRoundTripsAndRefusesAnAlteredFooter() async throws {
        let (recipient, unwrapper) = try rawRecipient(.oaepSHA512)
        let plaintext = TestSupport.randomMessage(lengths: 10_000...10_000)
        let message = try MessageEncryptor(
            recipients: [recipient], suite: .aes256GCMHKDFSHA512CommitKeyECDSAP384, frameLength: 1000
        ).encrypt(plaintext)
        let decryptor = MessageDecryptor(unwrapper: unwrapper)
        let (decrypted, header) = try await decryptor.decrypt(message)
        #expect(decrypted == plaintext)
        #expect(header.encryptionContext[EncryptionContext.publicKeyKey] != nil)
        await #expect(throws: SigilError(.authenticationFailure, "")) {
            try await decryptor.decrypt(TestSupport.flippingBit(message.count * 8 - 3, of: message))
        }
        await #expect(throws: SigilError(.malformedMessage, "")) {
            try await decryptor.decrypt(message.dropLast(50))
        }
    }

    @Test(arguments: [RSAEncryptionPadding.oaepSHA256, .oaepSHA1])
    func awsKMSRSARecipientsCarryTheContextDigest(padding: RSAEncryptionPadding) async throws {
        let key = try TestSupport.privateKey(.rsa3072)
        let recipient = try Recipient.awsKMSRSA(keyARN: Self.arn, publicKey: key.publicKey, padding: padding)
        let message = try MessageEncryptor(recipients: [recipient], context: ["tenant": "a"]).encrypt([1, 2, 3])
        let unwrapper = LocalRSAKeyUnwrapper(privateKey: key, keyARN: Self.arn, padding: padding)
        let (plaintext, header) = try await MessageDecryptor(unwrapper: unwrapper).decrypt(message)
        #expect(plaintext == [1, 2, 3])
        #expect(header.encryptedDataKeys.first?.providerID == "aws-kms-rsa")
        #expect(header.encryptedDataKeys.first?.providerInfoText == Self.arn)
        #expect(throws: SigilError(.invalidArgument, "")) {
            try MessageEncryptor(recipients: [recipient], suite: .aes256GCMHKDFSHA512CommitKeyECDSAP384).encrypt([1])
        }
    }

    @Test func requiredContextMustBePresent() async throws {
        let (recipient, unwrapper) = try rawRecipient()
        let message = try MessageEncryptor(recipients: [recipient], context: ["stage": "prod"]).encrypt([9])
        let good = MessageDecryptor(unwrapper: unwrapper, requiredContext: ["stage": "prod"])
        #expect(try await good.decrypt(message).plaintext == [9])
        for required: EncryptionContext in [["stage": "dev"], ["region": "eu"]] {
            await #expect(throws: SigilError(.encryptionContextMismatch, "")) {
                try await MessageDecryptor(unwrapper: unwrapper, requiredContext: required).decrypt(message)
            }
        }
        #expect(throws: SigilError(.invalidArgument, "")) {
            try MessageEncryptor(recipients: [recipient], context: ["aws-crypto-public-key": "x"]).encrypt([1])
        }
    }

    @Test func refusesTheWrongKeyOrRecipient() async throws {
        let (recipient, _) = try rawRecipient()
        let message = try MessageEncryptor(recipients: [recipient]).encrypt([1, 2, 3])
        let other = try AsymmetricPrivateKey(generating: .rsa2048)
        await #expect(throws: SigilError(.decryptionFailure, "")) {
            try await MessageDecryptor(unwrapper: LocalRSAKeyUnwrapper(privateKey: other, namespace: "sigil-test", name: "key-1")).decrypt(message)
        }
        await #expect(throws: SigilError(.noMatchingRecipient, "")) {
            try await MessageDecryptor(unwrapper: LocalRSAKeyUnwrapper(privateKey: other, namespace: "sigil-test", name: "key-2")).decrypt(message)
        }
        await #expect(throws: SigilError(.decryptionFailure, "")) {
            try await MessageDecryptor(unwrapper: LocalRSAKeyUnwrapper(
                privateKey: TestSupport.privateKey(.rsa2048), namespace: "sigil-test", name: "key-1", padding: .oaepSHA1)).decrypt(message)
        }
        await #expect(throws: SigilError(.authenticationFailure, "")) {
            try await MessageDecryptor(unwrapper: FixedDataKey(key: SecureBytes(randomCount: 32))).decrypt(message)
        }
    }
}
