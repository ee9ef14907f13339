public import FoundationEssentials

/// A public JSON Web Key (RFC 7517, RFC 7518 section 6): an RSA or EC public key with its
/// `kid`, `alg`, `use` and `key_ops`.
///
/// Reading is strict: only `kty` `RSA` and `EC` (curves `P-256`, `P-384`, `P-521`,
/// `secp256k1`) are accepted, coordinates must have their curve's exact length, integers
/// their minimal length, and any private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`,
/// `k`) is an error: a verifier has no use for secrets and must not be handed them.
///
/// ```swift
/// let jwk = try JWK(jsonRepresentation: Data(#"{"kty":"EC","crv":"P-256","x":"…","y":"…"}"#.utf8))
/// print(jwk.thumbprint)
/// ```
public struct JWK: Sendable {
    /// The key.
    public let publicKey: PublicKey
    /// The `kid` member, if any.
    public let keyID: String?
    /// The `alg` member, if any: the one algorithm this key may verify.
    public let algorithm: JOSEAlgorithm?
    /// The `use` member, if any (`sig` for signature keys).
    public let use: String?
    /// The `key_ops` member, if any.
    public let keyOperations: [String]?
    /// The RFC 7638 thumbprint: SHA-256 of the key's required members, base64url.
    public let thumbprint: String

    /// The members a public JWK must never hold.
    public static let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    /// A JWK of `publicKey`, for export.
    ///
    /// - Parameters:
    ///   - publicKey: An RSA or EC key.
    ///   - keyID: The `kid`; `nil` writes none.
    ///   - algorithm: The `alg`; it must suit the key.
    ///   - use: The `use`; `sig` unless told otherwise, `nil` writes none.
    ///   - keyOperations: The `key_ops`; `nil` writes none.
    /// - Throws: ``SigilError`` with code `algorithmKeyMismatch` when `algorithm` does not
    ///   suit the key, `unsupportedKey` for a key JWK cannot express.
    public init(
        publicKey: PublicKey, keyID: String? = nil, algorithm: JOSEAlgorithm? = nil,
        use: String? = "sig", keyOperations: [String]? = nil
    ) throws {
        if let algorithm, !algorithm.suits(publicKey) {
            throw SigilError(
                .algorithmKeyMismatch,
                "\(algorithm) cannot be used with a \(publicKey.curve?.name ?? publicKey.family.name) key")
        }
        self.publicKey = publicKey
        self.keyID = keyID
        self.algorithm = algorithm
        self.use = use
        self.keyOperations = keyOperations
        self.thumbprint = try Self.thumbprint(of: publicKey)
    }

    /// Reads a JWK from its JSON text.
    ///
    /// - Parameter jsonRepresentation: UTF-8 JSON holding one JWK object.
    /// - Throws: ``SigilError``: `malformedMessage` for JSON that is not strict (duplicate
    ///   members included), `invalidArgument` for a private member (named), `unsupportedKey`
    ///   for `kty` `oct` or another type or curve, `malformedKey` for bad parameters,
    ///   `unknownAlgorithm` / `algorithmKeyMismatch` for an `alg` Sigil cannot use with it.
    public init(jsonRepresentation: some DataProtocol) throws {
        let members = try JOSEJSONReader().readObject(jsonRepresentation, what: "the JWK")
        try self.init(members: members, what: "the JWK")
    }

