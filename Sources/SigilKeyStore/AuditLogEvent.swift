public import Foundation
internal import Glibc

/// One request to the key holder, as the audit log records it: who asked, from where,
/// for what, on which key, and how it ended.
///
/// An event never holds a secret: no plaintext, no key material, no secret access key,
/// and of an encryption context only its keys (``encryptionContextKeys``), never its
/// values. The store normalises an event when it appends it (see ``normalized``), so
/// what is read back may differ from what was passed in exactly where that rule says.
public struct AuditEvent: Sendable, Hashable, Codable {
    /// When the request arrived.
    public var time: Date
    /// The request id returned to the caller (`x-amzn-RequestId`).
    public var requestID: String
    /// The key holder's region.
    public var region: String
    /// The key holder's account.
    public var account: String
    /// The authenticated principal's ARN; `nil` when the caller was never authenticated.
    public var principalARN: String?
    /// The access key the request was signed with, when it named one.
    public var accessKeyID: String?
    /// The caller's IP address.
    public var sourceAddress: String?
    /// The caller's `User-Agent` header.
    public var userAgent: String?
    /// The KMS operation, such as `Decrypt`.
    public var operation: String
    /// The key's ARN, when the request named a key that exists.
    public var keyARN: String?
    /// The encryption or signing algorithm, or the key spec for `CreateKey`.
    public var algorithm: String?
    /// The keys of the request's encryption context — never the values.
    public var encryptionContextKeys: [String]
    /// How the request ended.
    public var outcome: Outcome
    /// The KMS error type (`__type`), such as `AccessDeniedException`, when it failed.
    public var errorCode: String?
    /// The error message returned to the caller, when it failed.
    public var errorMessage: String?

