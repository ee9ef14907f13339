import Foundation
import Sigil
import SigilTestSupport
import Testing

@Suite struct InTotoStatementTests {
    static let artifact = Array("the release tarball".utf8)

    static func hex(_ function: HashFunction, _ bytes: [UInt8]) throws -> String {
        TestSupport.hex(try function.hash(bytes))
    }

    static func statement(subjects: String) -> [UInt8] {
        Array(#"""
        {"_type":"https://in-toto.io/Statement/v1","subject":[\#(subjects)],
         "predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildType":"x","n":[1,true,null],"big":12345678901234567890}}
        """#.utf8)
    }

    @Test func isRecognisedInAVerifiedInTotoEnvelope() async throws {
        let key = try await DSSETestKey.key(.p256)
        let sha256 = try Self.hex(.sha256, Self.artifact)
        let payload = Self.statement(subjects: #"{"name":"app.tar.gz","digest":{"sha256":"\#(sha256)"}}"#)
        let envelope = try await DSSETestEnvelopes.envelope(payloadType: DSSEEnvelope.inTotoPayloadType, payload: payload, signers: [(key, "k")])
        let verified = try envelope.verify(using: TrustStore([key.trusted(as: "k")]))
        let statement = try #require(try verified.inTotoStatement())
        #expect(statement.type == InTotoStatement.statementTypeV1)
        #expect(statement.predicateType == "https://slsa.dev/provenance/v1")
        #expect(statement.subjects == [.init(name: "app.tar.gz", digest: ["sha256": sha256])])
        #expect(statement.predicate == JOSEJSON.object(["buildType": .string("x"), "n": .array([.number("1"), .bool(true), .null]), "big": .number("12345678901234567890")]))
        #expect(try statement.subjects(matching: Self.artifact).map(\.name) == ["app.tar.gz"])
        #expect(try statement.subjects(matching: Self.artifact + [0]).isEmpty)

        // Another payload type is not read as a statement.
        let other = try await DSSETestEnvelopes.envelope(signers: [(key, "k")])
        #expect(try other.verify(using: TrustStore([key.trusted(as: "k")])).inTotoStatement() == nil)
    }

    @Test(arguments: [HashFunction.sha256, .sha384, .sha512])
    func checksBytesAndFilesAgainstEachSupportedDigest(function: HashFunction) throws {
        let name = ["SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"][function.name]!
        let digest = try Self.hex(function, Self.artifact)
        let statement = try InTotoStatement(
            jsonRepresentation: Self.statement(subjects: #"{"name":"a","digest":{"\#(name)":"\#(digest)","gitCommit":"abc"}}"#))
        let subject = statement.subjects[0]
        #expect(try subject.matches(Self.artifact))
        #expect(try !subject.matches(Array(Self.artifact.dropLast())))

        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("artifact")
        try Data(Self.artifact).write(to: file)
        #expect(try subject.matches(contentsOf: file))
        #expect(try statement.subjects(matchingContentsOf: file) == [subject])
        try Data(Self.artifact + [0x0A]).write(to: file)
        #expect(try !subject.matches(contentsOf: file))
        let missing = DSSETestEnvelopes.error { _ = try subject.matches(contentsOf: folder.appendingPathComponent("none")) }
        #expect(missing?.code == .ioFailure)
    }

    @Test func everySupportedDigestOfASubjectMustMatch() throws {
        let good = try Self.hex(.sha256, Self.artifact)
        let bad = try Self.hex(.sha512, Self.artifact + [1])
        let statement = try InTotoStatement(
            jsonRepresentation: Self.statement(subjects: #"{"name":"a","digest":{"sha256":"\#(good)","sha512":"\#(bad)"}}"#))
        #expect(try !statement.subjects[0].matches(Self.artifact))
    }

    @Test func aSubjectWithNoSupportedAlgorithmIsAnErrorSayingSo() throws {
        let statement = try InTotoStatement(
            jsonRepresentation: Self.statement(subjects: #"{"name":"a","digest":{"md5":"00","gitCommit":"ab"}}"#))
        let error = DSSETestEnvelopes.error { _ = try statement.subjects[0].matches(Self.artifact) }
        #expect(error?.code == .unsupportedMessage)
        #expect(error?.message.contains("no sha256, sha384 or sha512") == true)
        #expect(error?.message.contains("gitCommit, md5") == true)
        #expect(DSSETestEnvelopes.error { _ = try statement.subjects(matching: Self.artifact) }?.code == .unsupportedMessage)
    }

    @Test(arguments: ["ABCDEF", "abc", "zz", ""])
    func aMalformedDigestIsAnError(bad: String) throws {
        // Uppercase hex, the wrong length, non-hex: each is malformed, never a mismatch.
        let upper = try Self.hex(.sha256, Self.artifact).uppercased()
        for digest in [bad, upper] {
            let statement = try InTotoStatement(
                jsonRepresentation: Self.statement(subjects: #"{"name":"a","digest":{"sha256":"\#(digest)"}}"#))
            #expect(DSSETestEnvelopes.error { _ = try statement.subjects[0].matches(Self.artifact) }?.code == .malformedMessage)
        }
    }

    @Test(arguments: [
        (#"{"_type":"https://in-toto.io/Statement/v2","subject":[{"digest":{"sha256":"00"}}],"predicateType":"p"}"#, SigilError.Code.unsupportedMessage),
        (#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p"}"#, .malformedMessage),
        (#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{}}],"predicateType":"p"}"#, .malformedMessage),
        (#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a"}],"predicateType":"p"}"#, .malformedMessage),
        (#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"00"}}]}"#, .malformedMessage),
        (#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"00"}}],"predicateType":""}"#, .malformedMessage),
        (#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":1}}],"predicateType":"p"}"#, .malformedMessage),
    ])
    func refusesStatementsThatAreNotV1(text: String, code: SigilError.Code) {
        #expect(DSSETestEnvelopes.error { _ = try InTotoStatement(jsonRepresentation: Data(text.utf8)) }?.code == code)
    }

    @Test func readsTheEarlierV01Statement() throws {
        let text = #"{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"a","digest":{"sha256":"00"}}],"predicateType":"p"}"#
        let statement = try InTotoStatement(jsonRepresentation: Data(text.utf8))
        #expect(statement.type == InTotoStatement.statementTypeV01)
        #expect(statement.predicate == nil)
    }
}
