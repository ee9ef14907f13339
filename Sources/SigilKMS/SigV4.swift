public import Foundation
public import SigilCrypto

#if canImport(Glibc)
import Glibc
#endif

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), written once for both sides: ``KMSClient``
/// signs with it and the key holder verifies with it.
///
/// The canonical form is botocore's (`botocore/auth.py`, `SigV4Auth`), so that what the
/// AWS CLI and boto3 sign verifies here and what Sigil signs verifies in botocore's eyes:
/// the path with dot segments and repeated slashes removed, then URI-encoded again; the
/// query pairs sorted; header names lowercased, values trimmed with inner whitespace
/// runs squeezed, repeated headers joined with commas; and the hex SHA-256 of the body.
public enum SigV4 {
    /// The algorithm name in the `Authorization` header and the string to sign.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// The last element of every credential scope.
    public static let terminator = "aws4_request"
    /// How far a request's `X-Amz-Date` may be from the verifier's clock: five minutes.
    public static let defaultClockSkew: TimeInterval = 300

    /// Headers that are never signed, as botocore leaves them out (proxies and HTTP
    /// clients add or change them), plus `authorization` itself.
    public static let unsignableHeaders: Set<String> = [
        "authorization", "baggage", "connection", "expect", "keep-alive", "proxy-authenticate",
        "proxy-authorization", "te", "traceparent", "tracestate", "trailer", "transfer-encoding", "upgrade",
        "user-agent", "x-amzn-trace-id",
    ]

    // MARK: - Time

    /// `20240102T030405Z`: the `X-Amz-Date` form of a date, in UTC.
    public static func amzDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // Written digit by digit: String(format:) showed up in the key holder's profile.
        var text = [UInt8]()
        text.reserveCapacity(16)
        func append(_ value: Int32, digits: Int) {
            var divisor: Int32 = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(parts.tm_year + 1900, digits: 4)
        append(parts.tm_mon + 1, digits: 2)
        append(parts.tm_mday, digits: 2)
        text.append(UInt8(ascii: "T"))
        append(parts.tm_hour, digits: 2)
        append(parts.tm_min, digits: 2)
        append(parts.tm_sec, digits: 2)
        text.append(UInt8(ascii: "Z"))
        return String(decoding: text, as: UTF8.self)
    }

    /// `text` without leading and trailing spaces and tabs, without Foundation's
    /// character-set machinery (which dominated SigV4 checking in a profile).
    public static func trimmingSpaces(_ text: some StringProtocol) -> String {
        String(decoding: trimmingSpaces(Array(text.utf8)[...]), as: UTF8.self)
    }

