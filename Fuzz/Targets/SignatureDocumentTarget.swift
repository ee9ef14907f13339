// The detached signature document that `sigil verify` reads (SigilCommands's
// SignatureDocument and the hex reader of InputFiles, compiled into this harness: they
// are `package`, not public).
//
// Input: the document's bytes, decoded and checked as SignatureDocument.read does after
// reading the file. Invariants: a document that checks out, written as `sigil sign`
// writes it and read back, is the same document and checks out the same.
import Foundation
import SigilCore

enum FuzzTarget {
    static func run(_ bytes: [UInt8]) {
        guard let document = try? JSONDecoder().decode(SignatureDocument.self, from: Data(bytes)),
            let checked = try? document.checked(path: "fuzz.sig")
        else { return }
        invariant(checked.digest.count == checked.algorithm.hashFunction.digestSize, "the digest has the wrong length")
        guard let written = try? document.encoded() else {
            invariant(false, "a checked document does not encode")
            return
        }
        let again = try? JSONDecoder().decode(SignatureDocument.self, from: Data(written))
        invariant(again == document, "the document changes when written and read back")
        let recheck = try? again?.checked(path: "fuzz.sig")
        invariant(
            recheck?.digest == checked.digest && recheck?.signature == checked.signature
                && recheck?.algorithm.kmsName == checked.algorithm.kmsName,
            "the document checks out differently when written and read back")
    }

    /// Documents as `sigil sign` writes them, over signatures made with fresh keys.
    static func seeds() throws -> [(String, [UInt8])] {
        let keyARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        let examples: [(String, KeySpec, SigningAlgorithm)] = [
            ("ecdsa-p256", .eccNistP256, .ecdsaSHA256),
            ("ecdsa-p384", .eccNistP384, .ecdsaSHA384),
            ("rsa-pss", .rsa2048, .rsassaPSSSHA512),
        ]
        return try examples.map { name, spec, algorithm in
            let key = try AsymmetricPrivateKey(generating: spec)
            let digest = try algorithm.hashFunction.hash(Array("artifact \(name)".utf8))
            let signature = try key.signature(forDigest: digest, scheme: algorithm.scheme)
            let document = SignatureDocument(
                keyId: keyARN, signingAlgorithm: algorithm.kmsName, messageType: MessageType.digest.kmsName,
                digestAlgorithm: algorithm.hashFunction.name, digest: Hex.lowercase(digest),
                signature: Data(signature).base64EncodedString(), publicKeyFingerprint: Hex.lowercase(try key.publicKey.fingerprint))
            return (name, try document.encoded())
        }
    }
}
