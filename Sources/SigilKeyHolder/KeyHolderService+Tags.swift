import Foundation
import Sigil
import SigilKMS
import SigilKeyStore

/// TagResource, UntagResource and ListResourceTags.
extension KeyHolderService {
    /// A key named by id or ARN whose tags may change: not pending deletion.
    private func taggableKey(_ keyId: String, _ caller: Call) throws -> KeyRecord {
        let key = try resolve(keyId, caller, aliases: false)
        guard key.state != .pendingDeletion else {
            throw KMSError.invalidState("\(key.arn) is pending deletion.")
        }
        return key
    }

    /// The most tags a key has, as KMS allows.
    static let maximumTags = 50

    /// The tags of CreateKey or TagResource, checked as KMS checks them: the model's
    /// lengths first (ValidationException in AWS's form, naming the first member that fails,
    /// numbered from 1), then KMS's rules, each a TagException in AWS's words: no key
    /// beginning with `aws:` in any letter case, no key twice, at most 50 tags.
    func validatedTags(_ tags: [KMS.Tag]) throws -> [KeyTag] {
        for (index, tag) in tags.enumerated() {
            try checkLength(tag.tagKey, at: "tags.\(index + 1).member.tagKey", 1...128)
            try checkLength(tag.tagValue, at: "tags.\(index + 1).member.tagValue", 0...256)
        }
        guard tags.count <= Self.maximumTags else { throw KMSError.tag("Too many tags") }
        guard !tags.contains(where: { $0.tagKey.lowercased().hasPrefix("aws:") }) else {
            throw KMSError.tag("Tags beginning with aws: are reserved")
        }
        guard Set(tags.map(\.tagKey)).count == tags.count else { throw KMSError.tag("Duplicate tag keys") }
        return tags.map { KeyTag(key: $0.tagKey, value: $0.tagValue) }
    }

    /// A string member's length constraint, as AWS's request validation words a failure.
    private func checkLength(_ value: String, at member: String, _ range: ClosedRange<Int>) throws {
        let bound: String
        if value.count < range.lowerBound {
            bound = "greater than or equal to \(range.lowerBound)"
        } else if value.count > range.upperBound {
            bound = "less than or equal to \(range.upperBound)"
        } else {
            return
        }
        throw KMSError.validation(
            "1 validation error detected: Value '\(value.prefix(1024))' at '\(member)' failed to satisfy constraint: "
                + "Member must have length \(bound)")
    }

    func tagResource(_ request: KMS.TagResourceRequest, _ caller: Call) throws -> KMS.Empty {
        let tags = try validatedTags(request.tags)
        let key = try taggableKey(request.keyId, caller)
        let existing = Set(try mapStoreErrors { try store.tags(id: key.id) }.map(\.key))
        guard existing.union(tags.map(\.key)).count <= Self.maximumTags else { throw KMSError.tag("Too many tags") }
        try mapStoreErrors(invalidArgument: KMSError.tag) { try store.setTags(id: key.id, tags, audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func untagResource(_ request: KMS.UntagResourceRequest, _ caller: Call) throws -> KMS.Empty {
        for tagKey in request.tagKeys where !(1...128).contains(tagKey.count) {
            throw KMSError.validation(
                "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length between 1 and 128")
        }
        let key = try taggableKey(request.keyId, caller)
        try mapStoreErrors { try store.removeTags(id: key.id, keys: request.tagKeys, audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func listResourceTags(_ request: KMS.ListResourceTagsRequest, _ caller: Call) throws -> KMS.ListResourceTagsResponse {
        let limit = try pageLimit(request.limit, maximum: 50, default: 50)
        let key = try resolve(request.keyId, caller, aliases: false)
        var tags = try mapStoreErrors { try store.tags(id: key.id) }
        if let marker = request.marker {
            guard let after = decodeMarker(marker) else {
                throw KMSError.invalidMarker("The marker '\(marker.prefix(80))' is not one this key holder issued")
            }
            // The store sorts by tag key in SQLite's binary (UTF-8) order.
            tags = tags.filter { Array(after.utf8).lexicographicallyPrecedes(Array($0.key.utf8)) }
        }
        let page = tags.prefix(limit)
        let truncated = tags.count > page.count
        return KMS.ListResourceTagsResponse(
            tags: page.map { KMS.Tag(tagKey: $0.key, tagValue: $0.value) },
            nextMarker: truncated ? page.last.map { encodeMarker($0.key) } : nil,
            truncated: truncated)
    }
}