    /// `bytes` without leading and trailing spaces and tabs. Both are ASCII, so the bytes
    /// either side of what is kept are whole scalars, and what is kept stays whole UTF-8.
    static func trimmingSpaces(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return bytes[bytes.endIndex...] }
        return bytes[first...last]
    }

    /// Parses the strict `X-Amz-Date` form (`yyyyMMdd'T'HHmmss'Z'`).
    ///
    /// - Returns: The date, or `nil` when the text is not exactly that form or not a real
    ///   time of day.
    public static func parseAmzDate(_ text: String) -> Date? {
        let characters = Array(text.utf8)
        guard characters.count == 16, characters[8] == UInt8(ascii: "T"), characters[15] == UInt8(ascii: "Z") else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for character in characters[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character) else { return nil }
                value = value * 10 + Int(character - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        // timegm normalises 31 February into March; such a date is not what was written.
        guard amzDate(date) == text else { return nil }
        return date
    }

    // MARK: - Canonical forms

    /// The hex SHA-256 of a body: the last line of the canonical request.
    public static func payloadHash(_ body: some DataProtocol) -> String {
        // SHA-256 over bytes in memory fails only if OpenSSL cannot allocate a context.
        let digest = (try? HashFunction.sha256.hash(body)) ?? []
        return Hex.lowercase(digest)
    }

    /// The canonical URI: dot segments and empty segments removed (as botocore and AWS
    /// services do), then every byte but the unreserved ones and `/` percent-encoded.
    /// The path is taken as it was on the wire, so `%` becomes `%25`.
    public static func canonicalURI(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        var normalized = path.hasPrefix("/") ? "/" : ""
        normalized += segments.joined(separator: "/")
        if path.hasSuffix("/") && !segments.isEmpty { normalized += "/" }
        return uriEncode(normalized, keepSlash: true)
    }

    /// The canonical query string: `name=value` pairs, each side URI-encoded (after
    /// decoding what the wire had encoded), sorted by name then value in byte order, joined
    /// with `&`. Decoding is per byte, as clients encode: `%FF` stays the byte 0xFF (signed
    /// as `%FF`), and a `%` not followed by two hex digits is a literal `%` (signed as `%25`).
    public static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        for pair in query.utf8.split(separator: UInt8(ascii: "&")) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let name = pair[..<(equals ?? pair.endIndex)]
            let value = equals.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...]
            var encodedName: [UInt8] = []
            var encodedValue: [UInt8] = []
            uriEncode(percentDecoded(name), keepSlash: false, into: &encodedName)
            uriEncode(percentDecoded(value), keepSlash: false, into: &encodedValue)
            pairs.append((encodedName, encodedValue))
        }
        pairs.sort {
            $0.name != $1.name ? $0.name.lexicographicallyPrecedes($1.name) : $0.value.lexicographicallyPrecedes($1.value)
        }
        var output: [UInt8] = []
        for (index, pair) in pairs.enumerated() {
            if index > 0 { output.append(UInt8(ascii: "&")) }
            output += pair.name
            output.append(UInt8(ascii: "="))
            output += pair.value
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// A header value in canonical form: trimmed, inner runs of whitespace made one space.
    public static func canonicalHeaderValue(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendCanonicalHeaderValue(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `value` in canonical form: the ASCII whitespace bytes (space, tab, line
    /// feed, vertical tab, form feed, carriage return) at either end dropped, and each
    /// run of them inside made one space. Whitespace is ASCII, so what is kept stays
    /// whole UTF-8.
    static func appendCanonicalHeaderValue(_ value: String, to output: inout [UInt8]) {
        var pendingSpace = false
        var wroteAny = false
        for byte in value.utf8 {
            switch byte {
            case 0x09...0x0D, 0x20:
                pendingSpace = wroteAny
            default:
                if pendingSpace { output.append(UInt8(ascii: " ")) }
                pendingSpace = false
                output.append(byte)
                wroteAny = true
            }
        }
    }

    /// The canonical request.
    ///
    /// - Parameters:
    ///   - request: The request.
    ///   - signedHeaders: The lowercased names to sign, in any order.
    /// - Returns: The text whose SHA-256 the string to sign carries.
    /// - Throws: ``KMSError`` `InvalidSignatureException` when a signed header is absent.
    public static func canonicalRequest(_ request: Request, signedHeaders: [String]) throws(KMSError) -> String {
        String(decoding: try canonicalRequestBytes(request, signedHeaders: signedHeaders), as: UTF8.self)
    }

    /// The canonical request's UTF-8, written into one buffer: the key holder makes one
    /// for every request, and building it from joined strings showed in its profile.
    static func canonicalRequestBytes(_ request: Request, signedHeaders: [String]) throws(KMSError) -> [UInt8] {
        let names = canonicalNames(signedHeaders)
        var output: [UInt8] = []
        output.reserveCapacity(512)
        output += request.method.utf8.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
        output.append(UInt8(ascii: "\n"))
        output += (request.path == "/" ? "/" : canonicalURI(request.path)).utf8
        output.append(UInt8(ascii: "\n"))
        output += canonicalQuery(request.query).utf8
        output.append(UInt8(ascii: "\n"))
        for name in names {
            output += name.utf8
            output.append(UInt8(ascii: ":"))
            var found = false
            for header in request.headers where equalsIgnoringASCIICase(header.name, name) {
                if found { output.append(UInt8(ascii: ",")) }
                appendCanonicalHeaderValue(header.value, to: &output)
                found = true
            }
            guard found else {
                throw KMSError.invalidRequestSignature("The signed header '\(name)' is not in the request.")
            }
            output.append(UInt8(ascii: "\n"))
        }
        // The block of header lines ends with a line feed even when it is empty.
        if names.isEmpty { output.append(UInt8(ascii: "\n")) }
        output.append(UInt8(ascii: "\n"))
        for (index, name) in names.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ";")) }
            output += name.utf8
        }
        output.append(UInt8(ascii: "\n"))
        output += request.payloadHash.utf8
        return output
    }

    /// Whether `byte` is an ASCII capital letter.
    static func isUppercaseASCII(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) }

    /// The signed header names lowercased, without repeats, sorted; as given when they
    /// already are (what every SDK sends).
    static func canonicalNames(_ names: [String]) -> [String] {
        if names.allSatisfy({ !$0.utf8.contains(where: isUppercaseASCII) }),
            zip(names, names.dropFirst()).allSatisfy({ $0.utf8.lexicographicallyPrecedes($1.utf8) })
        {
            return names
        }
        return Array(Set(names.map { $0.lowercased() })).sorted()
    }

    /// Whether two header names are equal but for ASCII case (header names are ASCII
    /// tokens), without making lowercased copies: SigV4 looks headers up several times
    /// a request.
    static func equalsIgnoringASCIICase(_ first: String, _ second: String) -> Bool {
        var first = first
        var second = second
        return first.withUTF8 { a in
            second.withUTF8 { b in
                guard a.count == b.count else { return false }
                for index in 0..<a.count {
                    let x = a[index]
                    let y = b[index]
                    if x == y { continue }
                    let lowerX = (0x41...0x5A).contains(x) ? x | 0x20 : x
                    let lowerY = (0x41...0x5A).contains(y) ? y | 0x20 : y
                    if lowerX != lowerY { return false }
                }
                return true
            }
        }
    }

    /// The string to sign.
    ///
    /// - Parameters:
    ///   - canonicalRequest: The output of ``canonicalRequest(_:signedHeaders:)``.
    ///   - amzDate: The request's `X-Amz-Date`.
    ///   - scope: The credential scope.
    public static func stringToSign(canonicalRequest: String, amzDate: String, scope: Scope) -> String {
        let bytes = stringToSignBytes(canonicalRequest: Array(canonicalRequest.utf8), amzDate: amzDate, scope: scope)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The string to sign's UTF-8, from the canonical request's.
    static func stringToSignBytes(canonicalRequest: [UInt8], amzDate: String, scope: Scope) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(160)
        output += algorithm.utf8
        output.append(UInt8(ascii: "\n"))
        output += amzDate.utf8
        output.append(UInt8(ascii: "\n"))
        output += scope.description.utf8
        output.append(UInt8(ascii: "\n"))
        output += payloadHash(canonicalRequest).utf8
        return output
    }

    /// The signing key: HMAC-SHA256 chained over "AWS4" + secret, date, region, service
    /// and `aws4_request`.
    ///
    /// - Throws: ``SigilError`` if OpenSSL fails.
    public static func signingKey(secretAccessKey: SecureBytes, scope: Scope) throws -> SecureBytes {
        let initial = secretAccessKey.withUnsafeBytes { SecureBytes(Array("AWS4".utf8) + Array($0)) }
        var key = initial
        for element in [scope.date, scope.region, scope.service, terminator] {
            key = try HMAC.authenticationCode(for: Array(element.utf8), using: key, hash: .sha256)
        }
        return key
    }

    /// The signature: lowercase hex of HMAC-SHA256(signing key, string to sign).
    ///
    /// - Throws: ``SigilError`` if OpenSSL fails.
    public static func signature(stringToSign: String, signingKey: SecureBytes) throws -> String {
        Hex.lowercase(try HMAC.authenticationCode(for: Array(stringToSign.utf8), using: signingKey, hash: .sha256).unsafeBytes)
    }

    // MARK: - Encoding helpers

    /// RFC 3986 encoding as SigV4 wants it: unreserved characters kept, every other byte
    /// as `%XX` with upper-case hex.
    static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        var output: [UInt8] = []
        uriEncode(text.utf8, keepSlash: keepSlash, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func uriEncode(_ bytes: some Sequence<UInt8>, keepSlash: Bool, into output: inout [UInt8]) {
        let digits: StaticString = "0123456789ABCDEF"
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                output.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(digits.utf8Start[Int(byte >> 4)])
                output.append(digits.utf8Start[Int(byte & 0x0F)])
            }
        }
    }

    /// `%XX` escapes decoded to their bytes; anything else, including a `%` without two
    /// hex digits after it, kept as it is.
    static func percentDecoded(_ bytes: Substring.UTF8View) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"),
                let high = bytes.index(index, offsetBy: 1, limitedBy: bytes.endIndex), high < bytes.endIndex,
                let low = bytes.index(high, offsetBy: 1, limitedBy: bytes.endIndex), low < bytes.endIndex,
                let highValue = Hex.value(of: bytes[high]), let lowValue = Hex.value(of: bytes[low])
            {
                output.append(highValue << 4 | lowValue)
                index = bytes.index(after: low)
            } else {
                output.append(byte)
                index = bytes.index(after: index)
            }
        }
        return output
    }
}

