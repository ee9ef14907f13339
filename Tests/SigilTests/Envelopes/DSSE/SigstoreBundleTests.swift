import Foundation
import Sigil
import SigilTestSupport
import Testing

@Suite struct SigstoreBundleTests {
    static let artifact = Array("a release artifact\n".utf8)

    /// A message-signature bundle signed by openssl over `artifact`, assembled by Sigil.
    static func bundle(_ key: DSSETestKey, hint: String = "release", artifact: [UInt8] = artifact) async throws -> SigstoreBundle {
        let function = key.kind.algorithm.hashFunction
        return try SigstoreBundle(
            messageSignature: await key.sign(artifact), digest: function.hash(artifact), digestAlgorithm: function, publicKeyHint: hint)
    }

    /// `bundle`'s JSON with its text edited.
    static func edited(_ bundle: SigstoreBundle, _ edit: (String) -> String) throws -> SigstoreBundle {
        let text = edit(String(decoding: bundle.jsonRepresentation, as: UTF8.self))
        return try SigstoreBundle(jsonRepresentation: Data(text.utf8))
    }

    @Test(arguments: DSSETestKey.Kind.all)
    func verifiesMessageSignaturesOverBytesAndFiles(kind: DSSETestKey.Kind) async throws {
        let key = try await DSSETestKey.key(kind)
        let store = try TrustStore([key.trusted(as: "release")])
        let bundle = try SigstoreBundle(jsonRepresentation: await Self.bundle(key).jsonRepresentation)
        let verified = try bundle.verify(using: store, artifact: .bytes(Self.artifact))
        #expect(verified.keyID == "release")
        #expect(verified.algorithm == kind.algorithm)
        #expect(verified.artifactVerified)
        #expect(verified.payload == nil)

        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("artifact")
        try Data(Self.artifact).write(to: file)
        #expect(try bundle.verify(using: store, artifact: .file(file)).keyID == "release")
        try Data(Self.artifact + [0]).write(to: file)
        #expect(DSSETestEnvelopes.error { _ = try bundle.verify(using: store, artifact: .file(file)) }?.code == .authenticationFailure)
    }

