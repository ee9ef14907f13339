import Foundation
import JWTKit
import Sigil

/// What the token claims and what both verifiers require of it.
enum Claims {
    static let issuer = "https://issuer.example"
    static let subject = "device-0042"
    static let audience = "billing"
    static let keyID = "bench-2026"

    /// A claims set issued now that expires in an hour, as compact JSON text.
    static func json(now: Int) -> String {
        #"{"iss":"\#(issuer)","sub":"\#(subject)","aud":"\#(audience)","iat":\#(now),"exp":\#(now + 3600)}"#
    }
}

/// The claims as jwt-kit decodes them, checked as Sigil checks them: `exp` in the future,
/// `iat` not in the future, and the issuer and audience required.
struct JWTKitClaims: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var aud: AudienceClaim
    var iat: IssuedAtClaim
    var exp: ExpirationClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        let now = Date()
        try exp.verifyNotExpired(currentDate: now)
        guard iat.value <= now.addingTimeInterval(60) else {
            throw JWTError.claimVerificationFailure(failedClaim: iat, reason: "issued in the future")
        }
        guard iss.value == Claims.issuer else {
            throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "wrong issuer")
        }
        try aud.verifyIntendedAudience(includes: Claims.audience)
    }
}

/// One algorithm's key, token and verifiers, all made once before anything is timed.
struct Workload {
    /// The JOSE name, such as `ES256`.
    let name: String
    /// The key, for people: `P-256`, `RSA-2048`.
    let keyName: String
    /// The `openssl speed` algorithm for the same key.
    let opensslName: String
    let algorithm: JOSEAlgorithm
    /// The compact JWT.
    let token: String
    /// Its JWS signing input, `BASE64URL(header) '.' BASE64URL(claims)`.
    let signingInput: [UInt8]
    /// The signature over `signingInput` as the key holder returned it (DER for ECDSA), so
    /// the bare verification does no format conversion inside its loop.
    let signature: [UInt8]
    let publicKey: PublicKey
    /// The trust store a user would load: the JWKS text of the public key, read back.
    let trustStore: TrustStore
    let options: JWTValidationOptions
    /// jwt-kit's key collection holding the same public key, imported from PEM.
    let jwtKit: JWTKeyCollection

    init(name: String, keyName: String, opensslName: String, algorithm: JOSEAlgorithm, spec: KeySpec) async throws {
        self.name = name
        self.keyName = keyName
        self.opensslName = opensslName
        self.algorithm = algorithm
        let privateKey = try AsymmetricPrivateKey(generating: spec)
        publicKey = try PublicKey(privateKey.publicKey)
        let claims = Claims.json(now: Int(Date().timeIntervalSince1970))
        let input = try JWT.signingInput(claims: Array(claims.utf8), algorithm: algorithm, keyID: Claims.keyID)
        signature = try privateKey.signature(forDigest: input.digest(), scheme: algorithm.signingAlgorithm.scheme)
        signingInput = input.bytes
        token = try input.compactSerialization(kmsSignature: signature)

        let trusted = try TrustedKey(id: Claims.keyID, publicKey: publicKey, algorithms: [algorithm.signingAlgorithm])
        let jwks = try JWKSet(trustStore: TrustStore([trusted])).jsonRepresentation
        trustStore = try TrustStore(jwksData: jwks)
        options = JWTValidationOptions(issuer: Claims.issuer, audience: Claims.audience)

        jwtKit = JWTKeyCollection()
        let pem = publicKey.pemRepresentation
        let kid = JWKIdentifier(string: Claims.keyID)
        switch algorithm {
        case .es256: await jwtKit.add(ecdsa: try ES256PublicKey(pem: pem), kid: kid)
        case .rs256: await jwtKit.add(rsa: try Insecure.RSA.PublicKey(pem: pem), digestAlgorithm: .sha256, kid: kid)
        default: throw BenchError("no jwt-kit counterpart for \(algorithm)")
        }
    }

    /// Sigil's JWT verification as a user calls it: parse, signature against the trust
    /// store, claims.
    func verifySigilJWT() throws {
        let verified = try JWT.verify(token, trustStore: trustStore, options: options)
        guard verified.keyID == Claims.keyID, verified.claims.subject == Claims.subject else {
            throw BenchError("\(name): Sigil's JWT verification returned the wrong key or claims")
        }
    }

    /// Sigil's bare signature verification of the same signing input with the same key.
    func verifyBare() throws {
        guard try publicKey.isValidSignature(signature, for: signingInput, algorithm: algorithm.signingAlgorithm) else {
            throw BenchError("\(name): the bare signature did not verify")
        }
    }

    /// jwt-kit's verification of the same token, claims included.
    func verifyJWTKit() async throws {
        let claims = try await jwtKit.verify(token, as: JWTKitClaims.self)
        guard claims.sub.value == Claims.subject else {
            throw BenchError("\(name): jwt-kit returned the wrong claims")
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
