internal import FoundationEssentials
internal import SigilCore

/// The detached signature that `sigil sign` writes beside an artifact (ARCHITECTURE.md,
/// "Signed packages"): the key holder signed the artifact's digest, computed locally.
///
///     {
///       "digest": "9f86d0…",                   hex, of the whole artifact
///       "digestAlgorithm": "SHA-256",           the signing algorithm's hash
///       "keyId": "arn:aws:kms:…:key/…",         the key's ARN
///       "messageType": "DIGEST",
///       "publicKeyFingerprint": "3b1c…",        SHA-256 of the key's DER SubjectPublicKeyInfo, hex
///       "signature": "MEUCIQ…",                 base64, as KMS Sign returns it (ECDSA: DER)
///       "signingAlgorithm": "ECDSA_SHA_256"
///     }
package struct SignatureDocument: Codable, Equatable {
    package var keyId: String
    package var signingAlgorithm: String
    package var messageType: String
    package var digestAlgorithm: String
    package var digest: String
    package var signature: String
    package var publicKeyFingerprint: String

    package init(
        keyId: String, signingAlgorithm: String, messageType: String, digestAlgorithm: String, digest: String,
        signature: String, publicKeyFingerprint: String
    ) {
        self.keyId = keyId
        self.signingAlgorithm = signingAlgorithm
        self.messageType = messageType
        self.digestAlgorithm = digestAlgorithm
        self.digest = digest
        self.signature = signature
        self.publicKeyFingerprint = publicKeyFingerprint
    }

    /// The largest document worth reading (a few hundred bytes in practice).
    package static let sizeLimit = 64 * 1024

    /// The document as written: pretty, keys sorted, a final newline.
    package func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [UInt8(ascii: "\n")]
    }

    /// A document read from `path` and checked for internal consistency.
    package static func read(_ path: String) throws -> Checked {
        let bytes = try InputFiles.readSmall(path, role: "signature document", limit: sizeLimit)
        let document: SignatureDocument
        do {
            document = try JSONDecoder().decode(SignatureDocument.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, _) {
            throw SigilError(.invalidArgument, "signature document \(path) has no \"\(key.stringValue)\"")
        } catch {
            throw SigilError(.invalidArgument, "signature document \(path) is not a Sigil signature document (JSON with keyId, signingAlgorithm, digest, signature, …)")
        }
        return try document.checked(path: path)
    }

    /// A document whose fields have been parsed and agree with each other.
    package struct Checked {
        var document: SignatureDocument
        var algorithm: SigningAlgorithm
        var digest: [UInt8]
        var signature: [UInt8]
    }

    package func checked(path: String) throws -> Checked {
        let algorithm = try SigningAlgorithm(kmsName: signingAlgorithm)
        guard messageType == MessageType.digest.kmsName else {
            throw SigilError(.invalidArgument, "signature document \(path) has messageType \(messageType); Sigil writes and reads DIGEST")
        }
        guard digestAlgorithm.uppercased() == algorithm.hashFunction.name else {
            throw SigilError(
                .invalidArgument,
                "signature document \(path) says digestAlgorithm \(digestAlgorithm), but \(signingAlgorithm) hashes with \(algorithm.hashFunction.name)")
        }
        guard let digestBytes = InputFiles.hexText(Array(digest.utf8), length: algorithm.hashFunction.digestSize) else {
            throw SigilError(
                .invalidArgument,
                "signature document \(path): digest is not \(algorithm.hashFunction.digestSize) bytes of hex")
        }
        guard let signatureBytes = Data(base64Encoded: signature), !signatureBytes.isEmpty else {
            throw SigilError(.invalidArgument, "signature document \(path): signature is not base64")
        }
        guard InputFiles.hexText(Array(publicKeyFingerprint.utf8), length: 32) != nil else {
            throw SigilError(.invalidArgument, "signature document \(path): publicKeyFingerprint is not a SHA-256 in hex")
        }
        return Checked(document: self, algorithm: algorithm, digest: digestBytes, signature: Array(signatureBytes))
    }
}
