public import FoundationEssentials
import Glibc

/// A parsed, not yet verified, JSON Web Signature (RFC 7515): compact, or JSON (general or
/// flattened), with an attached or detached payload.
///
/// Parsing checks structure only (size, base64url, strict JSON, headers); the payload stays
/// inside until ``verify(using:detachedPayload:)`` has checked a signature with a trusted key.
///
/// ```swift
/// let jws = try JWS(serialization: Data(token.utf8))
/// let verified = try jws.verify(using: trustStore)
/// print(verified.keyID, String(decoding: verified.payload, as: UTF8.self))
/// ```
public struct JWS: Sendable {
    /// The form a JWS was written in.
    public struct Serialization: Hashable, Sendable, CustomStringConvertible {
        /// A short name: `compact`, `json` or `json-flattened`.
        public let name: String
        private init(_ name: String) { self.name = name }

        /// `header.payload.signature` (RFC 7515 section 7.1).
        public static let compact = Serialization("compact")
        /// The general JSON serialization, with a `signatures` array (section 7.2.1).
        public static let generalJSON = Serialization("json")
        /// The flattened JSON serialization, with one signature at the top (section 7.2.2).
        public static let flattenedJSON = Serialization("json-flattened")

        public var description: String { name }
    }

    /// One signature of a JWS: its header and signature bytes.
    public struct Signature: Sendable {
        /// The signature's JOSE header.
        public let header: JOSEHeader
        /// The base64url protected header as written (empty when there is none).
        public let encodedProtectedHeader: String
        /// The signature bytes (raw r‖s for ECDSA).
        public let signature: [UInt8]
    }

    /// The limits applied while parsing.
    public struct Options: Sendable {
        /// The largest serialization accepted, in bytes (default 256 KiB).
        public var maximumSize: Int
        /// The deepest JSON nesting accepted in a JSON serialization or a header (default 16).
        public var maximumJSONDepth: Int

        /// Limits for parsing.
        public init(maximumSize: Int = 256 * 1024, maximumJSONDepth: Int = 16) {
            self.maximumSize = maximumSize
            self.maximumJSONDepth = maximumJSONDepth
        }
    }

    /// The serialization the JWS was read from.
    public var serialization: Serialization { storage.serialization }
    /// The signatures, in order; never empty.
    public var signatures: [Signature] { storage.signatures }
    /// The base64url payload's characters as written (for a compact JWS, a slice of the
    /// token); `nil` when the payload is detached.
    private var encodedPayloadCharacters: ArraySlice<UInt8>? { storage.encodedPayloadCharacters }
    /// The base64url payload as written; `nil` when the payload is detached.
    var encodedPayload: String? { encodedPayloadCharacters.map { String(decoding: $0, as: UTF8.self) } }
    /// The decoded payload; released only by verification.
    var payload: [UInt8]? { storage.payload }
    /// For a compact JWS with its payload attached, the signing input exactly as it stands
    /// in the token (`header.payload`), so verification hashes it where it lies instead of
    /// assembling it again; `nil` otherwise.
    var compactSigningInput: ArraySlice<UInt8>? { storage.compactSigningInput }

    /// The parts, behind one reference, so that passing a JWS on costs one count, not one
    /// for each array and slice in it.
    private final class Storage: Sendable {
        let serialization: Serialization
        let signatures: [Signature]
        let encodedPayloadCharacters: ArraySlice<UInt8>?
        let payload: [UInt8]?
        let compactSigningInput: ArraySlice<UInt8>?

        init(
            serialization: Serialization, signatures: [Signature], encodedPayloadCharacters: ArraySlice<UInt8>?,
            payload: [UInt8]?, compactSigningInput: ArraySlice<UInt8>?
        ) {
            self.serialization = serialization
            self.signatures = signatures
            self.encodedPayloadCharacters = encodedPayloadCharacters
            self.payload = payload
            self.compactSigningInput = compactSigningInput
        }
    }

    private let storage: Storage

    /// Whether the payload is detached (RFC 7515 appendix F) and must be supplied to verify.
    public var isDetached: Bool { encodedPayloadCharacters == nil }

    /// Parses a JWS in either serialization: JSON when the first non-blank byte is `{`,
    /// compact otherwise.
    ///
    /// - Parameters:
    ///   - serialization: The JWS bytes.
    ///   - options: Size and nesting limits.
    /// - Throws: ``SigilError`` with code `unsupportedMessage` for input over a limit or a
    ///   header Sigil refuses (`crit`, `b64`), `malformedMessage` for anything else wrong.
    public init(serialization: some DataProtocol, options: Options = Options()) throws {
        let bytes = Array(serialization)
        guard bytes.count <= options.maximumSize else {
            throw SigilError(.unsupportedMessage, "the JWS is \(bytes.count) bytes, over the limit of \(options.maximumSize)")
        }
        if bytes.first(where: { !Self.isBlank($0) }) == UInt8(ascii: "{") {
            try self.init(json: bytes, options: options)
        } else {
            try self.init(compact: bytes, options: options)
        }
    }

