import FoundationEssentials
import Glibc
import SigilCrypto

/// The JOSE header of one JWS signature: its integrity-protected members and its
/// unprotected ones (JSON serialization only), checked as RFC 7515 section 4 requires.
///
/// A header is refused when it has no `alg`, when a member is both protected and
/// unprotected, when `crit` is unprotected, empty, repeats a name, names a member defined
/// by JWS/JWA or one the header does not hold, or names an extension Sigil does not
/// understand (it understands none), and when it holds `b64` (RFC 7797 unencoded payloads
/// are not supported). Duplicate members never reach this type: ``JOSEJSONReader`` refuses
/// them. Key-carrying members (`jwk`, `jku`, `x5c`, `x5u`) are kept but never used: keys
/// come only from the verifier's ``TrustStore``.
public struct JOSEHeader: Sendable, Hashable {
    /// The integrity-protected members.
    public var protectedMembers: [String: JOSEJSON] { storage.protectedMembers }
    /// The unprotected members (always empty in a compact serialization).
    public var unprotectedMembers: [String: JOSEJSON] { storage.unprotectedMembers }
    /// The `alg` member, as written (it may name an algorithm Sigil refuses).
    public var algorithmName: String { storage.algorithmName }
    /// The `kid` member, if any.
    public var keyID: String? { storage.keyID }
    /// The `typ` member, if any.
    public var type: String? { storage.type }
    /// The `cty` member, if any.
    public var contentType: String? { storage.contentType }

    /// The parts, behind one reference: a header travels from the parsed JWS to its
    /// verification result, and each copy of six parts cost six reference counts.
    private final class Storage: Sendable {
        let protectedMembers: [String: JOSEJSON]
        let unprotectedMembers: [String: JOSEJSON]
        let algorithmName: String
        let keyID: String?
        let type: String?
        let contentType: String?

        init(
            protectedMembers: [String: JOSEJSON], unprotectedMembers: [String: JOSEJSON], algorithmName: String,
            keyID: String?, type: String?, contentType: String?
        ) {
            self.protectedMembers = protectedMembers
            self.unprotectedMembers = unprotectedMembers
            self.algorithmName = algorithmName
            self.keyID = keyID
            self.type = type
            self.contentType = contentType
        }
    }

    private let storage: Storage

    /// Two headers are equal when their members are: the other properties are read from them.
    public static func == (lhs: JOSEHeader, rhs: JOSEHeader) -> Bool {
        lhs.storage === rhs.storage
            || (lhs.protectedMembers == rhs.protectedMembers && lhs.unprotectedMembers == rhs.unprotectedMembers)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(protectedMembers)
        hasher.combine(unprotectedMembers)
    }

    /// The header members JWS (RFC 7515) and JWA (RFC 7518) define, which `crit` must not name.
    static let registeredNames: Set<String> = [
        "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
    ]

    /// Checks and joins a signature's header members.
    ///
    /// - Parameters:
    ///   - protectedMembers: The decoded protected header's members.
    ///   - unprotectedMembers: The unprotected header's members.
    /// - Throws: ``SigilError`` with code `malformedMessage` for a header RFC 7515 forbids,
    ///   `unsupportedMessage` for a `crit` extension or `b64`, naming the member.
    public init(protectedMembers: [String: JOSEJSON], unprotectedMembers: [String: JOSEJSON] = [:]) throws {
        var members = protectedMembers
        if !unprotectedMembers.isEmpty {
            if let shared = protectedMembers.keys.sorted().first(where: { unprotectedMembers[$0] != nil }) {
                throw SigilError(.malformedMessage, "the JWS header member '\(shared)' is both protected and unprotected")
            }
            members.merge(unprotectedMembers) { first, _ in first }
            if unprotectedMembers["crit"] != nil {
                throw SigilError(.malformedMessage, "the JWS header member 'crit' must be protected, but it is unprotected")
            }
        }
        func string(_ name: String, _ value: JOSEJSON) throws -> String {
            guard case .string(let text) = value else {
                throw SigilError(.malformedMessage, "the JWS header member '\(name)' is not a string")
            }
            return text
        }
        // One pass over the members, not a hash look-up per name: this runs for every token.
        var algorithmName: String? = nil
        var keyID: String? = nil
        var type: String? = nil
        var contentType: String? = nil
        var critical: JOSEJSON? = nil
        for (name, value) in members {
            switch name {
            case "alg": algorithmName = try string(name, value)
            case "kid": keyID = try string(name, value)
            case "typ": type = try string(name, value)
            case "cty": contentType = try string(name, value)
            case "crit": critical = value
            case "b64":
                throw SigilError(.unsupportedMessage, "the JWS header holds 'b64': unencoded payloads (RFC 7797) are not supported")
            default: break
            }
        }
        guard let algorithmName else {
            throw SigilError(.malformedMessage, "the JWS header has no 'alg' member")
        }
        if let critical {
            try Self.checkCritical(critical, members: members)
        }
        storage = Storage(
            protectedMembers: protectedMembers, unprotectedMembers: unprotectedMembers, algorithmName: algorithmName,
            keyID: keyID, type: type, contentType: contentType)
    }

