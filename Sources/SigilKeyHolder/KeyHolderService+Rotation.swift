import Foundation
import Sigil
import SigilKMS
import SigilKeyStore

/// Automatic and on-demand rotation of symmetric keys, and the ids of their key material.
extension KeyHolderService {
    /// The on-demand rotations KMS allows per key. Sources disagree: the recorded AWS
    /// responses of April 2025 refuse the 11th, and older copies of the API reference say
    /// 10; the current API reference (botocore 1.44's model, in bold) and the developer
    /// guide (rotating-keys-on-demand) say 25. The current documentation wins: it is what
    /// KMS promises now, and a key holder that allows fewer than KMS would break a caller
    /// that KMS serves.
    static let maximumOnDemandRotations = 25

    /// The id of one version of a key's material (`KeyMaterialId`, `CurrentKeyMaterialId`):
    /// 64 lowercase hex digits, the shape of KMS's `BackingKeyIdType`.
    ///
    /// Derived, not stored: SHA-256 over the key id and the material version. It is stable
    /// for a version, changes with every rotation, is the same on every node sharing a
    /// store, and needs no schema change; it reveals nothing the caller does not already
    /// know (the key id, and how often the key rotated).
    func keyMaterialID(_ key: KeyRecord, version: Int) -> String {
        let input = Array("sigil-key-material|\(key.id)|\(version)".utf8)
        // SHA-256 of a short in-memory input cannot fail but for a broken libcrypto.
        guard let digest = try? HashFunction.sha256.hash(input) else { return String(repeating: "0", count: 64) }
        return Hex.lowercase(digest)
    }

    /// A key named by id or ARN (the rotation operations take no alias), checked as KMS
    /// checks it: its state first (`requiringUsable`: DisabledException for a disabled key,
    /// KMSInvalidStateException pending deletion), then that it is a symmetric key.
    private func rotatableKey(_ keyId: String, _ caller: Call, requiringUsable: Bool) throws -> KeyRecord {
        let key = try resolve(keyId, caller, aliases: false)
        if requiringUsable { try checkUsable(key) }
        guard key.spec.isSymmetric else {
            throw KMSError.unsupportedOperation(
                "\(key.arn) is an asymmetric \(key.spec.kmsName) key: only symmetric encryption keys rotate")
        }
        return key
    }

    func enableKeyRotation(_ request: KMS.EnableKeyRotationRequest, _ caller: Call) throws -> KMS.Empty {
        let period = request.rotationPeriodInDays ?? 365
        guard (90...2560).contains(period) else {
            throw KMSError.validation(
                "1 validation error detected: Value '\(period)' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560")
        }
        let key = try rotatableKey(request.keyId, caller, requiringUsable: true)
        _ = try mapStoreErrors {
            try store.setRotation(id: key.id, enabled: true, periodDays: period, now: configuration.now(), audit: auditEvent(caller))
        }
        return KMS.Empty()
    }

    func disableKeyRotation(_ request: KMS.DisableKeyRotationRequest, _ caller: Call) throws -> KMS.Empty {
        let key = try rotatableKey(request.keyId, caller, requiringUsable: true)
        _ = try mapStoreErrors { try store.setRotation(id: key.id, enabled: false, now: configuration.now(), audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func getKeyRotationStatus(
        _ request: KMS.GetKeyRotationStatusRequest, _ caller: Call
    ) throws -> KMS.GetKeyRotationStatusResponse {
        let key = try rotatableKey(request.keyId, caller, requiringUsable: false)
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
        let key = try rotatableKey(request.keyId, caller, requiringUsable: true)
        let onDemand = try mapStoreErrors { try store.rotations(id: key.id) }.filter { $0.type == .onDemand }.count
        guard onDemand < Self.maximumOnDemandRotations else {
            throw KMSError.limitExceeded(
                "The on-demand rotations limit has been reached for the given keyId. "
                    + "No more on-demand rotations can be performed for this key: \(key.arn)")
        }
        _ = try mapStoreErrors { try store.rotate(id: key.id, at: configuration.now(), type: .onDemand, audit: auditEvent(caller)) }
        return KMS.RotateKeyOnDemandResponse(keyId: key.arn)
    }

    func listKeyRotations(_ request: KMS.ListKeyRotationsRequest, _ caller: Call) throws -> KMS.ListKeyRotationsResponse {
        let limit = try pageLimit(request.limit, maximum: 1000, default: 100)
        let include = try request.includeKeyMaterial?.validated(member: "IncludeKeyMaterial") ?? .rotationsOnly
        let key = try rotatableKey(request.keyId, caller, requiringUsable: false)
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
        // Every material version, oldest first: the first (no rotation made it) only for
        // ALL_KEY_MATERIAL, as KMS lists it.
        var entries = rotations.map { rotation in
            KMS.RotationsListEntry(
                keyId: key.id, keyMaterialId: keyMaterialID(key, version: rotation.version),
                keyMaterialState: rotation.version == key.currentVersion ? "CURRENT" : "NON_CURRENT",
                rotationDate: rotation.rotationDate, rotationType: KMS.RotationType(rotation.type))
        }
        var versions = rotations.map(\.version)
        if include == .allKeyMaterial {
            entries.insert(
                KMS.RotationsListEntry(
                    keyId: key.id, keyMaterialId: keyMaterialID(key, version: 1),
                    keyMaterialState: key.currentVersion == 1 ? "CURRENT" : "NON_CURRENT"),
                at: 0)
            versions.insert(1, at: 0)
        }
        let remaining = zip(versions, entries).filter { version, _ in version > after }
        let page = remaining.prefix(limit)
        let truncated = remaining.count > page.count
        return KMS.ListKeyRotationsResponse(
            rotations: page.map { _, entry in entry },
            nextMarker: truncated ? page.last.map { version, _ in encodeMarker(String(version)) } : nil,
            truncated: truncated)
    }
}
