public import FoundationEssentials

/// A JSON Web Key Set (RFC 7517 section 5): `{"keys": [JWK, …]}`, public keys only.
public struct JWKSet: Sendable {
    /// The keys, in the order of the set.
    public var keys: [JWK]

    /// A set of `keys`.
    public init(keys: [JWK]) {
        self.keys = keys
    }

    /// Reads a JWKS from its JSON text.
    ///
    /// Every key must be one Sigil accepts: a set holding a symmetric or private key, or a
    /// key type Sigil does not verify with, is refused as a whole, naming the key, rather
    /// than loaded in part.
    ///
    /// - Parameters:
    ///   - jsonRepresentation: UTF-8 JSON holding an object with a `keys` array.
    ///   - maximumSize: The largest JWKS accepted, in bytes (default 1 MiB).
    /// - Throws: ``SigilError`` as ``JWK/init(jsonRepresentation:)`` does, naming the key by
    ///   its position and `kid`.
    public init(jsonRepresentation: some DataProtocol, maximumSize: Int = 1 << 20) throws {
        let reader = JOSEJSONReader(maximumSize: maximumSize)
        let members = try reader.readObject(jsonRepresentation, what: "the JWKS")
        guard let list = members["keys"]?.arrayValue else {
            throw SigilError(.malformedKey, "the JWKS has no 'keys' array")
        }
        keys = try list.enumerated().map { index, element in
            guard let object = element.objectValue else {
                throw SigilError(.malformedKey, "key \(index) of the JWKS is not a JSON object")
            }
            return try JWK(members: object, what: "key \(index) of the JWKS")
        }
    }

    /// The JWKS of a trust store: each key with `kid` = its id, `use` = `sig`, and `alg`
    /// when the key is allowed exactly one JOSE algorithm.
    ///
    /// - Throws: ``SigilError`` with code `unsupportedKey` for a key JWK cannot express.
    public init(trustStore: TrustStore) throws {
        keys = try trustStore.keys.map { trusted in
            let algorithms = JOSEAlgorithm.suiting(trusted.publicKey).filter { trusted.allows($0.signingAlgorithm) }
            return try JWK(
                publicKey: trusted.publicKey, keyID: trusted.id,
                algorithm: algorithms.count == 1 ? algorithms[0] : nil)
        }
    }

    /// The JWKS as a JSON object.
    public var jsonValue: JOSEJSON {
        .object(["keys": .array(keys.map(\.jsonValue))])
    }

    /// The JWKS's JSON text.
    public var jsonRepresentation: [UInt8] { JOSEJSONWriter.data(jsonValue) }
}
