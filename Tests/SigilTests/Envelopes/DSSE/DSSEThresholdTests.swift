import Foundation
import Sigil
import SigilTestSupport
import Testing

@Suite struct DSSEThresholdTests {
    /// Three distinct trusted P-256 keys, "a", "b", "c".
    private func store(_ keys: [DSSETestKey]) throws -> TrustStore {
        try TrustStore(zip(["a", "b", "c"], keys).map { try $1.trusted(as: $0) })
    }

    private func keys() async throws -> [DSSETestKey] {
        var keys: [DSSETestKey] = []
        for index in 0..<3 { keys.append(try await DSSETestKey.key(.p256, index: index)) }
        return keys
    }

    @Test func twoOfThreeDistinctKeysMeetsAThresholdOfTwo() async throws {
        let keys = try await keys()
        let store = try store(keys)
        let envelope = try await DSSETestEnvelopes.envelope(signers: [(keys[0], "a"), (keys[2], "c")])
        let verified = try envelope.verify(using: store, threshold: 2)
        #expect(verified.keyIDs == ["a", "c"])
        #expect(verified.payload == DSSETestEnvelopes.payload)
        let error = DSSETestEnvelopes.error { _ = try envelope.verify(using: store, threshold: 3) }
        #expect(error?.code == .authenticationFailure)
        #expect(error?.message.contains("2 of the 3") == true)
        #expect(error?.message.contains("(a, c)") == true, "the error names the keys that did verify")
    }

    @Test func theSameKeySigningTwiceCountsOnce() async throws {
        let keys = try await keys()
        let store = try store(keys)
        let twice = try await DSSETestEnvelopes.envelope(signers: [(keys[0], "a"), (keys[0], "a")])
        #expect(try twice.verify(using: store, threshold: 1).keyIDs == ["a"])
        #expect(DSSETestEnvelopes.error { _ = try twice.verify(using: store, threshold: 2) }?.code == .authenticationFailure)
        // Once named, once unnamed: still one key.
        let namedAndNot = try await DSSETestEnvelopes.envelope(signers: [(keys[1], "b"), (keys[1], "")])
        #expect(DSSETestEnvelopes.error { _ = try namedAndNot.verify(using: store, threshold: 2) }?.code == .authenticationFailure)
    }

    @Test func twoIDsOfOnePublicKeyCountOnce() async throws {
        let key = try await DSSETestKey.key(.p256)
        let other = try await DSSETestKey.key(.p256, index: 1)
        let store = try TrustStore([key.trusted(as: "first-name"), key.trusted(as: "second-name"), other.trusted(as: "other")])
        let envelope = try await DSSETestEnvelopes.envelope(signers: [(key, "first-name"), (key, "second-name")])
        #expect(try envelope.verify(using: store).keyIDs == ["first-name"])
        let error = DSSETestEnvelopes.error { _ = try envelope.verify(using: store, threshold: 2) }
        #expect(error?.code == .authenticationFailure)
        // The store holds two distinct keys, so a threshold of 3 is not a policy it can meet.
        #expect(DSSETestEnvelopes.error { _ = try envelope.verify(using: store, threshold: 3) }?.code == .invalidArgument)
    }

    @Test func anUntrustedKeyCountsForNothing() async throws {
        let keys = try await keys()
        let stranger = try await DSSETestKey.key(.p256, index: 7)
        let store = try store(keys)
        // Named as a trusted key it is not, unnamed, and named by an id the store lacks.
        for keyID in ["a", "", "stranger"] {
            let envelope = try await DSSETestEnvelopes.envelope(signers: [(stranger, keyID)])
            #expect(DSSETestEnvelopes.error { _ = try envelope.verify(using: store) }?.code == .authenticationFailure, "\(keyID)")
        }
        let mixed = try await DSSETestEnvelopes.envelope(signers: [(stranger, "a"), (keys[1], "b")])
        #expect(try mixed.verify(using: store).keyIDs == ["b"])
        #expect(DSSETestEnvelopes.error { _ = try mixed.verify(using: store, threshold: 2) }?.code == .authenticationFailure)
    }

    @Test func aSignatureNamingAKeyIsTriedWithThatKeyOnly() async throws {
        let keys = try await keys()
        let store = try store(keys)
        // Signed by "b" but labelled "a": the label is a hint, and a wrong one is not rescued.
        let mislabelled = try await DSSETestEnvelopes.envelope(signers: [(keys[1], "a")])
        #expect(DSSETestEnvelopes.error { _ = try mislabelled.verify(using: store) }?.code == .authenticationFailure)
        // Unlabelled, every trusted key is tried.
        let unlabelled = try await DSSETestEnvelopes.envelope(signers: [(keys[1], ""), (keys[2], "")])
        #expect(try unlabelled.verify(using: store, threshold: 2).keyIDs == ["b", "c"])
    }

    @Test func swappingThePayloadTypeBreaksTheSignature() async throws {
        let keys = try await keys()
        let store = try store(keys)
        let envelope = try await DSSETestEnvelopes.envelope(signers: [(keys[0], "a")])
        let swapped = try DSSEEnvelope(
            payloadType: "application/vnd.in-toto+json", payload: DSSETestEnvelopes.payload, signatures: envelope.signatures)
        #expect(DSSETestEnvelopes.error { _ = try swapped.verify(using: store) }?.code == .authenticationFailure)
        // Moving bytes between the type and the payload changes the PAE's lengths.
        let shifted = try DSSEEnvelope(
            payloadType: DSSETestEnvelopes.payloadType + " 17", payload: DSSETestEnvelopes.payload, signatures: envelope.signatures)
        #expect(DSSETestEnvelopes.error { _ = try shifted.verify(using: store) }?.code == .authenticationFailure)
    }

    @Test func refusesThresholdsThatCannotBeMet() async throws {
        let keys = try await keys()
        let store = try store(keys)
        let envelope = try await DSSETestEnvelopes.envelope(signers: [(keys[0], "a")])
        for threshold in [0, -1, 4] {
            #expect(DSSETestEnvelopes.error { _ = try envelope.verify(using: store, threshold: threshold) }?.code == .invalidArgument)
        }
        let empty = try TrustStore([])
        #expect(DSSETestEnvelopes.error { _ = try envelope.verify(using: empty) }?.code == .invalidArgument)
    }

    @Test func anEnvelopeWithNoSignaturesIsInvalid() async throws {
        let store = try store(try await keys())
        let text = #"{"payload":"aGk=","payloadType":"t","signatures":[]}"#
        let envelope = try DSSEEnvelope(jsonRepresentation: Data(text.utf8))
        #expect(DSSETestEnvelopes.error { _ = try envelope.verify(using: store) }?.code == .authenticationFailure)
    }
}
