import Foundation
import Sigil
import SigilKMS
import SigilKeyStore

/// Automatic and on-demand rotation of symmetric keys.
extension KeyHolderService {
    /// KMS allows 25 on-demand rotations per key.
    static let maximumOnDemandRotations = 25

    /// A symmetric key named by id or ARN (the rotation operations take no alias).
    private func rotatableKey(_ keyId: String, _ caller: Call, operation: String) throws -> KeyRecord {
        let key = try resolve(keyId, caller, aliases: false)
        guard key.spec.isSymmetric else {
            throw KMSError.unsupportedOperation(
                "\(key.arn) is an asymmetric \(key.spec.kmsName) key: \(operation) applies to symmetric encryption keys only")
        }
        return key
    }

    func enableKeyRotation(_ request: KMS.EnableKeyRotationRequest, _ caller: Call) throws -> KMS.Empty {
        let period = request.rotationPeriodInDays ?? 365
        guard (90...2560).contains(period) else {
            throw KMSError.validation(
                "1 validation error detected: Value '\(period)' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560")
        }
        let key = try rotatableKey(request.keyId, caller, operation: "EnableKeyRotation")
        try checkUsable(key)
        _ = try mapStoreErrors {
            try store.setRotation(id: key.id, enabled: true, periodDays: period, now: configuration.now(), audit: auditEvent(caller))
        }
        return KMS.Empty()
    }

    func disableKeyRotation(_ request: KMS.DisableKeyRotationRequest, _ caller: Call) throws -> KMS.Empty {
        let key = try rotatableKey(request.keyId, caller, operation: "DisableKeyRotation")
        try checkUsable(key)
        _ = try mapStoreErrors { try store.setRotation(id: key.id, enabled: false, now: configuration.now(), audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func getKeyRotationStatus(
        _ request: KMS.GetKeyRotationStatusRequest, _ caller: Call
    ) throws -> KMS.GetKeyRotationStatusResponse {
        let key = try rotatableKey(request.keyId, caller, operation: "GetKeyRotationStatus")
        // As KMS: a key pending deletion reports false (its setting returns if the
        // deletion is cancelled); a disabled key keeps its setting.
        let enabled = key.rotationEnabled && key.state != .pendingDeletion
        var response = KMS.GetKeyRotationStatusResponse(keyRotationEnabled: enabled, keyId: key.arn)
        if enabled {
            response.rotationPeriodInDays = key.rotationPeriodDays ?? 365
            response.nextRotationDate = key.nextRotationDate
        }
        return response
    }

    func rotateKeyOnDemand(_ request: KMS.RotateKeyOnDemandRequest, _ caller: Call) throws -> KMS.RotateKeyOnDemandResponse {
        let key = try rotatableKey(request.keyId, caller, operation: "RotateKeyOnDemand")
        try checkUsable(key)
        let onDemand = try mapStoreErrors { try store.rotations(id: key.id) }.filter { $0.type == .onDemand }.count
        guard onDemand < Self.maximumOnDemandRotations else {
            throw KMSError.limitExceeded(
                "\(key.arn) has been rotated on demand \(onDemand) times, the most KMS allows (\(Self.maximumOnDemandRotations))")
        }
        _ = try mapStoreErrors { try store.rotate(id: key.id, at: configuration.now(), type: .onDemand, audit: auditEvent(caller)) }
        return KMS.RotateKeyOnDemandResponse(keyId: key.id)
    }

    func listKeyRotations(_ request: KMS.ListKeyRotationsRequest, _ caller: Call) throws -> KMS.ListKeyRotationsResponse {
        let limit = try pageLimit(request.limit, maximum: 1000, default: 100)
        if let include = request.includeKeyMaterial { _ = try include.validated(member: "IncludeKeyMaterial") }
        let key = try rotatableKey(request.keyId, caller, operation: "ListKeyRotations")
        let rotations = try mapStoreErrors { try store.rotations(id: key.id) }
        let after: Int
        if let marker = request.marker {
            guard let text = decodeMarker(marker), let version = Int(text), version >= 1 else {
                throw KMSError.invalidMarker("The marker '\(marker.prefix(80))' is not one this key holder issued")
            }
            after = version
        } else {
            after = 0
        }
        let remaining = rotations.filter { $0.version > after }
        let page = remaining.prefix(limit)
        let truncated = remaining.count > page.count
        return KMS.ListKeyRotationsResponse(
            rotations: page.map {
                KMS.RotationsListEntry(
                    keyId: key.id, rotationDate: $0.rotationDate, rotationType: KMS.RotationType($0.type))
            },
            nextMarker: truncated ? page.last.map { encodeMarker(String($0.version)) } : nil,
            truncated: truncated)
    }
}
