/// The signer's side of COSE_Sign1: the bytes to sign, then the message around the
/// signature.
///
/// Every header parameter goes in the protected header, deterministically encoded; the
/// unprotected header is empty. The signature itself is made elsewhere (by the key
/// holder, over the digest of ``toBeSigned``).
///
/// ```swift
/// let builder = try COSESign1Builder(algorithm: .es256, keyID: "device-7", payload: reading)
/// let der = try keyHolder.sign(digest: sha256(builder.toBeSigned))
/// let message = try builder.message(signature: der, format: .der)
/// ```
public struct COSESign1Builder: Sendable {
    /// The signature algorithm, stated in the protected header.
    public let algorithm: COSEAlgorithm
    /// The encoded protected header (`body_protected`).
    public let protectedHeaderBytes: [UInt8]
    /// The payload the signature covers.
    public let payload: [UInt8]
    /// Whether the message leaves the payload out (nil), for the verifier to supply.
    public let isDetached: Bool
    /// The externally supplied data the signature binds in, possibly empty.
    public let externalAAD: [UInt8]

    /// Prepares a COSE_Sign1 message.
    ///
    /// - Parameters:
    ///   - algorithm: The signature algorithm (`alg`).
    ///   - keyID: The key id (`kid`), encoded as UTF-8 bytes; `nil` to name no key.
    ///   - contentType: The payload's content type; `nil` to state none.
    ///   - payload: The payload.
    ///   - detached: Whether to leave the payload out of the message.
    ///   - externalAAD: Data the signature covers without the message carrying it.
    /// - Throws: ``SigilError`` with code `invalidArgument` for an empty key id.
    public init(
        algorithm: COSEAlgorithm, keyID: String? = nil, contentType: COSEContentType? = nil,
        payload: [UInt8], detached: Bool = false, externalAAD: [UInt8] = []
    ) throws {
        var header: [CBOR.MapEntry] = [.init(key: COSEHeaderLabel.algorithm, value: CBOR(algorithm.identifier))]
        if let contentType {
            header.append(.init(key: COSEHeaderLabel.contentType, value: contentType.cbor))
        }
        if let keyID {
            guard !keyID.isEmpty else {
                throw SigilError(.invalidArgument, "COSE: a key id, when given, must not be empty")
            }
            header.append(.init(key: COSEHeaderLabel.keyID, value: .byteString(Array(keyID.utf8))))
        }
        self.algorithm = algorithm
        self.protectedHeaderBytes = try CBOR.map(header).deterministicEncoding()
        self.payload = payload
        self.isDetached = detached
        self.externalAAD = externalAAD
    }

    /// The bytes to sign: the Sig_structure of RFC 9052 §4.4. The key holder signs their
    /// digest under ``COSEAlgorithm/signingAlgorithm``.
    public var toBeSigned: [UInt8] {
        COSESign1.signatureStructure(protectedHeader: protectedHeaderBytes, externalAAD: externalAAD, payload: payload)
    }

    /// Assembles the COSE_Sign1 message around a signature of ``toBeSigned``.
    ///
    /// - Parameters:
    ///   - signature: The signature; for ECDSA either DER (as KMS returns it) or r‖s.
    ///   - format: The ECDSA signature's encoding; ignored for RSA.
    ///   - tagged: Whether to wrap the message in CBOR tag 18 (the default).
    /// - Returns: The deterministically encoded message.
    /// - Throws: ``SigilError`` with code `malformedSignature` for an empty signature, or
    ///   an ECDSA one that is not strict DER or not r‖s of the curve's size.
    public func message(signature: [UInt8], format: SignatureFormat = .der, tagged: Bool = true) throws -> [UInt8] {
        guard !signature.isEmpty else {
            throw SigilError(.malformedSignature, "COSE: the signature is empty")
        }
        var signatureBytes = signature
        if let curve = algorithm.curve {
            if format == .der {
                signatureBytes = try ECDSASignature.raw(fromDER: signature, curve: curve)
            } else if signature.count != 2 * curve.coordinateSize {
                throw SigilError(
                    .malformedSignature,
                    "COSE: an \(algorithm.name) signature is r‖s of \(2 * curve.coordinateSize) bytes, not \(signature.count)")
            }
        }
        let body = CBOR.array([
            .byteString(protectedHeaderBytes),
            .map([]),
            isDetached ? .null : .byteString(payload),
            .byteString(signatureBytes),
        ])
        return try (tagged ? CBOR.tagged(COSESign1.tag, body) : body).deterministicEncoding()
    }
}
