public import FoundationEssentials
internal import COpenSSL

/// Conversions between the two encodings of an ECDSA signature: DER (X9.62
/// `ECDSA-Sig-Value`, what KMS returns) and raw r‖s (IEEE P1363, what JWS uses).
public enum ECDSASignature {
    /// Converts a raw r‖s signature to DER.
    ///
    /// - Parameters:
    ///   - raw: r and s, big-endian, each exactly `curve.coordinateSize` bytes.
    ///   - curve: The curve of the key.
    /// - Returns: The DER encoding.
    /// - Throws: ``SigilError`` with code `malformedSignature` when the length is not
    ///   twice the coordinate size.
    public static func der(fromRaw raw: some DataProtocol, curve: ECCurve) throws -> [UInt8] {
        let size = curve.coordinateSize
        guard raw.count == 2 * size else {
            throw SigilError(
                .malformedSignature,
                "a raw (P1363) \(curve) signature is \(2 * size) bytes, but this one is \(raw.count)")
        }
        let bytes = Array(raw)
        OpenSSLErrorQueue.clear()
        let signature = try checkOpenSSL(ECDSA_SIG_new(), .cryptoFailure, "ECDSA_SIG_new")
        defer { ECDSA_SIG_free(signature) }
        let r = BN_bin2bn(bytes, Int32(size), nil)
        let s = bytes.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress! + size, Int32(size), nil) }
        guard let r, let s else {
            BN_free(r)
            BN_free(s)
            throw OpenSSLErrorQueue.error(.cryptoFailure, "BN_bin2bn failed")
        }
        // ECDSA_SIG_set0 takes ownership of r and s.
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            throw OpenSSLErrorQueue.error(.cryptoFailure, "ECDSA_SIG_set0 failed")
        }
        return try encode(signature)
    }

    /// Converts a DER signature to raw r‖s.
    ///
    /// - Parameters:
    ///   - der: The DER `ECDSA-Sig-Value`.
    ///   - curve: The curve of the key, which fixes the width of r and s.
    /// - Returns: r‖s, each left-padded to `curve.coordinateSize` bytes.
    /// - Throws: ``SigilError`` with code `malformedSignature` when `der` is not strict DER
    ///   or r or s does not fit the curve.
    public static func raw(fromDER der: some DataProtocol, curve: ECCurve) throws -> [UInt8] {
        let signature = try decodeStrict(Array(der), curve: curve)
        defer { ECDSA_SIG_free(signature) }
        let size = curve.coordinateSize
        var output = [UInt8](repeating: 0, count: 2 * size)
        let written = output.withUnsafeMutableBufferPointer { buffer in
            (BN_bn2binpad(ECDSA_SIG_get0_r(signature), buffer.baseAddress, Int32(size)),
             BN_bn2binpad(ECDSA_SIG_get0_s(signature), buffer.baseAddress! + size, Int32(size)))
        }
        guard written.0 == Int32(size), written.1 == Int32(size) else {
            throw SigilError(.malformedSignature, "r or s is wider than the \(curve) coordinate size")
        }
        return output
    }

    /// Throws unless `der` is one strict-DER `ECDSA-Sig-Value` whose integers fit the curve.
    static func checkStrictDER(_ der: some DataProtocol, curve: ECCurve) throws {
        ECDSA_SIG_free(try decodeStrict(Array(der), curve: curve))
    }

    private static func decodeStrict(_ der: [UInt8], curve: ECCurve) throws -> OpaquePointer {
        guard !der.isEmpty else {
            throw SigilError(.malformedSignature, "the ECDSA signature is empty")
        }
        // A DER ECDSA-Sig-Value for this curve is never longer than this; refusing longer
        // input bounds the work before anything is parsed.
        let maximumLength = 2 * (curve.coordinateSize + 1 + 3) + 3
        guard der.count <= maximumLength else {
            throw SigilError(
                .malformedSignature,
                "a DER \(curve) signature is at most \(maximumLength) bytes, but this one is \(der.count)")
        }
        OpenSSLErrorQueue.clear()
        let parsed: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor = buffer.baseAddress
            let signature = d2i_ECDSA_SIG(nil, &cursor, buffer.count)
            if let signature, cursor != buffer.baseAddress! + buffer.count {
                ECDSA_SIG_free(signature)
                return nil
            }
            return signature
        }
        guard let parsed else {
            OpenSSLErrorQueue.clear()
            throw SigilError(.malformedSignature, "the ECDSA signature is not DER (SEQUENCE of two INTEGERs)")
        }
        // OpenSSL's decoder is lenient about some BER forms; strict DER re-encodes identically.
        guard let canonical = try? encode(parsed), canonical == der else {
            ECDSA_SIG_free(parsed)
            throw SigilError(.malformedSignature, "the ECDSA signature is BER, not DER (it does not re-encode to the same bytes)")
        }
        return parsed
    }

    private static func encode(_ signature: OpaquePointer) throws -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_ECDSA_SIG(signature, &output)
        guard length > 0, let output else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "encoding the ECDSA signature as DER failed")
        }
        defer { sigil_OPENSSL_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }
}
