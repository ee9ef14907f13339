public import Foundation

// The rotation operations. One request and one response type per operation, members named as
// in the KMS API model.

extension KMS {
    /// The input of `EnableKeyRotation`.
    public struct EnableKeyRotationRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .enableKeyRotation }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `RotationPeriodInDays`: The period between automatic rotations, in days (90–2560).
        public var rotationPeriodInDays: Int?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            rotationPeriodInDays: Int? = nil
        ) {
            self.keyId = keyId
            self.rotationPeriodInDays = rotationPeriodInDays
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case rotationPeriodInDays = "RotationPeriodInDays"
        }
    }

    /// The input of `DisableKeyRotation`.
    public struct DisableKeyRotationRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.Empty
        public static var operation: KMSOperation { .disableKeyRotation }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String
        ) {
            self.keyId = keyId
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
        }
    }

    /// The input of `GetKeyRotationStatus`.
    public struct GetKeyRotationStatusRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.GetKeyRotationStatusResponse
        public static var operation: KMSOperation { .getKeyRotationStatus }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String
        ) {
            self.keyId = keyId
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
        }
    }

    /// The output of `GetKeyRotationStatus`.
    public struct GetKeyRotationStatusResponse: Codable, Hashable, Sendable {
        /// `KeyRotationEnabled`: Whether automatic rotation is on.
        public var keyRotationEnabled: Bool?
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?
        /// `RotationPeriodInDays`: The period between automatic rotations, in days (90–2560).
        public var rotationPeriodInDays: Int?
        /// `NextRotationDate`: When the key will next rotate automatically.
        @EpochSeconds public var nextRotationDate: Date?
        /// `OnDemandRotationStartDate`: When an on-demand rotation started, while it runs.
        @EpochSeconds public var onDemandRotationStartDate: Date?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyRotationEnabled: Bool? = nil,
            keyId: String? = nil,
            rotationPeriodInDays: Int? = nil,
            nextRotationDate: Date? = nil,
            onDemandRotationStartDate: Date? = nil
        ) {
            self.keyRotationEnabled = keyRotationEnabled
            self.keyId = keyId
            self.rotationPeriodInDays = rotationPeriodInDays
            self.nextRotationDate = nextRotationDate
            self.onDemandRotationStartDate = onDemandRotationStartDate
        }

        enum CodingKeys: String, CodingKey {
            case keyRotationEnabled = "KeyRotationEnabled"
            case keyId = "KeyId"
            case rotationPeriodInDays = "RotationPeriodInDays"
            case nextRotationDate = "NextRotationDate"
            case onDemandRotationStartDate = "OnDemandRotationStartDate"
        }
    }

    /// The input of `RotateKeyOnDemand`.
    public struct RotateKeyOnDemandRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.RotateKeyOnDemandResponse
        public static var operation: KMSOperation { .rotateKeyOnDemand }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String
        ) {
            self.keyId = keyId
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
        }
    }

    /// The output of `RotateKeyOnDemand`.
    public struct RotateKeyOnDemandResponse: Codable, Hashable, Sendable {
        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String? = nil
        ) {
            self.keyId = keyId
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
        }
    }

    /// The input of `ListKeyRotations`.
    public struct ListKeyRotationsRequest: Codable, Hashable, Sendable, KMSRequest {
        public typealias Response = KMS.ListKeyRotationsResponse
        public static var operation: KMSOperation { .listKeyRotations }

        /// `KeyId`: A key: its id, key ARN, alias name or alias ARN in requests; the key ARN in responses.
        public var keyId: String
        /// `IncludeKeyMaterial`: Which key materials to list.
        public var includeKeyMaterial: KMS.IncludeKeyMaterial?
        /// `Limit`: The most items to return in one page (1–1000).
        public var limit: Int?
        /// `Marker`: Where to continue: the `NextMarker` of the previous page.
        public var marker: String?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            keyId: String,
            includeKeyMaterial: KMS.IncludeKeyMaterial? = nil,
            limit: Int? = nil,
            marker: String? = nil
        ) {
            self.keyId = keyId
            self.includeKeyMaterial = includeKeyMaterial
            self.limit = limit
            self.marker = marker
        }

        enum CodingKeys: String, CodingKey {
            case keyId = "KeyId"
            case includeKeyMaterial = "IncludeKeyMaterial"
            case limit = "Limit"
            case marker = "Marker"
        }
    }

    /// The output of `ListKeyRotations`.
    public struct ListKeyRotationsResponse: Codable, Hashable, Sendable {
        /// `Rotations`: One page of rotations.
        public var rotations: [KMS.RotationsListEntry]?
        /// `NextMarker`: The `Marker` for the next page, when `Truncated`.
        public var nextMarker: String?
        /// `Truncated`: Whether more items follow.
        public var truncated: Bool?

        /// Creates the shape; absent members are left out of the JSON.
        public init(
            rotations: [KMS.RotationsListEntry]? = nil,
            nextMarker: String? = nil,
            truncated: Bool? = nil
        ) {
            self.rotations = rotations
            self.nextMarker = nextMarker
            self.truncated = truncated
        }

        enum CodingKeys: String, CodingKey {
            case rotations = "Rotations"
            case nextMarker = "NextMarker"
            case truncated = "Truncated"
        }
    }
}
