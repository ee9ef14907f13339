import FoundationEssentials
internal import COpenSSL

/// Owns one OpenSSL `EVP_PKEY` and frees it when released.
///
/// `@unchecked Sendable`: the key is never mutated after creation, and OpenSSL allows
/// concurrent operations on one `EVP_PKEY` as long as each uses its own `EVP_PKEY_CTX`;
/// every operation here has one to itself, fresh or taken out of the pool below.
final class EVPKey: @unchecked Sendable {
    private let pointer: OpaquePointer

    /// Verification contexts already set up for a scheme, waiting to be reused.
    ///
    /// OpenSSL 3 spends more time creating and initialising an `EVP_PKEY_CTX` (algorithm
    /// fetches under global locks) than an RSA-2048 verification takes; `openssl speed`
    /// initialises once and verifies in a loop. A context leaves the pool for one
    /// operation on one thread at a time, and returns only after a clean answer.
    ///
    /// A key verifies with one or two schemes in practice, so the pool is a short list
    /// searched in order rather than a dictionary that would hash the scheme every call.
    private let verifyContexts = Locked<[ContextPool]>([])
    /// Signing contexts, pooled the same way: a key holder signs with one key many times.
    private let signContexts = Locked<[ContextPool]>([])
    private static let pooledContextsPerScheme = 32

    /// Takes ownership of `pointer`: it is freed in `deinit` and must not be freed elsewhere.
    init(takingOwnershipOf pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        Self.freeAll(verifyContexts)
        Self.freeAll(signContexts)
        EVP_PKEY_free(pointer)
    }

    /// Runs `body` with a verification context set up for `scheme`, taken from the pool
    /// or made afresh. `body` answers whether the context is still clean for reuse (it
    /// is not after an error); a context that is not goes back to OpenSSL, not the pool.
    func withVerifyContext<Result>(
        for scheme: SignatureScheme, _ body: (OpaquePointer) throws -> (Result, reusable: Bool)
    ) throws -> Result {
        try withPooledContext(in: verifyContexts, for: scheme, make: { try makeContext(for: $0, initialise: EVP_PKEY_verify_init) }, body)
    }

    /// Runs `body` with a signing context set up for `scheme`, as ``withVerifyContext(for:_:)``
    /// does for verification.
    func withSignContext<Result>(
        for scheme: SignatureScheme, _ body: (OpaquePointer) throws -> (Result, reusable: Bool)
    ) throws -> Result {
        try withPooledContext(in: signContexts, for: scheme, make: { try makeContext(for: $0, initialise: EVP_PKEY_sign_init) }, body)
    }

    private static func freeAll(_ pools: Locked<[ContextPool]>) {
        pools.withLock { pools in
            for context in pools.lazy.flatMap(\.contexts) { EVP_PKEY_CTX_free(context.pointer) }
        }
    }

    private func withPooledContext<Result>(
        in contexts: Locked<[ContextPool]>, for scheme: SignatureScheme,
        make: (SignatureScheme) throws -> OpaquePointer, _ body: (OpaquePointer) throws -> (Result, reusable: Bool)
    ) throws -> Result {
        let pooledContext = contexts.withLock { pools -> OpaquePointer? in
            guard let index = pools.firstIndex(where: { $0.scheme == scheme }) else { return nil }
            return pools[index].contexts.popLast()?.pointer
        }
        let context = try pooledContext ?? make(scheme)
        let outcome: (Result, reusable: Bool)
        do {
            outcome = try body(context)
        } catch {
            EVP_PKEY_CTX_free(context)
            throw error
        }
        let returning = PooledContext(pointer: context)
        let pooled = outcome.reusable && contexts.withLock { pools in
            guard let index = pools.firstIndex(where: { $0.scheme == scheme }) else {
                pools.append(ContextPool(scheme: scheme, contexts: [returning]))
                return true
            }
            guard pools[index].contexts.count < Self.pooledContextsPerScheme else { return false }
            pools[index].contexts.append(returning)
            return true
        }
        if !pooled { EVP_PKEY_CTX_free(context) }
        return outcome.0
    }

    private func makeContext(
        for scheme: SignatureScheme, initialise: (OpaquePointer?) -> Int32
    ) throws -> OpaquePointer {
        let context = try checkOpenSSL(EVP_PKEY_CTX_new(pointer, nil), .cryptoFailure, "EVP_PKEY_CTX_new")
        do {
            try checkOpenSSL(initialise(context), .cryptoFailure, "initialising a \(scheme) context")
            try Self.configure(context, for: scheme)
            return context
        } catch {
            EVP_PKEY_CTX_free(context)
            throw error
        }
    }

    /// Lends the raw pointer to `body`; it must not escape the closure.
    /// An EC key's public point as OpenSSL holds it (SEC 1: uncompressed, or compressed
    /// when the key was imported compressed).
    func encodedPublicPoint() throws -> [UInt8] {
        try withUnsafeEVPPKEY { pointer -> [UInt8] in
            var length = 0
            guard EVP_PKEY_get_octet_string_param(pointer, "encoded-pub-key", nil, 0, &length) == 1 else {
                throw OpenSSLErrorQueue.error(.cryptoFailure, "reading the EC point failed")
            }
            var bytes = [UInt8](repeating: 0, count: length)
            guard EVP_PKEY_get_octet_string_param(pointer, "encoded-pub-key", &bytes, length, &length) == 1 else {
                throw OpenSSLErrorQueue.error(.cryptoFailure, "reading the EC point failed")
            }
            return Array(bytes.prefix(length))
        }
    }

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

/// A verification context in the pool.
///
/// `@unchecked Sendable`: a context has exactly one holder at a time — the pool, under
/// its lock, or the single operation that took it out — so it is never used concurrently.
private struct PooledContext: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// The idle verification contexts of one scheme.
private struct ContextPool: Sendable {
    let scheme: SignatureScheme
    var contexts: [PooledContext]
}
