// The alias operations. One request and one response type per operation, members named as
// in the KMS API model.

extension KMS {
    /// The input of `CreateAlias`.
    public struct CreateAliasRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .createAlias }

        /// `AliasName`: The alias name, beginning with `alias/`.
        public var aliasName: String
        /// `TargetKeyId`: The key the alias points to.
        public var targetKeyId: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            aliasName: String,
            targetKeyId: String
        ) {
            self.aliasName = aliasName
            self.targetKeyId = targetKeyId
        }

        enum CodingKeys: String, CodingKey {
            case aliasName = "AliasName"
            case targetKeyId = "TargetKeyId"
        }
    }

    /// The input of `UpdateAlias`.
    public struct UpdateAliasRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .updateAlias }

        /// `AliasName`: The alias name, beginning with `alias/`.
        public var aliasName: String
        /// `TargetKeyId`: The key the alias points to.
        public var targetKeyId: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            aliasName: String,
            targetKeyId: String
        ) {
            self.aliasName = aliasName
            self.targetKeyId = targetKeyId
        }

        enum CodingKeys: String, CodingKey {
            case aliasName = "AliasName"
            case targetKeyId = "TargetKeyId"
        }
    }

    /// The input of `DeleteAlias`.
    public struct DeleteAliasRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .deleteAlias }

        /// `AliasName`: The alias name, beginning with `alias/`.
        public var aliasName: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            aliasName: String
        ) {
            self.aliasName = aliasName
        }

        enum CodingKeys: String, CodingKey {
            case aliasName = "AliasName"
        }
    }

    /// The input of `ListAliases`.
    public struct ListAliasesRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.ListAliasesResponse
        public static var operation: KMSOperation { .listAliases }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `Limit`: The most items to return in one page (1–1000).
        public var limit: Int?
        /// `Marker`: Where to continue: the `NextMarker` of the previous page.
        public var marker: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String? = nil,
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

    /// The output of `ListAliases`.
    public struct ListAliasesResponse: Codable, Hashable, Sendable {
        /// `Aliases`: One page of aliases.
        public var aliases: [KMS.AliasListEntry]?
        /// `NextMarker`: The `Marker` for the next page, when `Truncated`.
        public var nextMarker: String?
        /// `Truncated`: Whether more items follow.
        public var truncated: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            aliases: [KMS.AliasListEntry]? = nil,
            nextMarker: String? = nil,
            truncated: Bool? = nil
        ) {
            self.aliases = aliases
            self.nextMarker = nextMarker
            self.truncated = truncated
        }

        enum CodingKeys: String, CodingKey {
            case aliases = "Aliases"
            case nextMarker = "NextMarker"
            case truncated = "Truncated"
        }
    }
}
