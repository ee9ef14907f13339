import Foundation
import Sigil
import SigilKMS
import SigilKeyStore

/// CreateAlias, UpdateAlias, DeleteAlias and ListAliases.
extension KeyHolderService {
    /// `AliasName` as the KMS model constrains it (1–256 of `[a-zA-Z0-9:/_-]`):
    /// `ValidationException` otherwise.
    private func checkAliasNameShape(_ name: String) throws {
        let allowed = name.utf8.allSatisfy { byte in
            (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) || (0x30...0x39).contains(byte)
                || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
        guard (1...256).contains(name.utf8.count), allowed else {
            throw KMSError.validation(
                "1 validation error detected: Value '\(name.prefix(80))' at 'aliasName' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$ and have length between 1 and 256")
        }
    }

    /// The rules for a new alias's name beyond the model's pattern.
    private func checkNewAliasName(_ name: String) throws {
        try checkAliasNameShape(name)
        // AWS's words (a ValidationException, not InvalidAliasNameException).
        guard name.hasPrefix("alias/") else {
            throw KMSError.validation(
                "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
        }
        guard name.count > "alias/".count else {
            throw KMSError.invalidAliasName("An alias name is alias/ followed by a name: '\(name.prefix(80))'")
        }
        guard !name.hasPrefix("alias/aws/") else {
            throw KMSError.invalidAliasName("Alias names starting with alias/aws/ are reserved for AWS managed keys")
        }
        guard !name.contains(":") else {
            throw KMSError.invalidAliasName("An alias name may contain only letters, digits, '/', '_' and '-': '\(name.prefix(80))'")
        }
    }

    /// The key an alias is to point at: named by id or ARN, not pending deletion.
    private func aliasTarget(_ keyId: String, _ caller: Call) throws -> KeyRecord {
        let key = try resolve(keyId, caller, aliases: false)
        guard key.state != .pendingDeletion else {
            throw KMSError.invalidState("\(key.arn) is pending deletion.")
        }
        return key
    }

    private func existingAlias(_ name: String, _ caller: Call) throws -> AliasRecord {
        try checkAliasNameShape(name)
        guard let alias = try store.alias(name, account: caller.account, region: configuration.region) else {
            throw KMSError.notFound(
                "Alias \(KeyStore.aliasARN(account: caller.account, region: configuration.region, name: name)) is not found.")
        }
        return alias
    }

    func createAlias(_ request: KMS.CreateAliasRequest, _ caller: Call) throws -> KMS.Empty {
        try checkNewAliasName(request.aliasName)
        let key = try aliasTarget(request.targetKeyId, caller)
        if try store.alias(request.aliasName, account: caller.account, region: configuration.region) != nil {
            throw KMSError.alreadyExists(
                "An alias with the name \(KeyStore.aliasARN(account: caller.account, region: configuration.region, name: request.aliasName)) already exists")
        }
        _ = try mapStoreErrors { try store.createAlias(request.aliasName, keyID: key.id, now: configuration.now(), audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func updateAlias(_ request: KMS.UpdateAliasRequest, _ caller: Call) throws -> KMS.Empty {
        let alias = try existingAlias(request.aliasName, caller)
        // As in KMS, moving an alias needs the permission on both keys.
        _ = try resolve(alias.keyID, caller, aliases: false)
        let key = try aliasTarget(request.targetKeyId, caller)
        _ = try mapStoreErrors {
            try store.updateAlias(
                alias.name, account: caller.account, region: configuration.region, keyID: key.id, now: configuration.now(),
                audit: auditEvent(caller))
        }
        return KMS.Empty()
    }

    func deleteAlias(_ request: KMS.DeleteAliasRequest, _ caller: Call) throws -> KMS.Empty {
        let alias = try existingAlias(request.aliasName, caller)
        _ = try resolve(alias.keyID, caller, aliases: false)
        try mapStoreErrors { try store.deleteAlias(alias.name, account: caller.account, region: configuration.region, audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func listAliases(_ request: KMS.ListAliasesRequest, _ caller: Call) throws -> KMS.ListAliasesResponse {
        let limit = try pageLimit(request.limit, maximum: 100, default: 50)
        // ListAliases is decided by identity policies alone (done before the operation).
        let keyID = try request.keyId.map { try resolve($0, caller, aliases: false, authorizing: false).id }
        var aliases = try mapStoreErrors {
            try store.listAliases(account: caller.account, region: configuration.region, keyID: keyID)
        }
        if let marker = request.marker {
            guard let after = decodeMarker(marker), after.hasPrefix("alias/") else {
                throw KMSError.invalidMarker("The marker '\(marker.prefix(80))' is not one this key holder issued")
            }
            // The store sorts by name in SQLite's binary (UTF-8) order.
            aliases = aliases.filter { Array(after.utf8).lexicographicallyPrecedes(Array($0.name.utf8)) }
        }
        let page = aliases.prefix(limit)
        let truncated = aliases.count > page.count
        return KMS.ListAliasesResponse(
            aliases: page.map {
                KMS.AliasListEntry(
                    aliasName: $0.name, aliasArn: $0.arn, targetKeyId: $0.keyID, creationDate: $0.creationDate,
                    lastUpdatedDate: $0.lastUpdatedDate)
            },
            nextMarker: truncated ? page.last.map { encodeMarker($0.name) } : nil,
            truncated: truncated)
    }
}