    /// Reads a JWK from its parsed members; `what` names it in errors.
    init(members: [String: JOSEJSON], what: String) throws {
        var what = what
        if let kid = members["kid"], kid.stringValue == nil {
            throw SigilError(.malformedKey, "\(what) has a 'kid' that is not a string")
        }
        keyID = members["kid"]?.stringValue
        if let keyID { what += " '\(keyID)'" }
        for name in Self.privateMembers where members[name] != nil {
            throw SigilError(.invalidArgument, "\(what) holds the private member '\(name)': only public keys are accepted")
        }
        let type = try Self.string(members, "kty", what: what, required: true)!
        switch type {
        case "RSA":
            let n = try Self.parameter(members, "n", what: what)
            let e = try Self.parameter(members, "e", what: what)
            guard n.first != 0, e.first != 0, !n.isEmpty, !e.isEmpty else {
                throw SigilError(.malformedKey, "\(what) has an 'n' or 'e' with leading zero octets or none at all")
            }
            publicKey = try PublicKey(derRepresentation: SubjectPublicKeyInfo.rsa(modulus: n, exponent: e))
        case "EC":
            let curveName = try Self.string(members, "crv", what: what, required: true)!
            guard let curve = ECCurve.all.first(where: { $0.name == curveName }) else {
                throw SigilError(
                    .unsupportedKey,
                    "\(what) is on curve '\(curveName)' (supported: \(ECCurve.all.map(\.name).joined(separator: ", ")))")
            }
            let x = try Self.parameter(members, "x", what: what)
            let y = try Self.parameter(members, "y", what: what)
            guard x.count == curve.coordinateSize, y.count == curve.coordinateSize else {
                throw SigilError(
                    .malformedKey,
                    "\(what) has 'x' or 'y' of \(x.count)/\(y.count) bytes; \(curve.name) needs exactly \(curve.coordinateSize)")
            }
            publicKey = try PublicKey(derRepresentation: SubjectPublicKeyInfo.ec(curve: curve, x: x, y: y))
        case "oct":
            throw SigilError(.unsupportedKey, "\(what) is a symmetric key (kty 'oct'): only RSA and EC public keys are accepted")
        default:
            throw SigilError(.unsupportedKey, "\(what) has kty '\(type)': only RSA and EC public keys are accepted")
        }
        if let name = try Self.string(members, "alg", what: what, required: false) {
            let algorithm = try JOSEAlgorithm(name: name)
            guard algorithm.suits(publicKey) else {
                throw SigilError(
                    .algorithmKeyMismatch,
                    "\(what) says alg '\(name)', which cannot be used with its \(publicKey.curve?.name ?? "RSA") key")
            }
            self.algorithm = algorithm
        } else {
            algorithm = nil
        }
        use = try Self.string(members, "use", what: what, required: false)
        if let operations = members["key_ops"] {
            guard let list = operations.arrayValue?.compactMap(\.stringValue),
                  list.count == operations.arrayValue?.count else {
                throw SigilError(.malformedKey, "\(what) has a 'key_ops' that is not an array of strings")
            }
            keyOperations = list
        } else {
            keyOperations = nil
        }
        thumbprint = try Self.thumbprint(of: publicKey)
    }

    private static func string(_ members: [String: JOSEJSON], _ name: String, what: String, required: Bool) throws -> String? {
        guard let member = members[name] else {
            if required { throw SigilError(.malformedKey, "\(what) has no '\(name)' member") }
            return nil
        }
        guard let value = member.stringValue else {
            throw SigilError(.malformedKey, "\(what) has a '\(name)' that is not a string")
        }
        return value
    }

    private static func parameter(_ members: [String: JOSEJSON], _ name: String, what: String) throws -> [UInt8] {
        let text = try string(members, name, what: what, required: true)!
        do {
            return try Base64URL.decode(text, what: "member '\(name)' of \(what)")
        } catch let error as SigilError {
            throw SigilError(.malformedKey, error.message)
        }
    }

    /// The members RFC 7638 hashes for `key`: `e`, `kty`, `n` or `crv`, `kty`, `x`, `y`.
    static func requiredMembers(of key: PublicKey) throws -> [String: JOSEJSON] {
        let (first, second) = try SubjectPublicKeyInfo.parameters(of: key)
        if let curve = key.curve {
            return [
                "kty": .string("EC"), "crv": .string(curve.name),
                "x": .string(Base64URL.encode(first)), "y": .string(Base64URL.encode(second)),
            ]
        }
        return ["kty": .string("RSA"), "n": .string(Base64URL.encode(first)), "e": .string(Base64URL.encode(second))]
    }

    /// The RFC 7638 JWK thumbprint of `key`: SHA-256 over its required members in
    /// lexicographic order, without whitespace, base64url-encoded.
    ///
    /// - Throws: ``SigilError`` with code `unsupportedKey` for a key JWK cannot express.
    public static func thumbprint(of key: PublicKey) throws -> String {
        let canonical = JOSEJSONWriter.data(.object(try requiredMembers(of: key)))
        return Base64URL.encode(try HashFunction.sha256.hash(canonical))
    }

    /// The JWK as a JSON object: the key's members plus `kid`, `alg`, `use`, `key_ops`
    /// where set.
    public var jsonValue: JOSEJSON {
        // The key was imported or checked at init, so its parameters can be read again.
        var members = (try? Self.requiredMembers(of: publicKey)) ?? [:]
        if let keyID { members["kid"] = .string(keyID) }
        if let algorithm { members["alg"] = .string(algorithm.name) }
        if let use { members["use"] = .string(use) }
        if let keyOperations { members["key_ops"] = .array(keyOperations.map(JOSEJSON.string)) }
        return .object(members)
    }

    /// The JWK's JSON text, members sorted by name.
    public var jsonRepresentation: [UInt8] { JOSEJSONWriter.data(jsonValue) }

    /// The JOSE algorithms this key may verify: its `alg` if it has one, else every
    /// algorithm that suits the key.
    public var allowedAlgorithms: [JOSEAlgorithm] {
        algorithm.map { [$0] } ?? JOSEAlgorithm.suiting(publicKey)
    }
}