    /// Parses a compact JWS.
    ///
    /// - Throws: As ``init(serialization:options:)``.
    public init(compactSerialization: String, options: Options = Options()) throws {
        let bytes = Array(compactSerialization.utf8)
        guard bytes.count <= options.maximumSize else {
            throw SigilError(.unsupportedMessage, "the JWS is \(bytes.count) bytes, over the limit of \(options.maximumSize)")
        }
        try self.init(compact: bytes, options: options)
    }

    private init(compact bytes: [UInt8], options: Options) throws {
        let (parts, encodedHeader, header, signature) = try bytes.withUnsafeBufferPointer { token in
            let parts = try CompactParts(token)
            let (encodedHeader, header) = try parts.header(of: token, options: options)
            return (parts, encodedHeader, header, try parts.signatureBytes(of: token))
        }
        let signatures = [Signature(header: header, encodedProtectedHeader: encodedHeader, signature: signature)]
        if parts.payload.isEmpty {
            storage = Storage(
                serialization: .compact, signatures: signatures, encodedPayloadCharacters: nil, payload: nil, compactSigningInput: nil)
        } else {
            storage = Storage(
                serialization: .compact, signatures: signatures, encodedPayloadCharacters: bytes[parts.payload],
                payload: try Base64URL.decode(bytes, parts.payload, what: "the JWS payload"), compactSigningInput: bytes[parts.signingInput])
        }
    }

    /// Where the parts of a compact JWS lie in its bytes, found by index arithmetic rather
    /// than split and trim (this runs for every token), and read from there: for ``JWS`` and
    /// for a JWT verified straight from its text.
    struct CompactParts {
        let header: Range<Int>
        let payload: Range<Int>
        let signature: Range<Int>
        /// `header '.' payload`, the JWS signing input as it stands in the token.
        var signingInput: Range<Int> { header.lowerBound..<payload.upperBound }

        /// Finds the parts of `token`, surrounding whitespace aside.
        ///
        /// - Throws: ``SigilError`` `malformedMessage` unless there are three parts and a
        ///   protected header.
        init(_ token: UnsafeBufferPointer<UInt8>) throws {
            var start = 0
            var end = token.count
            while start < end, JWS.isBlank(token[start]) { start += 1 }
            while end > start, JWS.isBlank(token[end - 1]) { end -= 1 }
            let (firstDot, secondDot, parts) = Self.dots(in: token, start..<end)
            guard parts == 3 else {
                throw SigilError(
                    .malformedMessage,
                    "a compact JWS has 3 parts separated by '.', but this one has \(parts > 5 ? "more than 5" : "\(parts)")\(parts == 5 ? " (a JWE?)" : "")")
            }
            header = start..<firstDot
            payload = (firstDot + 1)..<secondDot
            signature = (secondDot + 1)..<end
            guard !header.isEmpty else {
                throw SigilError(.malformedMessage, "the compact JWS has an empty protected header")
            }
        }

        /// The protected header, and its base64url text, from the cache of recent headers
        /// or read (strict JSON, the header rules of ``JOSEHeader``).
        func header(of token: UnsafeBufferPointer<UInt8>, options: Options) throws -> (encoded: String, header: JOSEHeader) {
            let encoded = UnsafeBufferPointer(rebasing: token[header])
            return try RecentHeaders.header(encoded: encoded, maximumDepth: options.maximumJSONDepth) {
                let reader = JOSEJSONReader(maximumSize: options.maximumSize, maximumDepth: options.maximumJSONDepth)
                return try JOSEHeader(protectedMembers: Base64URL.withDecoded(encoded, what: "the JWS protected header") {
                    try reader.readObject($0, what: "the JWS protected header")
                })
            }
        }

        /// The signature, decoded.
        ///
        /// - Throws: ``SigilError`` `malformedSignature` when it is not base64url or empty.
        func signatureBytes(of token: UnsafeBufferPointer<UInt8>) throws -> [UInt8] {
            try JWS.signatureBytes(UnsafeBufferPointer(rebasing: token[signature]))
        }