// MARK: - The request

extension SigV4 {
    /// The parts of an HTTP request that SigV4 covers.
    public struct Request: Sendable {
        /// One header as received or to be sent; names compare case-insensitively.
        public struct Header: Sendable, Hashable {
            /// The name, in any case.
            public var name: String
            /// The value, as on the wire.
            public var value: String
            /// Creates a header.
            public init(_ name: String, _ value: String) {
                self.name = name
                self.value = value
            }
        }

        /// The method, such as `POST`.
        public var method: String
        /// The path as on the wire (percent-encoded), such as `/`.
        public var path: String
        /// The query as on the wire, without `?`; empty when there is none.
        public var query: String
        /// Every header, repeated ones included, in any order.
        public var headers: [Header]
        /// The hex SHA-256 of the body.
        public var payloadHash: String

        /// Describes a request by its body.
        ///
        /// - Parameters:
        ///   - method: The method.
        ///   - path: The path as on the wire.
        ///   - query: The query as on the wire, without `?`.
        ///   - headers: The headers.
        ///   - body: The body bytes (their SHA-256 is kept, not the bytes).
        public init(method: String, path: String, query: String = "", headers: [Header], body: some DataProtocol) {
            self.init(method: method, path: path, query: query, headers: headers, payloadHash: SigV4.payloadHash(body))
        }

