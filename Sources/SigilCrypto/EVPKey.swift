import Foundation
internal import COpenSSL

/// Owns one OpenSSL `EVP_PKEY` and frees it when released.
///
/// `@unchecked Sendable`: the key is never mutated after creation, and OpenSSL allows
/// concurrent operations on one `EVP_PKEY` as long as each uses its own `EVP_PKEY_CTX`,
/// which every operation here creates afresh.
final class EVPKey: @unchecked Sendable {
    private let pointer: OpaquePointer

    /// Takes ownership of `pointer`: it is freed in `deinit` and must not be freed elsewhere.
    init(takingOwnershipOf pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    /// Lends the raw pointer to `body`; it must not escape the closure.
    func withUnsafeEVPPKEY<Result>(_ body: (OpaquePointer) throws -> Result) rethrows -> Result {
        try body(pointer)
    }

    /// Runs `body` with a fresh operation context for this key, freed afterwards.
    func withContext<Result>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        let context = try checkOpenSSL(EVP_PKEY_CTX_new(pointer, nil), .cryptoFailure, "EVP_PKEY_CTX_new")
        defer { EVP_PKEY_CTX_free(context) }
        return try body(context)
    }

    /// What kind of key this is, read from OpenSSL.
    func describe() throws -> (family: KeyFamily, bits: Int, curve: ECCurve?) {
        let bits = Int(EVP_PKEY_get_bits(pointer))
        switch EVP_PKEY_get_base_id(pointer) {
        case EVP_PKEY_RSA:
            return (.rsa, bits, nil)
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 80)
            var length = 0
            guard EVP_PKEY_get_utf8_string_param(pointer, "group", &name, name.count, &length) == 1 else {
                OpenSSLErrorQueue.clear()
                throw SigilError(.unsupportedKey, "EC key with explicit curve parameters; only named curves are supported")
            }
            let groupName = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard let curve = ECCurve(openSSLGroupName: groupName) else {
                throw SigilError(
                    .unsupportedKey,
                    "EC curve \(groupName) is not supported (supported: P-256, P-384, P-521, secp256k1)")
            }
            return (.ec, curve.bits, curve)
        case EVP_PKEY_RSA_PSS:
            throw SigilError(
                .unsupportedKey,
                "RSASSA-PSS-restricted keys (OID id-RSASSA-PSS) are not supported; KMS issues rsaEncryption keys")
        default:
            let name = OBJ_nid2sn(EVP_PKEY_get_base_id(pointer)).map { String(cString: $0) } ?? "unknown"
            throw SigilError(.unsupportedKey, "\(name) keys are not supported (supported: RSA, and EC on P-256, P-384, P-521, secp256k1)")
        }
    }

    /// Sets a context up for signing or verifying with `scheme`.
    static func configure(_ context: OpaquePointer, for scheme: SignatureScheme) throws {
        switch scheme.padding {
        case let .pss(mgf1Hash, saltLength):
            try checkOpenSSL(EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING), .cryptoFailure, "setting PSS padding")
            try checkOpenSSL(EVP_PKEY_CTX_set_signature_md(context, scheme.hash.evpMD), .cryptoFailure, "setting the signature hash")
            try checkOpenSSL(EVP_PKEY_CTX_set_rsa_mgf1_md(context, mgf1Hash.evpMD), .cryptoFailure, "setting the MGF1 hash")
            try checkOpenSSL(EVP_PKEY_CTX_set_rsa_pss_saltlen(context, Int32(saltLength)), .cryptoFailure, "setting the PSS salt length")
        case .pkcs1v15:
            try checkOpenSSL(EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING), .cryptoFailure, "setting PKCS#1 v1.5 padding")
            try checkOpenSSL(EVP_PKEY_CTX_set_signature_md(context, scheme.hash.evpMD), .cryptoFailure, "setting the signature hash")
        case .ecdsa:
            try checkOpenSSL(EVP_PKEY_CTX_set_signature_md(context, scheme.hash.evpMD), .cryptoFailure, "setting the signature hash")
        }
    }
}

/// Runs `body` over a contiguous copy of `data` (no copy when `data` is already contiguous).
func withContiguousBytes<Result>(
    _ data: some DataProtocol, _ body: (UnsafeRawBufferPointer) throws -> Result
) rethrows -> Result {
    if let result = try data.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return try Array(data).withUnsafeBytes(body)
}
