// The tag operations. One request and one response type per operation, members named as
// in the KMS API model.

extension KMS {
    /// The input of `TagResource`.
    public struct TagResourceRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .tagResource }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `Tags`: Tags.
        public var tags: [KMS.Tag]

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            tags: [KMS.Tag]
        ) {
            self.keyId = keyId
            self.tags = tags
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case tags = "Tags"
        }
    }

    /// The input of `UntagResource`.
    public struct UntagResourceRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .untagResource }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `TagKeys`: The keys of the tags to remove.
        public var tagKeys: [String]

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            tagKeys: [String]
        ) {
            self.keyId = keyId
            self.tagKeys = tagKeys
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case tagKeys = "TagKeys"
        }
    }

    /// The input of `ListResourceTags`.
    public struct ListResourceTagsRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.ListResourceTagsResponse
        public static var operation: KMSOperation { .listResourceTags }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `Limit`: The most items to return in one page (1–1000).
        public var limit: Int?
        /// `Marker`: Where to continue: the `NextMarker` of the previous page.
        public var marker: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            limit: Int? = nil,
            marker: String? = nil
        ) {
            self.keyId = keyId
            self.limit = limit
            self.marker = marker
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case limit = "Limit"
            case marker = "Marker"
        }
    }

    /// The output of `ListResourceTags`.
    public struct ListResourceTagsResponse: Codable, Hashable, Sendable {
        /// `Tags`: Tags.
        public var tags: [KMS.Tag]?
        /// `NextMarker`: The `Marker` for the next page, when `Truncated`.
        public var nextMarker: String?
        /// `Truncated`: Whether more items follow.
        public var truncated: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            tags: [KMS.Tag]? = nil,
            nextMarker: String? = nil,
            truncated: Bool? = nil
        ) {
            self.tags = tags
            self.nextMarker = nextMarker
            self.truncated = truncated
        }

        enum CodingKeys: String, CodingKey {
            case tags = "Tags"
            case nextMarker = "NextMarker"
            case truncated = "Truncated"
        }
    }
}