        /// Describes a request by the hash of its body.
        public init(method: String, path: String, query: String = "", headers: [Header], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }

        /// The values of a header, in order; empty when it is absent.
        public func values(of name: String) -> [String] {
            headers.filter { SigV4.equalsIgnoringASCIICase($0.name, name) }.map(\.value)
        }

        /// The value of a header present once; `nil` when absent.
        public func value(of name: String) -> String? {
            values(of: name).first
        }

        mutating func setHeader(_ name: String, _ value: String) {
            let lowercased = name.lowercased()
            headers.removeAll { $0.name.lowercased() == lowercased }
            headers.append(Header(name, value))
        }
    }

    /// A credential scope: `DATE/REGION/SERVICE/aws4_request`.
    public struct Scope: Sendable, Hashable, CustomStringConvertible {
        /// `yyyyMMdd`.
        public var date: String
        /// The region, such as `us-east-1`.
        public var region: String
        /// The service, `kms` here.
        public var service: String

        /// Creates a scope.
        public init(date: String, region: String, service: String) {
            self.date = date
            self.region = region
            self.service = service
        }

        public var description: String { "\(date)/\(region)/\(service)/\(SigV4.terminator)" }
    }
}

// MARK: - Signing

extension SigV4 {
    /// Signs requests with one set of credentials for one region and service.
    public struct Signer: Sendable {
        /// The credentials to sign with.
        public let credentials: AWSCredentials
        /// The region in the scope.
        public let region: String
        /// The service in the scope.
        public let service: String

        /// Creates a signer.
        ///
        /// - Parameters:
        ///   - credentials: The access key to sign with.
        ///   - region: The region, such as `us-east-1`.
        ///   - service: The service; `kms` by default.
        public init(credentials: AWSCredentials, region: String, service: String = "kms") {
            self.credentials = credentials
            self.region = region
            self.service = service
        }

