import Foundation
import SigilCrypto
import Testing

@Suite struct HashFunctionTests {
    /// FIPS 180-2 answers for "abc".
    static let abcDigests: [(HashFunction, String)] = [
        (.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (.sha224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"),
        (.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (.sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
        (.sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    ]

    @Test(arguments: abcDigests)
    func hashesTheFIPSKnownAnswer(function: HashFunction, expected: String) throws {
        let digest = try function.hash(Array("abc".utf8))
        #expect(digest.count == function.digestSize)
        #expect(digest.map { String(format: "%02x", $0) }.joined() == expected)
    }

    @Test(arguments: HashFunction.all)
    func streamingInPiecesEqualsHashingAtOnce(function: HashFunction) throws {
        let message = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let hasher = try StreamingHasher(function)
        var offset = 0
        for size in [0, 1, 63, 64, 65, 4096, 100_000] where offset < message.count {
            let end = min(message.count, offset + size)
            try hasher.update(message[offset..<end])
            offset = end
        }
        try hasher.update(message[offset...])
        #expect(try hasher.finalize() == function.hash(message))
    }

    @Test func finalizingTwiceIsAnError() throws {
        let hasher = try StreamingHasher(.sha256)
        _ = try hasher.finalize()
        #expect(throws: SigilError(.invalidArgument, "")) { try hasher.finalize() }
        #expect(throws: SigilError(.invalidArgument, "")) { try hasher.update([1, 2, 3]) }
    }

    @Test func looksHashFunctionsUpByEitherSpelling() {
        #expect(HashFunction(name: "SHA-384") == .sha384)
        #expect(HashFunction(name: "sha512") == .sha512)
        #expect(HashFunction(name: "SHA3-256") == nil)
    }

    @Test func randomBytesHaveTheAskedLengthAndDiffer() throws {
        let first = try SecureRandom.bytes(count: 32)
        let second = try SecureRandom.bytes(count: 32)
        #expect(first.count == 32)
        #expect(first != second)
        #expect(try SecureRandom.bytes(count: 0).isEmpty)
        #expect(throws: SigilError(.invalidArgument, "")) { try SecureRandom.bytes(count: -1) }
    }
}