    /// How a request ended.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        /// It did what was asked.
        case success
        /// It was refused: access denied or authentication failed.
        case denied
        /// Any other error.
        case failed
    }

    /// Creates an event.
    ///
    /// - Parameters:
    ///   - time: When the request arrived.
    ///   - requestID: The request id returned to the caller.
    ///   - region: The key holder's region.
    ///   - account: The key holder's account.
    ///   - principalARN: The authenticated principal, `nil` when there is none.
    ///   - accessKeyID: The access key the request named.
    ///   - sourceAddress: The caller's IP address.
    ///   - userAgent: The caller's `User-Agent`.
    ///   - operation: The KMS operation, such as `Decrypt`.
    ///   - keyARN: The key's ARN.
    ///   - algorithm: The encryption or signing algorithm, or the key spec for `CreateKey`.
    ///   - encryptionContextKeys: The encryption context's keys (never its values).
    ///   - outcome: How the request ended.
    ///   - errorCode: The KMS error type, such as `AccessDeniedException`.
    ///   - errorMessage: The error message returned to the caller.
    public init(
        time: Date = Date(), requestID: String, region: String, account: String, principalARN: String? = nil,
        accessKeyID: String? = nil, sourceAddress: String? = nil, userAgent: String? = nil, operation: String,
        keyARN: String? = nil, algorithm: String? = nil, encryptionContextKeys: [String] = [],
        outcome: Outcome = .success, errorCode: String? = nil, errorMessage: String? = nil
    ) {
        self.time = time
        self.requestID = requestID
        self.region = region
        self.account = account
        self.principalARN = principalARN
        self.accessKeyID = accessKeyID
        self.sourceAddress = sourceAddress
        self.userAgent = userAgent
        self.operation = operation
        self.keyARN = keyARN
        self.algorithm = algorithm
        self.encryptionContextKeys = encryptionContextKeys
        self.outcome = outcome
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }

    /// The longest text field kept, in UTF-8 bytes; longer ones (a caller's user agent,
    /// say) are cut on a character boundary and end in `…`.
    public static let maximumFieldLength = 2048

    /// The most encryption-context keys kept; past it the first ones in sorted order are
    /// kept and a last entry says how many more there were.
    public static let maximumContextKeys = 64

    /// The event as the log stores it: text fields without NUL characters (SQLite
    /// text is read back up to the first NUL, which would break the hash) and at most
    /// ``maximumFieldLength`` bytes, context keys sorted and at most
    /// ``maximumContextKeys``, and the time rounded to what a REAL column holds.
    public var normalized: AuditEvent {
        var copy = self
        copy.time = Date(timeIntervalSince1970: AuditLog.storedTime(time))
        copy.requestID = Self.clean(requestID)
        copy.region = Self.clean(region)
        copy.account = Self.clean(account)
        copy.principalARN = principalARN.map(Self.clean)
        copy.accessKeyID = accessKeyID.map(Self.clean)
        copy.sourceAddress = sourceAddress.map(Self.clean)
        copy.userAgent = userAgent.map(Self.clean)
        copy.operation = Self.clean(operation)
        copy.keyARN = keyARN.map(Self.clean)
        copy.algorithm = algorithm.map(Self.clean)
        var keys = encryptionContextKeys.map(Self.clean).sorted()
        if keys.count > Self.maximumContextKeys {
            let more = keys.count - (Self.maximumContextKeys - 1)
            keys = Array(keys.prefix(Self.maximumContextKeys - 1)) + ["… \(more) more keys"]
        }
        copy.encryptionContextKeys = keys
        copy.errorCode = errorCode.map(Self.clean)
        copy.errorMessage = errorMessage.map(Self.clean)
        return copy
    }

    static func clean(_ text: String) -> String {
        let utf8 = text.utf8
        let hasNUL =
            utf8.withContiguousStorageIfAvailable { buffer in
                buffer.baseAddress.map { memchr($0, 0, buffer.count) != nil } ?? false
            } ?? utf8.contains(0)
        // The common case: nothing to change.
        guard hasNUL || utf8.count > maximumFieldLength else { return text }
        var text = text
        if hasNUL {
            text = text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
        }
        return truncated(text, toUTF8Bytes: maximumFieldLength)
    }

    /// `text` when it is at most `limit` UTF-8 bytes long; otherwise its longest prefix
    /// of whole characters that, with a trailing `…`, fits in `limit` bytes.
    ///
    /// - Parameters:
    ///   - text: The text.
    ///   - limit: The most UTF-8 bytes kept, at least 3 (the size of `…`).
    /// - Returns: The text, cut if it must be.
    public static func truncated(_ text: String, toUTF8Bytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let budget = max(0, limit - "…".utf8.count)
        var kept = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard used + size <= budget else { break }
            kept.append(character)
            used += size
        }
        return kept + "…"
    }
}

/// An event read back from the log, with its place in the chain.
public struct AuditRecord: Sendable, Hashable {
    /// Its sequence number: 1 for the first event, with no gaps.
    public var seq: Int64
    /// The event.
    public var event: AuditEvent
    /// Its chain hash: SHA-256 of the previous event's hash and this event's canonical bytes.
    public var hash: [UInt8]
}

/// The result of walking the whole audit log (``KeyStore/verifyAuditLog()``).
public struct AuditVerification: Sendable {
    /// How many events the log holds (all rows, the broken ones included).
    public var eventCount: Int
    /// The first thing wrong, or `nil` when the log is intact.
    ///
    /// `seq` is the first sequence number that is missing, altered or not vouched for:
    /// for a break found only at the signed head, the first event after the last one the
    /// head still vouches for (the head's MAC failing vouches for none past the chain's
    /// end). `requestID` is the event's request id when that event exists and is readable.
    public var firstBroken: (seq: Int64, requestID: String?, reason: String)?
    /// The sequence number of the last event, 0 for an empty log.
    public var lastSeq: Int64
    /// The hash the chain ends in: the last event's hash, 32 zero bytes for an empty log.
    public var headHash: [UInt8]

    /// Whether every check passed.
    public var isIntact: Bool { firstBroken == nil }
}
