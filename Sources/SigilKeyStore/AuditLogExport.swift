internal import Foundation
internal import Glibc
internal import SigilCrypto

extension AuditLog {
    /// One event as a CloudTrail record (event version 1.08), on one line, without the
    /// newline.
    ///
    /// The fields follow CloudTrail's KMS events; where Sigil knows less than AWS, it says
    /// less: `userIdentity.principalId` is the account for the root, the user's name for
    /// a user and `ROLE:SESSION` for an assumed role (AWS would use unique ids);
    /// `requestParameters` holds only the key, the algorithm and the encryption
    /// context's keys (never the values); `responseElements` is always null. Two fields
    /// are Sigil's own: `sigilSequence` and `sigilHash` (lowercase hex), which tie the
    /// line to its place in the chain. `eventID` is a UUID made from the event's hash.
    static func cloudTrailLine(_ row: StoredRow) -> String {
        let event = row.stored.event
        var json = JSONObjectWriter()
        json.string("eventVersion", "1.08")
        json.raw("userIdentity", userIdentity(event))
        json.string("eventTime", iso8601(row.stored.time))
        json.string("eventSource", "kms.amazonaws.com")
        json.string("eventName", event.operation)
        json.string("awsRegion", event.region)
        json.optionalString("sourceIPAddress", event.sourceAddress)
        json.optionalString("userAgent", event.userAgent)
        json.optionalString("errorCode", event.errorCode)
        json.optionalString("errorMessage", event.errorMessage)
        json.raw("requestParameters", requestParameters(event) ?? "null")
        json.raw("responseElements", "null")
        json.string("requestID", event.requestID)
        json.string("eventID", eventID(hash: row.hash))
        json.raw("readOnly", isReadOnly(event.operation) ? "true" : "false")
        if let keyARN = event.keyARN {
            var resource = JSONObjectWriter()
            resource.string("accountId", arnAccount(keyARN) ?? event.account)
            resource.string("type", "AWS::KMS::Key")
            resource.string("ARN", keyARN)
            json.raw("resources", "[" + resource.finish() + "]")
        }
        json.string("eventType", "AwsApiCall")
        json.raw("managementEvent", "true")
        json.string("recipientAccountId", event.account)
        json.string("eventCategory", "Management")
        json.raw("sigilSequence", String(row.seq))
        json.string("sigilHash", Hex.lowercase(row.hash))
        return json.finish()
    }

    /// `userIdentity`: its type from the principal's ARN.
    private static func userIdentity(_ event: AuditEvent) -> String {
        var json = JSONObjectWriter()
        guard let arn = event.principalARN else {
            json.string("type", "Unknown")
            json.optionalString("accessKeyId", event.accessKeyID)
            return json.finish()
        }
        let account = arnAccount(arn) ?? event.account
        let resource = arnResource(arn) ?? ""
        let type: String
        let principalID: String
        if resource == "root" {
            type = "Root"
            principalID = account
        } else if resource.hasPrefix("user/") {
            type = "IAMUser"
            principalID = String(resource.split(separator: "/").last ?? "")
        } else if resource.hasPrefix("assumed-role/") || resource.hasPrefix("role/") {
            type = "AssumedRole"
            principalID = resource.split(separator: "/").dropFirst().joined(separator: ":")
        } else {
            type = "Unknown"
            principalID = resource
        }
        json.string("type", type)
        json.string("principalId", principalID)
        json.string("arn", arn)
        json.string("accountId", account)
        json.optionalString("accessKeyId", event.accessKeyID)
        return json.finish()
    }

    /// `requestParameters`, or `nil` when the request named none of them.
    private static func requestParameters(_ event: AuditEvent) -> String? {
        var json = JSONObjectWriter()
        json.optionalString("keyId", event.keyARN)
        if let algorithm = event.algorithm {
            json.string(algorithmParameter(event.operation), algorithm)
        }
        if !event.encryptionContextKeys.isEmpty {
            json.raw("encryptionContextKeys", JSONText.array(event.encryptionContextKeys))
        }
        return json.isEmpty ? nil : json.finish()
    }

    /// The KMS request member an operation's algorithm travels in.
    private static func algorithmParameter(_ operation: String) -> String {
        switch operation {
        case "Sign", "Verify": return "signingAlgorithm"
        case "GenerateMac", "VerifyMac": return "macAlgorithm"
        case "CreateKey": return "keySpec"
        case "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext": return "keyPairSpec"
        case "GenerateDataKey", "GenerateDataKeyWithoutPlaintext": return "keySpec"
        case "DeriveSharedSecret": return "keyAgreementAlgorithm"
        default: return "encryptionAlgorithm"
        }
    }

    /// Whether CloudTrail marks the operation read-only: it reads or uses a key without
    /// changing any.
    static func isReadOnly(_ operation: String) -> Bool {
        let prefixes = [
            "Describe", "List", "Get", "Encrypt", "Decrypt", "ReEncrypt", "Sign", "Verify", "GenerateDataKey",
            "GenerateRandom", "GenerateMac", "VerifyMac", "DeriveSharedSecret",
        ]
        return prefixes.contains { operation.hasPrefix($0) }
    }

    /// A UUID (version 8, RFC 9562) from the first 16 bytes of the event's hash.
    static func eventID(hash: [UInt8]) -> String {
        var bytes = Array(hash.prefix(16))
        guard bytes.count == 16 else { return "00000000-0000-8000-8000-000000000000" }
        bytes[6] = (bytes[6] & 0x0f) | 0x80
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let text = Hex.lowercase(bytes)
        let characters = Array(text)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    /// `2024-05-01T12:00:00Z`: whole seconds, as CloudTrail writes them.
    static func iso8601(_ seconds: Double) -> String {
        guard seconds.isFinite, abs(seconds) < 1e12 else { return "1970-01-01T00:00:00Z" }
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { return "1970-01-01T00:00:00Z" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let year = Int(parts.tm_year) + 1900
        let yearText = year >= 0 && year < 1000 ? String(repeating: "0", count: 4 - String(year).count) + "\(year)" : "\(year)"
        return "\(yearText)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    private static func arnAccount(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[4].isEmpty else { return nil }
        return String(parts[4])
    }

    private static func arnResource(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn" else { return nil }
        return String(parts[5])
    }
}

/// Writes one JSON object, members in the order given.
struct JSONObjectWriter {
    private var text = "{"
    private(set) var isEmpty = true

    private mutating func key(_ name: String) {
        if !isEmpty { text.append(",") }
        isEmpty = false
        text.append(JSONText.string(name))
        text.append(":")
    }

    mutating func string(_ name: String, _ value: String) {
        key(name)
        text.append(JSONText.string(value))
    }

    mutating func optionalString(_ name: String, _ value: String?) {
        guard let value else { return }
        string(name, value)
    }

    /// A member whose value is already JSON.
    mutating func raw(_ name: String, _ json: String) {
        key(name)
        text.append(json)
    }

    func finish() -> String { text + "}" }
}
