import Foundation
import Sigil
import SigilTestSupport
import Testing

@Suite struct DSSEEnvelopeTests {
    @Test func preAuthenticationEncodingMatchesTheSpecificationExample() {
        let pae = DSSEEnvelope.preAuthenticationEncoding(
            payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
        #expect(pae == Array("DSSEv1 29 http://example.com/HelloWorld 11 hello world".utf8))
    }

    @Test func preAuthenticationEncodingCountsBytesNotCharacters() {
        // "é" is two bytes and "🔏" four: the lengths are of the UTF-8 encoding.
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: "té", payload: Array("🔏".utf8))
        #expect(pae == Array("DSSEv1 3 té 4 🔏".utf8))
        let empty = DSSEEnvelope.preAuthenticationEncoding(payloadType: "", payload: [UInt8]())
        #expect(empty == Array("DSSEv1 0  0 ".utf8))
    }

    @Test(arguments: DSSETestKey.Kind.all)
    func verifiesEnvelopesSignedByOpenSSL(kind: DSSETestKey.Kind) async throws {
        let key = try await DSSETestKey.key(kind)
        let store = try TrustStore([key.trusted(as: "signer")])
        let envelope = try await DSSETestEnvelopes.envelope(signers: [(key, "signer")])
        let parsed = try DSSEEnvelope(jsonRepresentation: envelope.jsonRepresentation)
        let verified = try parsed.verify(using: store)
        #expect(verified.payload == DSSETestEnvelopes.payload)
        #expect(verified.payloadType == DSSETestEnvelopes.payloadType)
        #expect(verified.keyIDs == ["signer"])
        #expect(verified.signers.first?.algorithm == kind.algorithm)

        // The same signature under another payload fails.
        let altered = try DSSEEnvelope(
            payloadType: envelope.payloadType, payload: Array(#"{"hello":"World"}"#.utf8), signatures: envelope.signatures)
        #expect(DSSETestEnvelopes.error { _ = try altered.verify(using: store) }?.code == .authenticationFailure)
    }

    @Test(arguments: DSSETestKey.Kind.all)
    func opensslVerifiesWhatSigilsPreAuthenticationEncodingProduced(kind: DSSETestKey.Kind) async throws {
        let key = try await DSSETestKey.key(kind)
        let envelope = try await DSSETestEnvelopes.envelope(signers: [(key, "signer")])
        let parsed = try DSSEEnvelope(jsonRepresentation: envelope.jsonRepresentation)
        let pae = DSSEEnvelope.preAuthenticationEncoding(payloadType: parsed.payloadType, payload: DSSETestEnvelopes.payload)
        // The PAE spelled out independently of Sigil's builder.
        let expected = Array("DSSEv1 28 application/vnd.example+json 17 {\"hello\":\"world\"}".utf8)
        #expect(pae == expected)
        await #expect(try key.opensslVerifies(parsed.signatures[0].signature, over: expected))
        await #expect(try !key.opensslVerifies(parsed.signatures[0].signature, over: expected + [0x20]))
    }

    @Test func tiesAKeyToTheAlgorithmsTheStoreAllows() async throws {
        let key = try await DSSETestKey.key(.rsaPSS)
        let envelope = try await DSSETestEnvelopes.envelope(signers: [(key, "rsa")])
        // A PSS signature does not verify when the store allows the key PKCS #1 v1.5 only.
        let pkcs1Only = try TrustStore([key.trusted(as: "rsa", algorithms: [.rsassaPKCS1V1_5SHA256])])
        #expect(DSSETestEnvelopes.error { _ = try envelope.verify(using: pkcs1Only) }?.code == .authenticationFailure)
        // Allowed several, the key is tried with each.
        let several = try TrustStore([key.trusted(as: "rsa", algorithms: [.rsassaPKCS1V1_5SHA512, .rsassaPSSSHA256])])
        #expect(try envelope.verify(using: several).signers.first?.algorithm == .rsassaPSSSHA256)
    }

    @Test func acceptsRawECDSASignaturesAsWellAsDER() async throws {
        let key = try await DSSETestKey.key(.p256)
        let envelope = try await DSSETestEnvelopes.envelope(signers: [(key, "ec")])
        let raw = try ECDSASignature.raw(fromDER: envelope.signatures[0].signature, curve: .p256)
        let rawEnvelope = try DSSEEnvelope(
            payloadType: envelope.payloadType, payload: DSSETestEnvelopes.payload, signatures: [.init(keyID: "ec", signature: raw)])
        let store = try TrustStore([key.trusted(as: "ec")])
        #expect(try rawEnvelope.verify(using: store).keyIDs == ["ec"])
    }

    @Test func readsEitherBase64AlphabetAndWritesStandard() async throws {
        // Payload bytes chosen so that standard and URL-safe spellings differ: FB FF BF.
        let payload: [UInt8] = [0xFB, 0xFF, 0xBF]
        let key = try await DSSETestKey.key(.p256)
        let envelope = try await DSSETestEnvelopes.envelope(payload: payload, signers: [(key, "ec")])
        let json = String(decoding: envelope.jsonRepresentation, as: UTF8.self)
        #expect(json.contains(#""payload":"+/+/""#))
        let store = try TrustStore([key.trusted(as: "ec")])
        let urlSafe = json.replacingOccurrences(of: #""payload":"+/+/""#, with: #""payload":"-_-_""#)
        #expect(try DSSEEnvelope(jsonRepresentation: Data(urlSafe.utf8)).verify(using: store).payload == payload)
        // Unpadded and padded both read; mixed alphabets and non-canonical spellings do not.
        let signature = DSSEBase64Text.standard(envelope.signatures[0].signature)
        for spelling in [signature, signature.replacingOccurrences(of: "=", with: "")] {
            let text = #"{"payload":"+/+/","payloadType":"\#(DSSETestEnvelopes.payloadType)","signatures":[{"keyid":"ec","sig":"\#(spelling)"}]}"#
            #expect(try DSSEEnvelope(jsonRepresentation: Data(text.utf8)).verify(using: store).payload == payload)
        }
        for bad in ["+_+/", "+/+/=", "AB==", "AR==", "A", "+/+/ "] {
            let text = #"{"payload":"\#(bad)","payloadType":"t","signatures":[]}"#
            #expect(DSSETestEnvelopes.error { _ = try DSSEEnvelope(jsonRepresentation: Data(text.utf8)) }?.code == .malformedMessage, "\(bad)")
        }
    }

    @Test func readsMissingKeyIDAsEmptyAndIgnoresUnknownMembers() throws {
        let text = #"{"payload":"aGk=","payloadType":"t","signatures":[{"sig":"AAAA","extra":1}],"future":{"a":[1]}}"#
        let envelope = try DSSEEnvelope(jsonRepresentation: Data(text.utf8))
        #expect(envelope.signatures == [.init(keyID: "", signature: [0, 0, 0])])
        #expect(envelope.payloadType == "t")
        // Written back, the empty keyid is present: securesystemslib requires the member.
        let written = String(decoding: envelope.jsonRepresentation, as: UTF8.self)
        #expect(written == #"{"payload":"aGk=","payloadType":"t","signatures":[{"keyid":"","sig":"AAAA"}]}"#)
    }

    @Test(arguments: [
        (#"{"payloadType":"t","signatures":[]}"#, "payload"),
        (#"{"payload":"","signatures":[]}"#, "payloadType"),
        (#"{"payload":"","payloadType":"t"}"#, "signatures"),
        (#"{"payload":"","payloadType":"t","signatures":[{"keyid":"k"}]}"#, "sig"),
        (#"{"payload":"","payloadType":7,"signatures":[]}"#, "payloadType"),
        (#"{"payload":"!!","payloadType":"t","signatures":[]}"#, "payload"),
        (#"[1,2]"#, "object"),
        (#"not json"#, "JSON"),
    ])
    func refusesEnvelopesMissingRequiredMembers(text: String, named: String) {
        let error = DSSETestEnvelopes.error { _ = try DSSEEnvelope(jsonRepresentation: Data(text.utf8)) }
        #expect(error?.code == .malformedMessage)
        #expect(error?.message.contains(named) == true, "\(error?.message ?? "no error")")
    }

    @Test func refusesDuplicateMembersHoweverSpelled() throws {
        // Foundation would keep the first "payload", Python and Go the last: refuse both.
        let texts = [
            #"{"payload":"aGk=","payloadType":"t","signatures":[],"payload":"aG8="}"#,
            #"{"payload":"aGk=","payloadType":"t","signatures":[],"pay\u006coad":"aG8="}"#,
            #"{"payload":"aGk=","payloadType":"t","signatures":[{"sig":"AAAA","sig":"AAAB"}]}"#,
        ]
        for text in texts {
            let error = DSSETestEnvelopes.error { _ = try DSSEEnvelope(jsonRepresentation: Data(text.utf8)) }
            #expect(error?.code == .malformedMessage, "\(text)")
            #expect(error?.message.contains("twice") == true, "\(error?.message ?? "no error")")
        }
        let bundle = #"{"mediaType":"\#(SigstoreBundle.mediaTypeV03)","mediaType":"x","verificationMaterial":{"publicKey":{}},"messageSignature":{"signature":"AAAA"}}"#
        #expect(DSSETestEnvelopes.error { _ = try SigstoreBundle(jsonRepresentation: Data(bundle.utf8)) }?.code == .malformedMessage)
        let statement = #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"00","sha256":"11"}}],"predicateType":"p"}"#
        #expect(DSSETestEnvelopes.error { _ = try InTotoStatement(jsonRepresentation: Data(statement.utf8)) }?.code == .malformedMessage)
    }

    @Test func appliesItsLimits() throws {
        let signature = #"{"keyid":"","sig":"AAAA"}"#
        let text = #"{"payload":"","payloadType":"t","signatures":[\#(Array(repeating: signature, count: 17).joined(separator: ","))]}"#
        let tooMany = DSSETestEnvelopes.error { _ = try DSSEEnvelope(jsonRepresentation: Data(text.utf8)) }
        #expect(tooMany?.code == .unsupportedMessage)
        #expect(tooMany?.message.contains("17 signatures") == true)
        let small = DSSEEnvelope.Limits(maximumEnvelopeSize: 64, maximumSignatures: 16)
        let tooBig = DSSETestEnvelopes.error { _ = try DSSEEnvelope(jsonRepresentation: Data(text.utf8), limits: small) }
        #expect(tooBig?.code == .unsupportedMessage)
        #expect(tooBig?.message.contains("over the limit of 64") == true)
    }

    @Test func refusesToAssembleEnvelopesWithoutSignatures() {
        #expect(DSSETestEnvelopes.error { _ = try DSSEEnvelope(payloadType: "t", payload: [1], signatures: []) }?.code == .invalidArgument)
        #expect(
            DSSETestEnvelopes.error {
                _ = try DSSEEnvelope(payloadType: "t", payload: [1], signatures: [.init(keyID: "k", signature: [])])
            }?.code == .invalidArgument)
    }
}

/// Standard base64 spelled by Foundation, to check Sigil's own encoder against.
enum DSSEBase64Text {
    static func standard(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
