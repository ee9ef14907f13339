public import FoundationEssentials

extension TrustedKey {
    /// Trusts the key of a JWK under its `kid`, or its RFC 7638 thumbprint when it has none,
    /// allowed its `alg` if it names one, else every algorithm that suits the key.
    ///
    /// - Throws: ``SigilError`` with code `invalidArgument` for a JWK whose `use` is not
    ///   `sig` or whose `key_ops` do not include `verify`.
    public init(jwk: JWK) throws {
        let id = jwk.keyID ?? jwk.thumbprint
        if let use = jwk.use, use != "sig" {
            throw SigilError(.invalidArgument, "JWK '\(id)' is for use '\(use)', not 'sig'")
        }
        if let operations = jwk.keyOperations, !operations.contains("verify") {
            throw SigilError(.invalidArgument, "JWK '\(id)' has key_ops without 'verify'")
        }
        try self.init(id: id, publicKey: jwk.publicKey, algorithms: jwk.allowedAlgorithms.map(\.signingAlgorithm))
    }
}

extension TrustStore {
    /// A store of the keys of a JWKS; see ``TrustedKey/init(jwk:)`` for ids and algorithms.
    ///
    /// - Throws: ``SigilError`` as ``JWKSet/init(jsonRepresentation:maximumSize:)`` and
    ///   ``TrustedKey/init(jwk:)`` do, and `invalidArgument` when two keys share an id.
    public init(jwks: JWKSet) throws {
        try self.init(jwks.keys.map(TrustedKey.init(jwk:)))
    }

    /// A store of the keys of a JWKS's JSON text.
    ///
    /// - Throws: As ``init(jwks:)``.
    public init(jwksData: some DataProtocol) throws {
        try self.init(jwks: JWKSet(jsonRepresentation: jwksData))
    }

    /// A store of the keys of a JWKS file.
    ///
    /// - Throws: ``SigilError`` with code `ioFailure` when the file cannot be read, and as
    ///   ``init(jwks:)``.
    public init(jwksFileAt url: URL) throws {
        try self.init(jwksData: Self.contents(of: url))
    }

    /// The most a trust file may hold: far more than any set of public keys needs.
    static let largestFile = 16 << 20

    /// The bytes of a trust file, or an error in the system's words ("No such file or
    /// directory", "Is a directory").
    static func contents(of url: URL) throws -> Data {
        Data(try FileIO.readWhole(url.path, atMost: largestFile))
    }
}
