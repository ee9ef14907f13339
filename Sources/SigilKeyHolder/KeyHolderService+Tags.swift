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

    func tagResource(_ request: KMS.TagResourceRequest, _ caller: Call) throws -> KMS.Empty {
        let key = try taggableKey(request.keyId, caller)
        let tags = try request.tags.map { tag -> KeyTag in
            guard !tag.tagKey.lowercased().hasPrefix("aws:") else {
                throw KMSError.tag("Tag keys starting with 'aws:' are reserved")
            }
            return try validatedTag(tag)
        }
        guard Set(tags.map(\.key)).count == tags.count else {
            throw KMSError.tag("The tags repeat a tag key")
        }
        let existing = Set(try mapStoreErrors { try store.tags(id: key.id) }.map(\.key))
        let total = existing.union(tags.map(\.key)).count
        guard total <= 50 else {
            throw KMSError.limitExceeded("A key has at most 50 tags; this request would give \(key.arn) \(total)")
        }
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