        /// Signs a request: sets `X-Amz-Date`, `X-Amz-Security-Token` when the
        /// credentials have a session token, and `Authorization`.
        ///
        /// Every header present is signed except ``SigV4/unsignableHeaders``, as botocore
        /// does; the request must already carry `Host`.
        ///
        /// - Parameters:
        ///   - request: The request, changed in place.
        ///   - date: The signing time; now by default.
        /// - Throws: ``KMSError`` `IncompleteSignatureException` without a `Host`
        ///   header; ``SigilError`` if OpenSSL fails.
        public func sign(_ request: inout Request, date: Date = Date()) throws {
            guard request.value(of: "host") != nil else {
                throw KMSError.incompleteSignature("A request must carry a Host header to be signed.")
            }
            let amzDate = SigV4.amzDate(date)
            request.setHeader("X-Amz-Date", amzDate)
            if let token = credentials.sessionToken {
                request.setHeader("X-Amz-Security-Token", token)
            }
            request.headers.removeAll { $0.name.lowercased() == "authorization" }
            let signedHeaders = Array(Set(request.headers.map { $0.name.lowercased() }).subtracting(SigV4.unsignableHeaders))
                .sorted()
            let scope = Scope(date: String(amzDate.prefix(8)), region: region, service: service)
            let canonical = try SigV4.canonicalRequest(request, signedHeaders: signedHeaders)
            let toSign = SigV4.stringToSign(canonicalRequest: canonical, amzDate: amzDate, scope: scope)
            let key = try SigV4.signingKey(secretAccessKey: credentials.secretAccessKey, scope: scope)
            let signature = try SigV4.signature(stringToSign: toSign, signingKey: key)
            request.headers.append(
                Request.Header(
                    "Authorization",
                    "\(SigV4.algorithm) Credential=\(credentials.accessKeyId)/\(scope), "
                        + "SignedHeaders=\(signedHeaders.joined(separator: ";")), Signature=\(signature)"))
        }
    }
}

// MARK: - The Authorization header

extension SigV4 {
    /// A parsed `Authorization` header.
    public struct Authorization: Sendable, Hashable {
        /// The access key id of the credential.
        public var accessKeyId: String
        /// The credential scope.
        public var scope: Scope
        /// The signed header names, lowercased, as listed.
        public var signedHeaders: [String]
        /// The signature, lowercase hex.
        public var signature: String

        /// Parses `AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request,
        /// SignedHeaders=a;b;c, Signature=hex`.
        ///
        /// - Parameter header: The header value.
        /// - Throws: ``KMSError`` `IncompleteSignatureException` naming what is missing or
        ///   malformed.
        public init(parsing header: String) throws(KMSError) {
            // Parsed as bytes: every separator is ASCII, so each piece cut out is whole UTF-8.
            let bytes = Array(header.utf8)
            let trimmed = SigV4.trimmingSpaces(bytes[...])
            let text: (ArraySlice<UInt8>) -> String = { String(decoding: $0, as: UTF8.self) }
            guard let space = trimmed.firstIndex(of: UInt8(ascii: " ")) else {
                throw KMSError.incompleteSignature(
                    "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. "
                        + "Authorization=\(text(trimmed))")
            }
            let algorithm = text(trimmed[..<space])
            guard algorithm == SigV4.algorithm else {
                throw KMSError.incompleteSignature("Unsupported AWS 'algorithm': '\(algorithm)'; only \(SigV4.algorithm)")
            }
            // The three parameters KMS needs; others are ignored, repeats refused.
            var credentialBytes: ArraySlice<UInt8>?
            var signedHeadersBytes: ArraySlice<UInt8>?
            var signatureBytes: ArraySlice<UInt8>?
            var otherNames: [String] = []
            for item in trimmed[space...].split(separator: UInt8(ascii: ",")) {
                let part = SigV4.trimmingSpaces(item)
                guard let equals = part.firstIndex(of: UInt8(ascii: "=")) else {
                    throw KMSError.incompleteSignature("Authorization parameter '\(text(part))' is not of the form name=value")
                }
                let name = text(part[..<equals])
                let value = part[(equals + 1)...]
                let repeated: Bool
                switch name {
                case "Credential": repeated = credentialBytes != nil; credentialBytes = value
                case "SignedHeaders": repeated = signedHeadersBytes != nil; signedHeadersBytes = value
                case "Signature": repeated = signatureBytes != nil; signatureBytes = value
                default: repeated = otherNames.contains(name); otherNames.append(name)
                }
                guard !repeated else {
                    throw KMSError.incompleteSignature("Authorization parameter '\(name)' appears twice")
                }
            }
            let missing = [("Credential", credentialBytes), ("SignedHeaders", signedHeadersBytes), ("Signature", signatureBytes)]
                .filter { $0.1?.isEmpty ?? true }.map(\.0)
            guard missing.isEmpty, let credentialBytes, let signedHeadersBytes, let signatureBytes else {
                throw KMSError.incompleteSignature(
                    missing.map { "Authorization header requires '\($0)' parameter." }.joined(separator: " "))
            }
            let credential = credentialBytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            guard credential.count == 5, credential.allSatisfy({ !$0.isEmpty }) else {
                throw KMSError.incompleteSignature(
                    "Credential must have the form ACCESS_KEY_ID/DATE/REGION/SERVICE/aws4_request, not '\(text(credentialBytes))'")
            }
            guard credential[4].elementsEqual(SigV4.terminator.utf8) else {
                throw KMSError.invalidRequestSignature(
                    "Credential should be scoped with a valid terminator: '\(SigV4.terminator)', not '\(text(credential[4]))'.")
            }
            let signedHeaders = signedHeadersBytes.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
            guard signedHeaders.allSatisfy({ !$0.isEmpty && !$0.contains(where: SigV4.isUppercaseASCII) }) else {
                throw KMSError.incompleteSignature(
                    "SignedHeaders must be lowercase names separated by ';', not '\(text(signedHeadersBytes))'")
            }
            guard signatureBytes.count == 64,
                signatureBytes.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
            else {
                throw KMSError.incompleteSignature("Signature must be 64 lowercase hex digits")
            }
            self.accessKeyId = text(credential[0])
            self.scope = Scope(date: text(credential[1]), region: text(credential[2]), service: text(credential[3]))
            self.signedHeaders = signedHeaders.map(text)
            self.signature = text(signatureBytes)
        }
    }
}

