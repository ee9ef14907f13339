import Foundation
import Sigil
import SigilTestSupport
import Testing

/// Every truncation and every single-bit flip of a valid envelope and of valid bundles:
/// each must end in an error or `invalid`, never a crash and never a payload other than the
/// one the trusted keys signed.
@Suite struct DSSEBadInputTests {
    /// What happened to the mutated inputs, counted.
    struct Tally: CustomStringConvertible {
        var cases = 0
        var errors: [String: Int] = [:]
        /// Mutations that still verified, by the byte offset they touched (or -1 for a
        /// truncation).
        var verifiedOffsets: [Int] = []

        mutating func record(offset: Int, _ body: () throws -> Bool) {
            cases += 1
            do {
                if try body() { verifiedOffsets.append(offset) }
            } catch let error as SigilError {
                errors[error.code.name, default: 0] += 1
            } catch {
                errors["non-SigilError \(type(of: error))", default: 0] += 1
            }
        }

        var description: String {
            "\(cases) cases: \(errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")), verified \(verifiedOffsets.count)"
        }
    }

    /// Runs `check` on every truncation and every bit flip of `bytes`.
    static func sweep(_ bytes: [UInt8], check: ([UInt8]) throws -> Bool) -> Tally {
        var tally = Tally()
        for length in 0..<bytes.count {
            tally.record(offset: -1) { try check(Array(bytes[..<length])) }
        }
        for bit in 0..<(bytes.count * 8) {
            tally.record(offset: bit / 8) { try check(TestSupport.flippingBit(bit, of: bytes)) }
        }
        return tally
    }

    /// The byte range of `member` in `bytes`' text (first occurrence).
    static func range(of member: String, in bytes: [UInt8]) throws -> Range<Int> {
        let text = String(decoding: bytes, as: UTF8.self)
        let found = try #require(text.range(of: member))
        let start = text.utf8.distance(from: text.startIndex, to: found.lowerBound)
        return start..<(start + member.utf8.count)
    }

    @Test func everyTruncationAndBitFlipOfAnEnvelopeIsRefused() async throws {
        let first = try await DSSETestKey.key(.p256)
        let second = try await DSSETestKey.key(.rsaPSS)
        let store = try TrustStore([first.trusted(as: "first"), second.trusted(as: "second")])
        let envelope = try await DSSETestEnvelopes.envelope(signers: [(first, "first"), (second, "second")])
        let bytes = envelope.jsonRepresentation
        #expect(try DSSEEnvelope(jsonRepresentation: bytes).verify(using: store, threshold: 2).keyIDs == ["first", "second"])

        let tally = Self.sweep(bytes) { mutated in
            let verified = try DSSEEnvelope(jsonRepresentation: mutated).verify(using: store, threshold: 2)
            #expect(verified.payload == DSSETestEnvelopes.payload)
            #expect(verified.payloadType == DSSETestEnvelopes.payloadType)
            return true
        }
        print("DSSE envelope sweep (\(bytes.count) bytes): \(tally)")
        #expect(tally.cases == bytes.count * 9)
        #expect(tally.errors.keys.allSatisfy { !$0.hasPrefix("non-SigilError") }, "\(tally)")
        // The only mutations that still verify rename an unsigned `keyid` member: the
        // signature is then tried with every trusted key and still verifies. Nothing else.
        let keyIDNames = try Self.range(of: #""keyid""#, in: bytes)
        let secondKeyIDName = try Self.range(of: #""keyid":"second""#, in: bytes).prefix(7)
        for offset in tally.verifiedOffsets {
            #expect(keyIDNames.contains(offset) || secondKeyIDName.contains(offset), "offset \(offset) verified")
        }
        #expect(tally.errors["authenticationFailure", default: 0] > 0)
        #expect(tally.errors["malformedMessage", default: 0] > 0)
    }

    @Test func everyTruncationAndBitFlipOfAMessageSignatureBundleIsRefused() async throws {
        let key = try await DSSETestKey.key(.p256)
        let store = try TrustStore([key.trusted(as: "release")])
        let artifact = SigstoreBundleTests.artifact
        let original = try await SigstoreBundleTests.bundle(key)
        let bytes = original.jsonRepresentation
        #expect(try SigstoreBundle(jsonRepresentation: bytes).verify(using: store, artifact: .bytes(artifact)).artifactVerified)

        let tally = Self.sweep(bytes) { mutated in
            let bundle = try SigstoreBundle(jsonRepresentation: mutated)
            _ = try bundle.verify(using: store, artifact: .bytes(artifact))
            #expect(bundle.messageSignature?.signature == original.messageSignature?.signature)
            #expect(bundle.messageSignature?.digest == nil || bundle.messageSignature == original.messageSignature)
            return true
        }
        print("Sigstore message-signature bundle sweep (\(bytes.count) bytes): \(tally)")
        #expect(tally.cases == bytes.count * 9)
        #expect(tally.errors.keys.allSatisfy { !$0.hasPrefix("non-SigilError") }, "\(tally)")
        // Renaming the `hint` member leaves no hint (every key is tried); renaming
        // `tlogEntries` drops an unverified member; renaming `messageDigest` drops the
        // optional digest hint, and the signature over the artifact alone still decides.
        // Those are the only survivors.
        let allowed = [
            try Self.range(of: #""hint""#, in: bytes), try Self.range(of: #""tlogEntries""#, in: bytes),
            try Self.range(of: #""messageDigest""#, in: bytes),
        ]
        for offset in tally.verifiedOffsets {
            #expect(allowed.contains { $0.contains(offset) }, "offset \(offset) verified")
        }
    }

    @Test func everyTruncationAndBitFlipOfADSSEBundleIsRefused() async throws {
        let key = try await DSSETestKey.key(.p384)
        let store = try TrustStore([key.trusted(as: "attester")])
        let envelope = try await DSSETestEnvelopes.envelope(signers: [(key, "")])
        let bytes = try SigstoreBundle(dsseEnvelope: envelope, publicKeyHint: "attester").jsonRepresentation

        let tally = Self.sweep(bytes) { mutated in
            let verified = try SigstoreBundle(jsonRepresentation: mutated).verify(using: store, artifact: nil)
            #expect(verified.payload == DSSETestEnvelopes.payload)
            #expect(verified.payloadType == DSSETestEnvelopes.payloadType)
            return true
        }
        print("Sigstore DSSE bundle sweep (\(bytes.count) bytes): \(tally)")
        #expect(tally.cases == bytes.count * 9)
        #expect(tally.errors.keys.allSatisfy { !$0.hasPrefix("non-SigilError") }, "\(tally)")
        // As for a message signature, and the envelope's empty `keyid`, which a bundle
        // ignores (the key is the bundle's).
        let allowed = [
            try Self.range(of: #""hint""#, in: bytes), try Self.range(of: #""tlogEntries""#, in: bytes),
            try Self.range(of: #""keyid""#, in: bytes),
        ]
        for offset in tally.verifiedOffsets {
            #expect(allowed.contains { $0.contains(offset) }, "offset \(offset) verified")
        }
    }

    @Test(arguments: [100, 10_000, 200_000])
    func deeplyNestedJSONIsRefusedOrIgnoredWithoutCrashing(depth: Int) throws {
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let envelope = #"{"payload":"","payloadType":"t","signatures":[],"x":\#(nested)}"#
        _ = try? DSSEEnvelope(jsonRepresentation: Data(envelope.utf8))
        let statement = #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"00"}}],"predicateType":"p","predicate":\#(nested)}"#
        _ = try? InTotoStatement(jsonRepresentation: Data(statement.utf8))
        let bundle = #"{"mediaType":"\#(SigstoreBundle.mediaTypeV03)","verificationMaterial":{"publicKey":{},"tlogEntries":[\#(nested)]},"messageSignature":{"signature":"AAAA"}}"#
        _ = try? SigstoreBundle(jsonRepresentation: Data(bundle.utf8))
    }

    @Test func oversizedInputIsRefusedBeforeParsing() throws {
        let limits = DSSEEnvelope.Limits(maximumEnvelopeSize: 1 << 10, maximumSignatures: 2)
        let big = Data(repeating: UInt8(ascii: " "), count: (1 << 10) + 1)
        #expect(DSSETestEnvelopes.error { _ = try DSSEEnvelope(jsonRepresentation: big, limits: limits) }?.code == .unsupportedMessage)
        #expect(DSSETestEnvelopes.error { _ = try SigstoreBundle(jsonRepresentation: big, limits: limits) }?.code == .unsupportedMessage)
    }
}