        /// The positions of the first two dots of `bytes[range]` (-1 when missing) and the
        /// number of parts the dots make, counted up to 6. This scans every byte of every
        /// token, so it jumps from dot to dot with `memchr` rather than testing byte by byte.
        private static func dots(in buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (first: Int, second: Int, parts: Int) {
            var positions = (-1, -1)
            var parts = 1
            var index = range.lowerBound
            while parts <= 5, index < range.upperBound,
                  let found = memchr(buffer.baseAddress! + index, Int32(UInt8(ascii: ".")), range.upperBound - index) {
                index = buffer.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                parts += 1
                if parts == 2 { positions.0 = index } else if parts == 3 { positions.1 = index }
                index += 1
            }
            return (positions.0, positions.1, parts)
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private init(json bytes: [UInt8], options: Options) throws {
        let reader = JOSEJSONReader(maximumSize: options.maximumSize, maximumDepth: options.maximumJSONDepth)
        let document = try reader.readObject(bytes, what: "the JWS JSON serialization")
        let entries: [[String: JOSEJSON]]
        let serialization: Serialization
        if let list = document["signatures"] {
            guard document["signature"] == nil, document["protected"] == nil, document["header"] == nil else {
                throw SigilError(.malformedMessage, "the JWS JSON serialization mixes the general and flattened forms")
            }
            guard let elements = list.arrayValue, !elements.isEmpty else {
                throw SigilError(.malformedMessage, "the JWS 'signatures' member is not a non-empty array")
            }
            entries = try elements.map { element in
                guard let object = element.objectValue else {
                    throw SigilError(.malformedMessage, "an element of the JWS 'signatures' array is not an object")
                }
                return object
            }
            serialization = .generalJSON
        } else {
            guard document["signature"] != nil else {
                throw SigilError(.malformedMessage, "the JWS JSON serialization has neither 'signatures' nor 'signature'")
            }
            entries = [document]
            serialization = .flattenedJSON
        }
        let signatures = try entries.enumerated().map { index, entry in
            let what = entries.count > 1 ? "signature \(index) of the JWS" : "the JWS"
            var encodedProtected = ""
            if let member = entry["protected"] {
                guard let text = member.stringValue, !text.isEmpty else {
                    throw SigilError(.malformedMessage, "\(what) has a 'protected' member that is not a non-empty string")
                }
                encodedProtected = text
            }
            var unprotected: [String: JOSEJSON]? = nil
            if let member = entry["header"] {
                guard let object = member.objectValue else {
                    throw SigilError(.malformedMessage, "\(what) has a 'header' member that is not an object")
                }
                unprotected = object
            }
            guard !encodedProtected.isEmpty || unprotected != nil else {
                throw SigilError(.malformedMessage, "\(what) has neither a 'protected' nor a 'header' member")
            }
            guard let encodedSignature = entry["signature"]?.stringValue else {
                throw SigilError(.malformedMessage, "\(what) has no 'signature' string")
            }
            do {
                let header = try Self.header(
                    encodedProtected: encodedProtected.isEmpty ? nil : encodedProtected, unprotected: unprotected, options: options)
                return Signature(header: header, encodedProtectedHeader: encodedProtected, signature: try Self.signatureBytes(encodedSignature))
            } catch let error as SigilError where entries.count > 1 {
                throw SigilError(error.code, "signature \(index): \(error.message)")
            }
        }
        if let member = document["payload"] {
            guard let text = member.stringValue else {
                throw SigilError(.malformedMessage, "the JWS 'payload' member is not a string")
            }
            storage = Storage(
                serialization: serialization, signatures: signatures, encodedPayloadCharacters: Array(text.utf8)[...],
                payload: try Base64URL.decode(text, what: "the JWS payload"), compactSigningInput: nil)
        } else {
            storage = Storage(
                serialization: serialization, signatures: signatures, encodedPayloadCharacters: nil, payload: nil, compactSigningInput: nil)
        }
    }

    private static func header(encodedProtected: String?, unprotected: [String: JOSEJSON]?, options: Options) throws -> JOSEHeader {
        var protected: [String: JOSEJSON] = [:]
        if let encodedProtected {
            let decoded = try Base64URL.decode(encodedProtected, what: "the JWS protected header")
            let reader = JOSEJSONReader(maximumSize: options.maximumSize, maximumDepth: options.maximumJSONDepth)
            protected = try reader.readObject(decoded, what: "the JWS protected header")
        }
        return try JOSEHeader(protectedMembers: protected, unprotectedMembers: unprotected ?? [:])
    }

    private static func signatureBytes(_ encoded: String) throws -> [UInt8] {
        var encoded = encoded
        return try encoded.withUTF8 { try signatureBytes($0) }
    }

    private static func signatureBytes(_ encoded: UnsafeBufferPointer<UInt8>) throws -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try Base64URL.decode(buffer: encoded, what: "the JWS signature")
        } catch let error as SigilError {
            throw SigilError(.malformedSignature, error.message)
        }
        guard !bytes.isEmpty else {
            throw SigilError(.malformedSignature, "the JWS signature is empty (an unsigned token)")
        }
        return bytes
    }

    /// The JWS signing input of signature `signature` over `encodedPayload`:
    /// `ASCII(BASE64URL(protected header)) || '.' || ASCII(BASE64URL(payload))`.
    static func signingInput(_ signature: Signature, encodedPayload: String) -> [UInt8] {
        Array(signature.encodedProtectedHeader.utf8) + [UInt8(ascii: ".")] + Array(encodedPayload.utf8)
    }
}
