/// The content type of a COSE payload (header parameter 3): a CoAP Content-Format number
/// or a media type.
public enum COSEContentType: Hashable, Sendable, CustomStringConvertible {
    /// A CoAP Content-Format number, such as 50 for `application/json`.
    case coapContentFormat(UInt16)
    /// A media type, such as `application/spdx+json`.
    case mediaType(String)

    var cbor: CBOR {
        switch self {
        case .coapContentFormat(let number): return .unsigned(UInt64(number))
        case .mediaType(let text): return .textString(text)
        }
    }

    public var description: String {
        switch self {
        case .coapContentFormat(let number): return "CoAP content format \(number)"
        case .mediaType(let text): return text
        }
    }
}

/// The labels of the COSE header parameters Sigil acts on (RFC 9052 §3.1).
enum COSEHeaderLabel {
    static let algorithm: CBOR = 1
    static let critical: CBOR = 2
    static let contentType: CBOR = 3
    static let keyID: CBOR = 4

    /// The labels a `crit` list may name: those Sigil processes.
    static let understood: Set<CBOR> = [algorithm, critical, contentType, keyID]
}

/// The header parameters of a COSE_Sign1 message, both buckets, checked against the
/// rules of RFC 9052 as Sigil applies them.
///
/// - `alg` (1) is required and must be protected.
/// - `crit` (2), when present, must be protected, non-empty, name only labels present in
///   the protected bucket, and only labels Sigil understands (1–4).
/// - `kid` (4) is a byte string; `content type` (3) a number below 65536 or text.
/// - Labels are integers or text; no label appears in both buckets. Other parameters
///   are kept and otherwise ignored.
public struct COSEHeaders: Hashable, Sendable {
    /// The protected bucket, in the order its entries were encoded.
    public let protected: [CBOR.MapEntry]
    /// The unprotected bucket, in the order its entries were encoded.
    public let unprotected: [CBOR.MapEntry]
    /// The signature algorithm (from the protected bucket).
    public let algorithm: COSEAlgorithm
    /// The key id (`kid`), from whichever bucket holds it.
    public let keyID: [UInt8]?
    /// The payload's content type, from whichever bucket holds it.
    public let contentType: COSEContentType?

    /// The value of a header parameter, from whichever bucket holds it.
    public subscript(label: CBOR) -> CBOR? {
        protected.first(where: { $0.key == label })?.value ?? unprotected.first(where: { $0.key == label })?.value
    }

    /// The key id read as UTF-8, as trust stores name keys; `nil` when absent or not UTF-8.
    public var keyIDText: String? {
        keyID.flatMap { String(validating: $0, as: UTF8.self) }
    }

    /// Checks both buckets and reads the parameters Sigil acts on.
    ///
    /// - Throws: ``SigilError`` with code `malformedMessage` for a rule broken,
    ///   `unknownAlgorithm` for an algorithm outside ``COSEAlgorithm/all``, and
    ///   `unsupportedMessage` for a critical parameter Sigil does not understand.
    init(protected: [CBOR.MapEntry], unprotected: [CBOR.MapEntry]) throws {
        let protectedLabels = try Self.labels(of: protected, bucket: "protected")
        let unprotectedLabels = try Self.labels(of: unprotected, bucket: "unprotected")
        if let shared = protected.first(where: { unprotectedLabels.contains($0.key) }) {
            throw SigilError(
                .malformedMessage,
                "COSE: the header parameter \(CBORDiagnostic.short(shared.key)) is in both the protected and the unprotected header")
        }
        for label in [COSEHeaderLabel.algorithm, COSEHeaderLabel.critical] where unprotectedLabels.contains(label) {
            throw SigilError(
                .malformedMessage,
                "COSE: \(label == COSEHeaderLabel.algorithm ? "alg" : "crit") (\(CBORDiagnostic.short(label))) must be in the protected header, not the unprotected one")
        }
        let fields = protected + unprotected
        func value(_ label: CBOR) -> CBOR? { fields.first(where: { $0.key == label })?.value }

        guard let algorithmValue = value(COSEHeaderLabel.algorithm) else {
            throw SigilError(.malformedMessage, "COSE: the protected header has no alg (1)")
        }
        self.algorithm = try Self.algorithm(algorithmValue)

        if let critical = value(COSEHeaderLabel.critical) {
            try Self.checkCritical(critical, protectedLabels: protectedLabels)
        }

        switch value(COSEHeaderLabel.keyID) {
        case nil: self.keyID = nil
        case .byteString(let bytes)?: self.keyID = bytes
        case let other?:
            throw SigilError(.malformedMessage, "COSE: kid (4) must be a byte string, not a \(other.kindName)")
        }

        switch value(COSEHeaderLabel.contentType) {
        case nil: self.contentType = nil
        case .unsigned(let number)? where number <= UInt64(UInt16.max):
            self.contentType = .coapContentFormat(UInt16(number))
        case .textString(let text)?: self.contentType = .mediaType(text)
        case let other?:
            throw SigilError(
                .malformedMessage,
                "COSE: content type (3) must be a number below 65536 or text, not \(CBORDiagnostic.short(other))")
        }
        self.protected = protected
        self.unprotected = unprotected
    }

    private static func labels(of bucket: [CBOR.MapEntry], bucket name: String) throws -> Set<CBOR> {
        var labels = Set<CBOR>()
        for entry in bucket {
            switch entry.key {
            case .unsigned, .negative, .textString: labels.insert(entry.key)
            default:
                throw SigilError(
                    .malformedMessage,
                    "COSE: a \(name) header label is a \(entry.key.kindName); labels are integers or text")
            }
        }
        return labels
    }

    private static func algorithm(_ value: CBOR) throws -> COSEAlgorithm {
        switch value {
        case .textString(let name):
            throw SigilError(.unknownAlgorithm, "COSE: unsupported algorithm '\(CBORDiagnostic.printable(name, limit: 40))'")
        case .unsigned, .negative:
            guard let identifier = value.intValue else {
                throw SigilError(.unknownAlgorithm, "COSE: unsupported algorithm \(CBORDiagnostic.short(value))")
            }
            return try COSEAlgorithm(identifier: identifier)
        default:
            throw SigilError(.malformedMessage, "COSE: alg (1) must be an integer or text, not a \(value.kindName)")
        }
    }

    private static func checkCritical(_ value: CBOR, protectedLabels: Set<CBOR>) throws {
        guard let labels = value.arrayValue, !labels.isEmpty else {
            throw SigilError(.malformedMessage, "COSE: crit (2) must be a non-empty array of labels")
        }
        for label in labels {
            switch label {
            case .unsigned, .negative, .textString: break
            default:
                throw SigilError(.malformedMessage, "COSE: crit (2) holds a \(label.kindName); labels are integers or text")
            }
            guard protectedLabels.contains(label) else {
                throw SigilError(
                    .malformedMessage,
                    "COSE: crit (2) names \(CBORDiagnostic.short(label)), which is not in the protected header")
            }
            guard COSEHeaderLabel.understood.contains(label) else {
                throw SigilError(
                    .unsupportedMessage,
                    "COSE: the critical header parameter \(CBORDiagnostic.short(label)) is not one Sigil understands")
            }
        }
    }
}