// MARK: - Verification

extension SigV4 {
    /// What a verified request proved: who signed it and when.
    public struct VerifiedRequest: Sendable, Hashable {
        /// The access key id that signed the request; map it to a principal.
        public var accessKeyId: String
        /// The request's `X-Amz-Date`.
        public var date: Date
        /// The signed header names, lowercased.
        public var signedHeaders: [String]
    }

    /// Verifies signed requests for one region and service: the key holder's side.
    ///
    /// Checks, in order, each with its KMS error:
    /// 1. an `Authorization` header (else `MissingAuthenticationTokenException`);
    /// 2. its form, `X-Amz-Date` present and well-formed, `host` and `x-amz-date` among
    ///    the signed headers (else `IncompleteSignatureException`);
    /// 3. the time, within ``clockSkew`` of the verifier's clock (else
    ///    `InvalidSignatureException` "Signature expired: …" or "Signature not yet
    ///    current: …", as AWS words them, so the SDKs correct their clock skew);
    /// 4. the scope: its date equal to `X-Amz-Date`'s, the region and the service ours
    ///    (else `InvalidSignatureException`);
    /// 5. the access key known (else `UnrecognizedClientException`);
    /// 6. an `x-amz-content-sha256` header, if sent, equal to the body's hash, and the
    ///    signature, compared in constant time (else `InvalidSignatureException`).
    ///
    /// `X-Amz-Security-Token`, when present, is an ordinary signed header: Sigil has no
    /// STS and gives the token no meaning.
    public struct Verifier: Sendable {
        /// The region requests must be scoped to.
        public let region: String
        /// The service requests must be scoped to.
        public let service: String
        /// How far `X-Amz-Date` may be from the clock, either way.
        public let clockSkew: TimeInterval
        /// Header names that must be among the signed ones.
        public let requiredSignedHeaders: Set<String>
        /// The signing keys of the access keys seen, one per day of scope.
        private let signingKeys = SigningKeyCache()

