/// The DER SubjectPublicKeyInfo (RFC 5280, RFC 3279, RFC 5480) of RSA and EC public keys,
/// built from JWK parameters and taken apart again for JWK export.
///
/// Only the handful of DER forms these two key types use are written or read; every other
/// check (the point lies on the curve, the modulus is large enough) is left to
/// ``PublicKey/init(derRepresentation:)``, which re-parses what is built here.
enum SubjectPublicKeyInfo {
    /// rsaEncryption, 1.2.840.113549.1.1.1.
    static let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
    /// id-ecPublicKey, 1.2.840.10045.2.1.
    static let ecPublicKey: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]

    /// The named-curve OID of `curve`.
    static func oid(of curve: ECCurve) -> [UInt8] {
        switch curve {
        case .p256: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        case .p384: [0x2B, 0x81, 0x04, 0x00, 0x22]
        case .p521: [0x2B, 0x81, 0x04, 0x00, 0x23]
        default: [0x2B, 0x81, 0x04, 0x00, 0x0A]
        }
    }

    // MARK: Writing

    static func element(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var length: [UInt8]
        if content.count < 0x80 {
            length = [UInt8(content.count)]
        } else {
            var remaining = content.count
            var octets: [UInt8] = []
            while remaining > 0 {
                octets.insert(UInt8(remaining & 0xFF), at: 0)
                remaining >>= 8
            }
            length = [0x80 | UInt8(octets.count)] + octets
        }
        return [tag] + length + content
    }

    /// A DER INTEGER of the unsigned big-endian `magnitude` (no leading zero octets).
    static func unsignedInteger(_ magnitude: [UInt8]) -> [UInt8] {
        let trimmed = Array(magnitude.drop { $0 == 0 })
        let body = trimmed.isEmpty ? [0] : (trimmed[0] & 0x80 != 0 ? [0] + trimmed : trimmed)
        return element(0x02, body)
    }

    /// The SubjectPublicKeyInfo of an RSA key with modulus `n` and exponent `e`.
    static func rsa(modulus n: [UInt8], exponent e: [UInt8]) -> [UInt8] {
        let algorithm = element(0x30, element(0x06, rsaEncryption) + [0x05, 0x00])
        let key = element(0x30, unsignedInteger(n) + unsignedInteger(e))
        return element(0x30, algorithm + element(0x03, [0x00] + key))
    }

    /// The SubjectPublicKeyInfo of the uncompressed EC point (x, y) on `curve`.
    static func ec(curve: ECCurve, x: [UInt8], y: [UInt8]) -> [UInt8] {
        let algorithm = element(0x30, element(0x06, ecPublicKey) + element(0x06, oid(of: curve)))
        return element(0x30, algorithm + element(0x03, [0x00, 0x04] + x + y))
    }

    // MARK: Reading

    /// One DER element read from `bytes` at `position`: its tag and content.
    private static func read(_ bytes: [UInt8], at position: inout Int) throws -> (tag: UInt8, content: [UInt8]) {
        let failure = SigilError(.malformedKey, "the public key's SubjectPublicKeyInfo is not the DER Sigil writes")
        guard bytes.count - position >= 2 else { throw failure }
        let tag = bytes[position]
        var length = Int(bytes[position + 1])
        position += 2
        if length & 0x80 != 0 {
            let octets = length & 0x7F
            guard (1...3).contains(octets), bytes.count - position >= octets else { throw failure }
            length = bytes[position..<(position + octets)].reduce(0) { $0 << 8 | Int($1) }
            position += octets
        }
        guard bytes.count - position >= length else { throw failure }
        defer { position += length }
        return (tag, Array(bytes[position..<(position + length)]))
    }

    /// The JWK parameters of a DER SubjectPublicKeyInfo: `(n, e)` for RSA or `(x, y)` for EC,
    /// each as unsigned big-endian bytes (coordinates padded to the curve size).
    ///
    /// - Throws: ``SigilError`` with code `malformedKey`, or `unsupportedKey` for a
    ///   compressed EC point.
    static func parameters(of key: PublicKey) throws -> (first: [UInt8], second: [UInt8]) {
        let failure = SigilError(.malformedKey, "the public key's SubjectPublicKeyInfo is not the DER Sigil writes")
        var position = 0
        let outer = try read(key.derRepresentation, at: &position)
        guard outer.tag == 0x30 else { throw failure }
        position = 0
        _ = try read(outer.content, at: &position)
        let bitString = try read(outer.content, at: &position)
        guard bitString.tag == 0x03, bitString.content.first == 0x00 else { throw failure }
        let subjectKey = Array(bitString.content.dropFirst())
        if let curve = key.curve {
            let size = curve.coordinateSize
            guard subjectKey.count == 1 + 2 * size, subjectKey[0] == 0x04 else {
                throw SigilError(.unsupportedKey, "only uncompressed EC points can be written as a JWK")
            }
            return (Array(subjectKey[1...size]), Array(subjectKey[(1 + size)...]))
        }
        position = 0
        let sequence = try read(subjectKey, at: &position)
        guard sequence.tag == 0x30 else { throw failure }
        position = 0
        let n = try read(sequence.content, at: &position)
        let e = try read(sequence.content, at: &position)
        guard n.tag == 0x02, e.tag == 0x02 else { throw failure }
        return (Array(n.content.drop { $0 == 0 }), Array(e.content.drop { $0 == 0 }))
    }
}