    private static func checkCritical(_ critical: JOSEJSON, members: [String: JOSEJSON]) throws {
        guard let list = critical.arrayValue else {
            throw SigilError(.malformedMessage, "the JWS header member 'crit' is not an array")
        }
        guard !list.isEmpty else {
            throw SigilError(.malformedMessage, "the JWS header member 'crit' is an empty list")
        }
        var seen = Set<String>()
        for element in list {
            guard let name = element.stringValue else {
                throw SigilError(.malformedMessage, "the JWS header member 'crit' holds something other than a string")
            }
            guard seen.insert(name).inserted else {
                throw SigilError(.malformedMessage, "the JWS header member 'crit' names '\(name)' twice")
            }
            guard !registeredNames.contains(name) else {
                throw SigilError(.malformedMessage, "the JWS header member 'crit' names '\(name)', which JWS itself defines")
            }
            guard members[name] != nil else {
                throw SigilError(.malformedMessage, "the JWS header member 'crit' names '\(name)', which the header does not hold")
            }
        }
        // Every name is well-formed; none is an extension Sigil understands.
        let first = list[0].stringValue ?? ""
        throw SigilError(.unsupportedMessage, "the JWS header marks '\(first)' critical, and Sigil does not understand it")
    }

    /// The member `name`, protected or not.
    public subscript(name: String) -> JOSEJSON? {
        protectedMembers[name] ?? unprotectedMembers[name]
    }

    /// Every member, protected and unprotected.
    public var members: [String: JOSEJSON] {
        protectedMembers.merging(unprotectedMembers) { first, _ in first }
    }
}

/// Compact protected headers read lately, by their base64url text.
///
/// A verifier sees the same few headers over and over (one issuer, one `alg`, one `kid`),
/// and reading one — base64url, strict JSON, the RFC 7515 checks — was a fifth of the work
/// JOSE adds to an RS256 signature check. A header is a function of its text, so one read
/// before is reused. Only headers that read without error and whose members are all
/// scalars are kept: they hold under any nesting limit, so the options in force when one
/// was read cannot let it past stricter ones later (a limit below 1, which refuses every
/// header, bypasses the cache). Bounded: at most ``limit`` headers of
/// at most ``longest`` characters, forgotten all at once when full.
///
/// A shared cache is also a side channel: whether a header was read before shows only
/// in timing, and a header is public (it travels in the clear in every token).
enum RecentHeaders {
    static let limit = 64
    static let longest = 512

    private struct State {
        var headers: [String: JOSEHeader] = [:]
        /// The header found last, compared byte for byte before any hashing: a verifier
        /// of one issuer's tokens finds it here, without even making the text a `String`.
        var last: (encoded: String, header: JOSEHeader)? = nil
    }

    private static let state = Locked(State())

    /// The header written as `encoded` (its base64url characters) and that text as a
    /// `String`: from the cache, or from `read`, which may add it.
    static func header(
        encoded: UnsafeBufferPointer<UInt8>, maximumDepth: Int, read: () throws -> JOSEHeader
    ) rethrows -> (encoded: String, header: JOSEHeader) {
        guard encoded.count <= longest, maximumDepth >= 1 else {
            return (String(decoding: encoded, as: UTF8.self), try read())
        }
        if let last = state.withLock({ $0.last }), Self.equal(last.encoded, encoded) { return last }
        let text = String(decoding: encoded, as: UTF8.self)
        if let known = state.withLock({ state -> JOSEHeader? in
            guard let known = state.headers[text] else { return nil }
            state.last = (text, known)
            return known
        }) {
            return (text, known)
        }
        let header = try read()
        if header.unprotectedMembers.isEmpty, header.protectedMembers.values.allSatisfy(\.isScalar) {
            state.withLock { state in
                if state.headers.count >= limit { state.headers.removeAll(keepingCapacity: true) }
                state.headers[text] = header
                state.last = (text, header)
            }
        }
        return (text, header)
    }

    private static func equal(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.utf8.count == bytes.count, !bytes.isEmpty else { return text.utf8.count == bytes.count }
        return text.utf8.withContiguousStorageIfAvailable { stored in
            memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0
        } ?? text.utf8.elementsEqual(bytes)
    }
}