    @Test func saysTransparencyLogAndTimestampsAreNotVerified() async throws {
        let key = try await DSSETestKey.key(.p256)
        let store = try TrustStore([key.trusted(as: "release")])
        let entries = #""tlogEntries":[{"logIndex":"1","kindVersion":{"kind":"hashedrekord","version":"0.0.1"}},{}],"timestampVerificationData":{"rfc3161Timestamps":[{"signedTimestamp":"AAAA"}]}"#
        let bundle = try Self.edited(await Self.bundle(key)) { $0.replacingOccurrences(of: #""tlogEntries":[]"#, with: entries) }
        #expect(bundle.transparencyLogEntryCount == 2)
        #expect(bundle.signedTimestampCount == 1)
        let verified = try bundle.verify(using: store, artifact: .bytes(Self.artifact))
        #expect(!verified.transparencyLogVerified)
        #expect(!verified.timestampsVerified)
        #expect(verified.keyModeNotice.contains("2 transparency-log entries and 1 signed timestamp were NOT verified"))
        #expect(verified.keyModeNotice.contains("'release'"))
    }

    @Test func writesTheV03JSONForm() async throws {
        let key = try await DSSETestKey.key(.p256)
        let bundle = try await Self.bundle(key)
        let text = String(decoding: bundle.jsonRepresentation, as: UTF8.self)
        let digest = Data(try HashFunction.sha256.hash(Self.artifact)).base64EncodedString()
        #expect(text.contains(#""mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json""#))
        #expect(text.contains(#""verificationMaterial":{"publicKey":{"hint":"release"},"tlogEntries":[]}"#))
        #expect(text.contains(#""messageDigest":{"algorithm":"SHA2_256","digest":"\#(digest)"}"#))
        #expect(text.contains(#""signature":"\#(Data(bundle.messageSignature!.signature).base64EncodedString())""#))
    }

    @Test func refusesAnArtifactWhoseDigestDiffers() async throws {
        let key = try await DSSETestKey.key(.p256)
        let store = try TrustStore([key.trusted(as: "release")])
        let error = await DSSETestEnvelopes.error { _ = try await Self.bundle(key).verify(using: store, artifact: .bytes(Self.artifact + [1])) }
        #expect(error?.code == .authenticationFailure)
        #expect(error?.message.contains("messageDigest") == true)
        // The digest is a hint that must match even when the signature over the artifact is good.
        let good = try await Self.bundle(key)
        let otherDigest = try HashFunction.sha256.hash([1])
        let lying = try SigstoreBundle(
            messageSignature: good.messageSignature!.signature, digest: otherDigest, digestAlgorithm: .sha256, publicKeyHint: "release")
        #expect(DSSETestEnvelopes.error { _ = try lying.verify(using: store, artifact: .bytes(Self.artifact)) }?.code == .authenticationFailure)
    }

    @Test func refusesABadSignature() async throws {
        let key = try await DSSETestKey.key(.p256)
        let other = try await DSSETestKey.key(.p256, index: 1)
        let store = try TrustStore([key.trusted(as: "release")])
        // Signed by a key the store does not hold, under the trusted key's hint.
        let forged = try await Self.bundle(other)
        let error = DSSETestEnvelopes.error { _ = try forged.verify(using: store, artifact: .bytes(Self.artifact)) }
        #expect(error?.code == .authenticationFailure)
        #expect(error?.message.contains("does not verify") == true)
    }

    @Test func refusesAnUnknownHintAndTriesEveryKeyForAnEmptyOne() async throws {
        let key = try await DSSETestKey.key(.p256)
        let other = try await DSSETestKey.key(.p256, index: 1)
        let store = try TrustStore([other.trusted(as: "other"), key.trusted(as: "release")])
        let unknown = await DSSETestEnvelopes.error { _ = try await Self.bundle(key, hint: "nobody").verify(using: store, artifact: .bytes(Self.artifact)) }
        #expect(unknown?.code == .authenticationFailure)
        #expect(unknown?.message.contains("'nobody', which is not in the trust store") == true)
        #expect(try await Self.bundle(key, hint: "").verify(using: store, artifact: .bytes(Self.artifact)).keyID == "release")
    }

    @Test func refusesCertificateBundlesInKeyMode() async throws {
        let key = try await DSSETestKey.key(.p256)
        let store = try TrustStore([key.trusted(as: "release")])
        let materials = [
            #""certificate":{"rawBytes":"MIIB"}"#,
            #""x509CertificateChain":{"certificates":[{"rawBytes":"MIIB"}]}"#,
        ]
        for material in materials {
            let bundle = try Self.edited(await Self.bundle(key)) { $0.replacingOccurrences(of: #""publicKey":{"hint":"release"}"#, with: material) }
            #expect(bundle.publicKeyHint == nil)
            let error = DSSETestEnvelopes.error { _ = try bundle.verify(using: store, artifact: .bytes(Self.artifact)) }
            #expect(error?.code == .unsupportedMessage)
            #expect(error?.message.contains("certificate") == true)
            #expect(error?.message.contains("key mode") == true)
        }
        // A public key and a certificate at once is not a bundle.
        let both = await DSSETestEnvelopes.error {
            _ = try Self.edited(await Self.bundle(key)) { $0.replacingOccurrences(of: #""tlogEntries""#, with: #""certificate":{"rawBytes":"MIIB"},"tlogEntries""#) }
        }
        #expect(both?.code == .malformedMessage)
    }

    @Test(arguments: [
        ("application/vnd.dev.sigstore.bundle+json;version=0.1", "v0.1"),
        ("application/vnd.dev.sigstore.bundle+json;version=0.2", "v0.2"),
        ("application/json", "not a Sigstore bundle"),
    ])
    func refusesOtherBundleVersions(mediaType: String, named: String) async throws {
        let key = try await DSSETestKey.key(.p256)
        let error = await DSSETestEnvelopes.error {
            _ = try Self.edited(await Self.bundle(key)) { $0.replacingOccurrences(of: SigstoreBundle.mediaTypeV03, with: mediaType) }
        }
        #expect(error?.code == .unsupportedMessage)
        #expect(error?.message.contains(named) == true)
    }

    @Test func readsTheOlderSpellingOfTheV03MediaType() async throws {
        let key = try await DSSETestKey.key(.p256)
        let bundle = try Self.edited(await Self.bundle(key)) {
            $0.replacingOccurrences(of: SigstoreBundle.mediaTypeV03, with: "application/vnd.dev.sigstore.bundle+json;version=0.3")
        }
        #expect(try bundle.verify(using: TrustStore([key.trusted(as: "release")]), artifact: .bytes(Self.artifact)).artifactVerified)
    }

    @Test func messageSignaturesNeedTheArtifact() async throws {
        let key = try await DSSETestKey.key(.p256)
        let store = try TrustStore([key.trusted(as: "release")])
        #expect(await DSSETestEnvelopes.error { _ = try await Self.bundle(key).verify(using: store, artifact: nil) }?.code == .invalidArgument)
        // Without a messageDigest, the signature over the artifact alone decides.
        let noDigest = try Self.edited(try await Self.bundle(key)) {
            $0.replacingOccurrences(of: #"\{"algorithm":"SHA2_256","digest":"[^"]*"\},"#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #""messageDigest":"#, with: "")
        }
        #expect(noDigest.messageSignature?.digest == nil)
        #expect(try noDigest.verify(using: store, artifact: .bytes(Self.artifact)).artifactVerified)
        #expect(DSSETestEnvelopes.error { _ = try noDigest.verify(using: store, artifact: .bytes([])) }?.code == .authenticationFailure)
    }

    @Test func refusesDigestAlgorithmsOtherThanSHA2() async throws {
        let key = try await DSSETestKey.key(.p256)
        for name in ["SHA3_256", "HASH_ALGORITHM_UNSPECIFIED", "sha256"] {
            let error = await DSSETestEnvelopes.error {
                _ = try Self.edited(try await Self.bundle(key)) { $0.replacingOccurrences(of: "SHA2_256", with: name) }
            }
            #expect(error?.code == .unknownAlgorithm, "\(name)")
        }
        #expect(DSSETestEnvelopes.error {
            _ = try SigstoreBundle(messageSignature: [1], digest: [UInt8](repeating: 0, count: 20), digestAlgorithm: .sha1, publicKeyHint: "k")
        }?.code == .unknownAlgorithm)
    }

    @Test func verifiesDSSEEnvelopeBundlesAndTheirSubjects() async throws {
        let key = try await DSSETestKey.key(.p384)
        let store = try TrustStore([key.trusted(as: "attester")])
        let sha384 = TestSupport.hex(try HashFunction.sha384.hash(Self.artifact))
        let statement = Array(#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha384":"\#(sha384)"}}],"predicateType":"p"}"#.utf8)
        let envelope = try await DSSETestEnvelopes.envelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: statement, signers: [(key, "")])
        let bundle = try SigstoreBundle(jsonRepresentation: SigstoreBundle(dsseEnvelope: envelope, publicKeyHint: "attester").jsonRepresentation)
        #expect(bundle.dsseEnvelope != nil)

        let unchecked = try bundle.verify(using: store, artifact: nil)
        #expect(unchecked.payload == statement)
        #expect(unchecked.payloadType == DSSEEnvelope.inTotoPayloadType)
        #expect(!unchecked.artifactVerified)
        #expect(unchecked.keyModeNotice.contains("No artifact was checked"))
        #expect(try bundle.verify(using: store, artifact: .bytes(Self.artifact)).artifactVerified)
        let wrong = DSSETestEnvelopes.error { _ = try bundle.verify(using: store, artifact: .bytes(Self.artifact + [1])) }
        #expect(wrong?.code == .authenticationFailure)
        #expect(wrong?.message.contains("none of the in-toto statement's 1 subjects") == true)

        // A swapped payload type breaks the DSSE signature inside the bundle too.
        let swapped = try Self.edited(bundle) { $0.replacingOccurrences(of: "application/vnd.in-toto+json", with: "application/vnd.in-toto+jsom") }
        #expect(DSSETestEnvelopes.error { _ = try swapped.verify(using: store, artifact: nil) }?.code == .authenticationFailure)
    }

    @Test func aBundleHoldsOneSignatureOfOneKind() async throws {
        let key = try await DSSETestKey.key(.p256)
        let envelope = try await DSSETestEnvelopes.envelope(signers: [(key, "a"), (key, "b")])
        #expect(DSSETestEnvelopes.error { _ = try SigstoreBundle(dsseEnvelope: envelope, publicKeyHint: "a") }?.code == .invalidArgument)
        let twoSignatures = String(decoding: envelope.jsonRepresentation, as: UTF8.self)
        let bad = [
            #"{"mediaType":"\#(SigstoreBundle.mediaTypeV03)","verificationMaterial":{"publicKey":{"hint":"a"}},"dsseEnvelope":\#(twoSignatures)}"#,
            #"{"mediaType":"\#(SigstoreBundle.mediaTypeV03)","verificationMaterial":{"publicKey":{"hint":"a"}}}"#,
            #"{"mediaType":"\#(SigstoreBundle.mediaTypeV03)","verificationMaterial":{},"messageSignature":{"signature":"AAAA"}}"#,
            #"{"mediaType":"\#(SigstoreBundle.mediaTypeV03)","verificationMaterial":{"publicKey":{}},"messageSignature":{"signature":""}}"#,
            #"{"mediaType":"\#(SigstoreBundle.mediaTypeV03)","verificationMaterial":{"publicKey":{}},"messageSignature":{"signature":"AAAA"},"dsseEnvelope":\#(twoSignatures)}"#,
        ]
        for text in bad {
            #expect(DSSETestEnvelopes.error { _ = try SigstoreBundle(jsonRepresentation: Data(text.utf8)) }?.code == .malformedMessage, "\(text)")
        }
    }
}
