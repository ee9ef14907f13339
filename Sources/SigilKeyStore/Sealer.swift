internal import Foundation
internal import SigilCrypto

/// Seals secrets under the root key with AES-256-GCM before they reach the database.
///
/// A sealed blob is nonce (12 random bytes) ‖ ciphertext ‖ tag (16). The AAD names what
/// the secret belongs to, so a blob moved to another row does not open:
/// - key material: the key ARN ‖ 0x00 ‖ the version in decimal;
/// - an access key's secret: the access key id.
struct Sealer: Sendable {
    private let rootKey: SecureBytes

    init(rootKey: SecureBytes) {
        self.rootKey = rootKey
    }

    static func materialAAD(arn: String, version: Int) -> [UInt8] {
        Array(arn.utf8) + [0] + Array(String(version).utf8)
    }

    static func credentialAAD(accessKeyID: String) -> [UInt8] {
        Array(accessKeyID.utf8)
    }

    /// Seals the bytes `body` lends out; they are read in place, never copied.
    func seal(_ secret: UnsafeRawBufferPointer, aad: [UInt8]) throws -> [UInt8] {
        let nonce = try SecureRandom.bytes(count: AESGCM.nonceSize)
        let cipher = try AESGCMCipher(key: rootKey)
        var sealed = [UInt8](repeating: 0, count: AESGCM.nonceSize + secret.count + AESGCM.tagSize)
        try sealed.withUnsafeMutableBytes { output in
            output.copyBytes(from: nonce)
            let body = UnsafeMutableRawBufferPointer(
                rebasing: output[AESGCM.nonceSize..<(AESGCM.nonceSize + secret.count)])
            let tag = UnsafeMutableRawBufferPointer(rebasing: output[(AESGCM.nonceSize + secret.count)...])
            try cipher.seal(secret, into: body, nonce: nonce, aad: aad, tag: tag)
        }
        return sealed
    }

    func seal(_ secret: SecureBytes, aad: [UInt8]) throws -> [UInt8] {
        try secret.withUnsafeBytes { try seal($0, aad: aad) }
    }

    /// Opens a sealed blob; `what` names it in the error ("key … version 2").
    ///
    /// - Throws: ``SigilError`` with code `authenticationFailure` when the blob does not
    ///   open: altered, moved from another key or version, or sealed under another root key.
    func open(_ sealed: [UInt8], aad: [UInt8], what: String) throws -> SecureBytes {
        guard sealed.count >= AESGCM.nonceSize + AESGCM.tagSize else {
            throw SigilError(
                .authenticationFailure,
                "the sealed \(what) is \(sealed.count) bytes, too short to be sealed data: the database was altered")
        }
        let cipher = try AESGCMCipher(key: rootKey)
        let nonce = Array(sealed[..<AESGCM.nonceSize])
        let bodyCount = sealed.count - AESGCM.nonceSize - AESGCM.tagSize
        var plaintext = [UInt8](repeating: 0, count: bodyCount)
        defer { wipe(&plaintext) }
        do {
            try sealed.withUnsafeBytes { input in
                let body = UnsafeRawBufferPointer(rebasing: input[AESGCM.nonceSize..<(AESGCM.nonceSize + bodyCount)])
                let tag = UnsafeRawBufferPointer(rebasing: input[(AESGCM.nonceSize + bodyCount)...])
                try plaintext.withUnsafeMutableBytes { output in
                    try cipher.open(body, into: output, nonce: nonce, aad: aad, tag: tag)
                }
            }
        } catch let error as SigilError where error.code == .authenticationFailure {
            throw SigilError(
                .authenticationFailure,
                "the sealed \(what) does not open under the root key: it was altered, moved from another "
                    + "key or version, or sealed under another root key")
        }
        return SecureBytes(plaintext)
    }
}