        /// Creates a verifier.
        ///
        /// - Parameters:
        ///   - region: The key holder's region.
        ///   - service: `kms` by default.
        ///   - clockSkew: Five minutes by default.
        ///   - requiredSignedHeaders: `host` and `x-amz-date` by default (what every AWS
        ///     SDK signs); add `x-amz-target` to refuse requests whose operation is unsigned.
        public init(
            region: String, service: String = "kms", clockSkew: TimeInterval = SigV4.defaultClockSkew,
            requiredSignedHeaders: Set<String> = ["host", "x-amz-date"]
        ) {
            self.region = region
            self.service = service
            self.clockSkew = clockSkew
            self.requiredSignedHeaders = requiredSignedHeaders
        }

        /// Verifies a request, looking the secret up by access key id.
        ///
        /// - Parameters:
        ///   - request: The request as received.
        ///   - now: The verifier's clock; now by default.
        ///   - secretAccessKey: Returns the secret of an access key id, or `nil` when the
        ///     id is unknown (or disabled).
        /// - Returns: The access key id and the time the request was signed.
        /// - Throws: ``KMSError`` as listed on ``Verifier``; what `secretAccessKey` throws.
        public func verify(
            _ request: Request, now: Date = Date(),
            secretAccessKey: (String) async throws -> SecureBytes?
        ) async throws -> VerifiedRequest {
            let (authorization, date) = try check(request, now: now)
            guard let secret = try await secretAccessKey(authorization.accessKeyId) else {
                throw KMSError.unrecognizedClient()
            }
            return try verifySignature(request, authorization: authorization, date: date, secretAccessKey: secret)
        }

        /// Verifies a request against a secret already in hand (synchronous form).
        ///
        /// - Parameters:
        ///   - request: The request as received.
        ///   - now: The verifier's clock.
        ///   - secretAccessKey: Returns the secret of an access key id, or `nil`.
        /// - Returns: The access key id and the time the request was signed.
        /// - Throws: ``KMSError`` as listed on ``Verifier``.
        public func verify(
            _ request: Request, now: Date = Date(), secretAccessKey: (String) throws -> SecureBytes?
        ) throws -> VerifiedRequest {
            let (authorization, date) = try check(request, now: now)
            guard let secret = try secretAccessKey(authorization.accessKeyId) else {
                throw KMSError.unrecognizedClient()
            }
            return try verifySignature(request, authorization: authorization, date: date, secretAccessKey: secret)
        }

        /// Steps 1 to 4: everything that needs no secret.
        ///
        /// - Returns: The parsed header and the request's date.
        /// - Throws: ``KMSError``.
        public func check(_ request: Request, now: Date = Date()) throws(KMSError) -> (Authorization, Date) {
            let headers = request.values(of: "authorization")
            guard let header = headers.first, !SigV4.trimmingSpaces(header).isEmpty else {
                throw KMSError.missingAuthenticationToken()
            }
            guard headers.count == 1 else {
                throw KMSError.incompleteSignature("The request has \(headers.count) Authorization headers")
            }
            let authorization = try Authorization(parsing: header)
            let dates = request.values(of: "x-amz-date")
            guard let amzDateText = dates.first else {
                throw KMSError.incompleteSignature("Authorization header requires existence of a 'X-Amz-Date' header.")
            }
            guard dates.count == 1, let date = SigV4.parseAmzDate(SigV4.trimmingSpaces(amzDateText)) else {
                throw KMSError.incompleteSignature(
                    "X-Amz-Date must be in ISO-8601 basic format (yyyyMMdd'T'HHmmss'Z'). Got '\(dates.joined(separator: ","))'")
            }
            let missing = requiredSignedHeaders.filter { !authorization.signedHeaders.contains($0) }.sorted()
            guard missing.isEmpty else {
                throw KMSError.incompleteSignature(
                    "SignedHeaders must include \(missing.map { "'\($0)'" }.joined(separator: " and "))")
            }
            let amzDate = SigV4.amzDate(date)
            if date < now.addingTimeInterval(-clockSkew) {
                throw KMSError.invalidRequestSignature(
                    "Signature expired: \(amzDate) is now earlier than \(SigV4.amzDate(now.addingTimeInterval(-clockSkew))) "
                        + "(\(SigV4.amzDate(now)) - \(minutes(clockSkew)) min.)")
            }
            if date > now.addingTimeInterval(clockSkew) {
                throw KMSError.invalidRequestSignature(
                    "Signature not yet current: \(amzDate) is still later than \(SigV4.amzDate(now.addingTimeInterval(clockSkew))) "
                        + "(\(SigV4.amzDate(now)) + \(minutes(clockSkew)) min.)")
            }
            guard authorization.scope.date == String(amzDate.prefix(8)) else {
                throw KMSError.invalidRequestSignature(
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                        + "'\(authorization.scope.date)' != '\(amzDate.prefix(8))', from '\(amzDate)'.")
            }
            guard authorization.scope.region == region else {
                throw KMSError.invalidRequestSignature(
                    "Credential should be scoped to a valid region, not '\(authorization.scope.region)'. "
                        + "This key holder is in '\(region)'.")
            }
            guard authorization.scope.service == service else {
                throw KMSError.invalidRequestSignature(
                    "Credential should be scoped to correct service: '\(service)', not '\(authorization.scope.service)'.")
            }
            return (authorization, date)
        }

