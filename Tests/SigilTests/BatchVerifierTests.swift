import Sigil
import SigilTestSupport
import Testing

@Suite struct BatchVerifierTests {
    @Test func answersLikeOneByOneVerificationInOrder() throws {
        var requests: [VerificationRequest] = []
        for (index, (algorithm, spec)) in algorithmKeyPairs.enumerated() {
            let signed = try SignedMessage(algorithm, spec, length: index * 13)
            requests.append(.init(key: signed.key, signature: signed.signature, message: signed.message, algorithm: algorithm))
            requests.append(.init(
                key: signed.key, signature: signed.signature, message: signed.message + [1], algorithm: algorithm))
            requests.append(.init(
                key: signed.key, signature: signed.signature, message: signed.digest, messageType: .digest,
                algorithm: algorithm))
            requests.append(.init(
                key: signed.key, signature: Array(signed.signature.dropLast()), message: signed.message,
                algorithm: algorithm))
        }
        let results = BatchVerifier.verify(requests, maximumConcurrency: 2)
        #expect(results.count == requests.count)
        for (index, (request, result)) in zip(requests, results).enumerated() {
            switch (index % 4, result) {
            case (0, .success(true)), (1, .success(false)), (2, .success(true)):
                break
            case (3, .failure(let error)):
                #expect(error.code == .malformedSignature)
            default:
                Issue.record("request \(index) (\(request.algorithm)): unexpected \(result)")
            }
        }
    }

    @Test func handlesAnEmptyBatch() {
        #expect(BatchVerifier.verify([]).isEmpty)
    }
}
