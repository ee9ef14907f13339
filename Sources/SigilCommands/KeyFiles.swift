internal import FoundationEssentials
package import SigilCore

/// Loading key files, DER or PEM, with errors that name the file.
package enum KeyFiles {
    package static func publicKey(_ path: String) throws -> AsymmetricPublicKey {
        let bytes = try InputFiles.readSmall(path, role: "public key file", limit: VerifyCommand.keyFileLimit)
        return try PublicKey(encoded: bytes).underlying
    }

    package static func privateKey(_ path: String) throws -> AsymmetricPrivateKey {
        let bytes = try InputFiles.readSmall(path, role: "private key file", limit: VerifyCommand.keyFileLimit)
        if PEM.looksLikePEM(bytes) {
            guard let text = String(bytes: bytes, encoding: .utf8) else {
                throw SigilError(.malformedKey, "private key file \(path) is not UTF-8 text")
            }
            return try AsymmetricPrivateKey(pemRepresentation: text)
        }
        return try AsymmetricPrivateKey(pkcs8DERRepresentation: bytes)
    }
}