        /// Steps 6: the body hash header and the signature itself.
        ///
        /// - Throws: ``KMSError`` `InvalidSignatureException`; ``SigilError`` if OpenSSL fails.
        public func verifySignature(
            _ request: Request, authorization: Authorization, date: Date, secretAccessKey: SecureBytes
        ) throws -> VerifiedRequest {
            if let declared = request.value(of: "x-amz-content-sha256"), declared != request.payloadHash {
                throw KMSError.invalidRequestSignature(
                    "The x-amz-content-sha256 header does not match the body; the payload must be signed.")
            }
            let canonical = try SigV4.canonicalRequestBytes(request, signedHeaders: authorization.signedHeaders)
            let toSign = SigV4.stringToSignBytes(
                canonicalRequest: canonical, amzDate: SigV4.amzDate(date), scope: authorization.scope)
            let key = try signingKeys.key(
                accessKeyID: authorization.accessKeyId, scope: authorization.scope, secretAccessKey: secretAccessKey)
            var expected: [UInt8] = []
            expected.reserveCapacity(64)
            Hex.appendLowercase(try toSign.withUnsafeBytes { try key.authenticationCode(for: $0) }, to: &expected)
            guard ConstantTime.equals(expected, Array(authorization.signature.utf8)) else {
                throw KMSError.invalidRequestSignature(
                    "The request signature we calculated does not match the signature you provided. "
                        + "Check your AWS Secret Access Key and signing method.")
            }
            return VerifiedRequest(
                accessKeyId: authorization.accessKeyId, date: date, signedHeaders: authorization.signedHeaders)
        }

        private func minutes(_ interval: TimeInterval) -> String {
            interval.truncatingRemainder(dividingBy: 60) == 0 ? String(Int(interval / 60)) : String(interval / 60)
        }
    }
}

/// Signing keys already derived, by access key and scope.
///
/// A signing key depends only on the secret and the scope (day, region, service), so a
/// client signing many requests on one day needs it derived once: four HMACs saved
/// per request, and the final HMAC run from a context keyed in advance. An entry is used
/// only with the very secret it was derived from, so a changed or revoked secret (which
/// the caller no longer hands over) never verifies through the cache.
final class SigningKeyCache: Sendable {
    private struct Slot: Hashable {
        var accessKeyID: String
        var scope: SigV4.Scope
    }

    private let entries = Locked<[Slot: (secret: SecureBytes, key: HMACKey)]>([:])

    /// The most entries kept; past it the cache starts afresh (a bounded cost).
    static let capacity = 4096

    func key(accessKeyID: String, scope: SigV4.Scope, secretAccessKey: SecureBytes) throws -> HMACKey {
        let slot = Slot(accessKeyID: accessKeyID, scope: scope)
        if let entry = entries.withLock({ $0[slot] }), Self.same(entry.secret, secretAccessKey) {
            return entry.key
        }
        let key = try HMACKey(SigV4.signingKey(secretAccessKey: secretAccessKey, scope: scope), hash: .sha256)
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll() }
            entries[slot] = (secretAccessKey, key)
        }
        return key
    }

    private static func same(_ first: SecureBytes, _ second: SecureBytes) -> Bool {
        first.withUnsafeBytes { a in second.withUnsafeBytes { b in ConstantTime.equals(a, b) } }
    }
}
