import Foundation
import NIOCore
import NIOPosix
import Sigil
import SigilKMS
import SigilKeyStore
import SigilPolicy

/// The caller of a request, from its verified access key.
public struct Principal: Sendable, Hashable {
    /// The principal's ARN, such as `arn:aws:iam::111122223333:root`.
    public var arn: String
    /// The account it belongs to.
    public var account: String
    /// Its unique id (`aws:userid`): the account id for a root, `AIDA…` for a user,
    /// `AROA…` for a role.
    public var uniqueID: String
    /// The access key id the request was signed with.
    public var accessKeyID: String
    /// The principal's identity policy (JSON), if it has one; a root has none.
    public var identityPolicy: String?
}

/// The KMS operations, with KMS semantics, over the key store. Knows nothing of HTTP:
/// the endpoint decodes a request, calls ``perform(_:body:caller:)`` and encodes what it
/// returns or throws.
public struct KeyHolderService: Sendable {
    let store: KeyStore
    let configuration: KeyHolderConfiguration
    let cache = KeyMaterialCache()
    let quotas: RequestQuotas
    let metrics: KeyHolderMetrics
    let policies = PolicyCache()

    /// Private-key work (RSA signing and decryption, key generation) runs here, never on
    /// the event loop that serves connections.
    static let threadPool = NIOThreadPool.singleton

    init(store: KeyStore, configuration: KeyHolderConfiguration, metrics: KeyHolderMetrics = KeyHolderMetrics()) {
        self.store = store
        self.configuration = configuration
        self.quotas = RequestQuotas(configuration.quotas)
        self.metrics = metrics
    }

    /// How an operation ended well: its JSON response body, and what the audit log records
    /// of it.
    struct Performed: Sendable {
        var body: Data
        var facts: Call.Facts
    }

    /// How an operation failed: the error the caller is answered with (a ``KMSError``, or
    /// anything else, which the endpoint hides as an internal failure), and what the audit
    /// log records of the request.
    struct Failed: Error {
        var error: any Error
        var facts: Call.Facts
    }

    /// Performs one operation on a JSON request body.
    ///
    /// - Returns: The JSON response body, with the facts the audit log records: the key
    ///   used, the algorithm, the encryption context's keys, and whether an event went
    ///   into the log already with a state change.
    /// - Throws: ``Failed``, which carries the error and the same facts.
    func perform(_ operation: KMSOperation, body: Data, caller: Call) async throws(Failed) -> Performed {
        do {
            let response = try await dispatch(operation, body: body, caller: caller)
            return Performed(body: response, facts: caller.gathered)
        } catch {
            throw Failed(error: error, facts: caller.gathered)
        }
    }

    /// Decodes the body, authorizes and runs the operation, and encodes its response.
    private func dispatch(_ operation: KMSOperation, body: Data, caller: Call) async throws -> Data {
        let decodedBody = body.isEmpty ? Data("{}".utf8) : body
        func run<Request: Decodable, Response: Encodable>(
            _ type: Request.Type, _ handler: (Request) async throws -> Response
        ) async throws -> Data {
            let request = try KMSJSON.decode(type, from: decodedBody)
            note(request, in: caller)
            try checkEncryptionContextKeysDistinct(request)
            return try KMSJSON.encode(try await handler(request))
        }
        /// `run` for the control plane, whose handlers wait for the store: on the store's
        /// threads (``waitingForStore(_:)``).
        func runWaiting<Request: Decodable & Sendable, Response: Encodable & Sendable>(
            _ type: Request.Type, _ handler: @escaping @Sendable (Request) throws -> Response
        ) async throws -> Data {
            try await run(type) { request in try await waitingForStore { try handler(request) } }
        }
        if Self.accountOperations.contains(operation) {
            // CreateKey's conditions come from its body: decode it first.
            if operation == .createKey, let request = try? KMSJSON.decode(KMS.CreateKeyRequest.self, from: decodedBody) {
                note(request, in: caller)
            }
            try authorizeAccountAction(caller)
        }
        switch operation {
        case .createKey: return try await run(KMS.CreateKeyRequest.self) { try await createKey($0, caller) }
        case .describeKey: return try await runWaiting(KMS.DescribeKeyRequest.self) { try describeKey($0, caller) }
        case .listKeys: return try await runWaiting(KMS.ListKeysRequest.self) { try listKeys($0, caller) }
        case .getPublicKey: return try await run(KMS.GetPublicKeyRequest.self) { try getPublicKey($0, caller) }
        case .sign: return try await run(KMS.SignRequest.self) { try await sign($0, caller) }
        case .verify: return try await run(KMS.VerifyRequest.self) { try await verify($0, caller) }
        case .encrypt: return try await run(KMS.EncryptRequest.self) { try await encrypt($0, caller) }
        case .decrypt: return try await run(KMS.DecryptRequest.self) { try await decrypt($0, caller) }
        case .enableKey: return try await runWaiting(KMS.EnableKeyRequest.self) { try setEnabled($0.keyId, true, caller) }
        case .disableKey: return try await runWaiting(KMS.DisableKeyRequest.self) { try setEnabled($0.keyId, false, caller) }
        case .scheduleKeyDeletion:
            return try await runWaiting(KMS.ScheduleKeyDeletionRequest.self) { try scheduleKeyDeletion($0, caller) }
        case .cancelKeyDeletion:
            return try await runWaiting(KMS.CancelKeyDeletionRequest.self) { try cancelKeyDeletion($0, caller) }
        case .updateKeyDescription:
            return try await runWaiting(KMS.UpdateKeyDescriptionRequest.self) { try updateKeyDescription($0, caller) }
        case .generateRandom: return try await run(KMS.GenerateRandomRequest.self) { try generateRandom($0) }
        case .reEncrypt: return try await run(KMS.ReEncryptRequest.self) { try await reEncrypt($0, caller) }
        case .generateDataKey:
            return try await run(KMS.GenerateDataKeyRequest.self) { try generateDataKey($0, caller) }
        case .generateDataKeyWithoutPlaintext:
            return try await run(KMS.GenerateDataKeyWithoutPlaintextRequest.self) {
                try generateDataKeyWithoutPlaintext($0, caller)
            }
        case .generateDataKeyPair:
            return try await run(KMS.GenerateDataKeyPairRequest.self) { try await generateDataKeyPair($0, caller) }
        case .generateDataKeyPairWithoutPlaintext:
            return try await run(KMS.GenerateDataKeyPairWithoutPlaintextRequest.self) {
                try await generateDataKeyPairWithoutPlaintext($0, caller)
            }
        case .enableKeyRotation:
            return try await runWaiting(KMS.EnableKeyRotationRequest.self) { try enableKeyRotation($0, caller) }
        case .disableKeyRotation:
            return try await runWaiting(KMS.DisableKeyRotationRequest.self) { try disableKeyRotation($0, caller) }
        case .getKeyRotationStatus:
            return try await runWaiting(KMS.GetKeyRotationStatusRequest.self) { try getKeyRotationStatus($0, caller) }
        case .rotateKeyOnDemand:
            return try await runWaiting(KMS.RotateKeyOnDemandRequest.self) { try rotateKeyOnDemand($0, caller) }
        case .listKeyRotations:
            return try await runWaiting(KMS.ListKeyRotationsRequest.self) { try listKeyRotations($0, caller) }
        case .createAlias: return try await runWaiting(KMS.CreateAliasRequest.self) { try createAlias($0, caller) }
        case .updateAlias: return try await runWaiting(KMS.UpdateAliasRequest.self) { try updateAlias($0, caller) }
        case .deleteAlias: return try await runWaiting(KMS.DeleteAliasRequest.self) { try deleteAlias($0, caller) }
        case .listAliases: return try await runWaiting(KMS.ListAliasesRequest.self) { try listAliases($0, caller) }
        case .tagResource: return try await runWaiting(KMS.TagResourceRequest.self) { try tagResource($0, caller) }
        case .untagResource: return try await runWaiting(KMS.UntagResourceRequest.self) { try untagResource($0, caller) }
        case .putKeyPolicy: return try await runWaiting(KMS.PutKeyPolicyRequest.self) { try putKeyPolicy($0, caller) }
        case .getKeyPolicy: return try await runWaiting(KMS.GetKeyPolicyRequest.self) { try getKeyPolicy($0, caller) }
        case .listKeyPolicies: return try await runWaiting(KMS.ListKeyPoliciesRequest.self) { try listKeyPolicies($0, caller) }
        case .listResourceTags:
            return try await runWaiting(KMS.ListResourceTagsRequest.self) { try listResourceTags($0, caller) }
        case .getParametersForImport:
            return try await runWaiting(KMS.GetParametersForImportRequest.self) { try refuseImport($0.keyId, caller) }
        case .importKeyMaterial:
            return try await runWaiting(KMS.ImportKeyMaterialRequest.self) { try refuseImport($0.keyId, caller) }
        }
    }

    // MARK: Keys

    /// A key as a request named it.
    struct NamedKey {
        let key: KeyRecord
        /// The identifier as the request gave it, trimmed.
        let identifier: String
        /// `alias/NAME` or `arn:…:alias/NAME`: the alias is a condition key.
        var viaAlias: String? {
            identifier.hasPrefix("alias/") || (identifier.hasPrefix("arn:") && !identifier.contains(":key/"))
                ? identifier : nil
        }
    }

    /// Finds a key by any identifier KMS accepts (id, key ARN, alias name, alias ARN) and
    /// authorizes the caller on it.
    ///
    /// - Parameters:
    ///   - aliases: Whether alias forms are accepted (KMS refuses them for management
    ///     operations).
    ///   - action: The policy action, when not the operation's own.
    ///   - conditions: The `kms:` condition keys, when not those of the request's body.
    ///   - authorizing: Whether to authorize the caller on the key (quota and policies);
    ///     `false` only where the key is authorized before anything about it is revealed
    ///     (ListAliases, decided by identity policies; ReEncrypt, with ``authorize(_:_:action:conditions:admitting:)``).
    func resolve(
        _ identifier: String, _ caller: Call, aliases: Bool = true, action: String? = nil,
        conditions: [String: [String]]? = nil, authorizing: Bool = true
    ) throws -> KeyRecord {
        let named = try find(identifier, caller, aliases: aliases, action: action)
        if authorizing { try authorize(named, caller, action: action, conditions: conditions) }
        return named.key
    }

    /// Finds a key by any identifier KMS accepts, without authorizing the caller on it:
    /// ``authorize(_:_:action:conditions:admitting:)`` must follow before anything about
    /// the key reaches the caller.
    ///
    /// Another account's key is found only when named by its ARN (key or alias) and only
    /// for the operations KMS allows across accounts; the answer for another account's
    /// key is AccessDenied whether or not it exists.
    func find(_ identifier: String, _ caller: Call, aliases: Bool = true, action: String? = nil) throws -> NamedKey {
        let trimmed = SigV4.trimmingSpaces(identifier)
        guard !trimmed.isEmpty, trimmed.count <= 2048 else {
            throw KMSError.validation("1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length between 1 and 2048")
        }
        if !aliases, trimmed.hasPrefix("alias/") || trimmed.contains(":alias/") {
            throw KMSError.notFound("Invalid keyId '\(trimmed.prefix(256))'")
        }
        let found = try mapStoreErrors { try store.resolveKey(trimmed, account: caller.account, region: configuration.region) }
        if let found, found.account == caller.account {
            return NamedKey(key: found, identifier: trimmed)
        }
        guard let account = Self.arnAccount(trimmed), account != caller.account else {
            throw notFound(trimmed, account: caller.account)
        }
        // Another account's key. Only the operations KMS allows across accounts reach its
        // key policy; the rest are refused, whatever the policy grants.
        guard caller.operation.allowsCrossAccountUse else {
            throw KMSError.accessDenied(
                "User: \(caller.principal.arn) is not authorized to perform: \(action ?? Self.action(caller.operation)) "
                    + "on resource: \(trimmed.prefix(256)) because \(caller.operation.rawValue) cannot be performed on a key "
                    + "of another account")
        }
        guard let found else { throw crossAccountDenied(trimmed, caller, action: action) }
        return NamedKey(key: found, identifier: trimmed)
    }

    /// Authorizes the caller on a key it named (quota, then policies).
    func authorize(
        _ named: NamedKey, _ caller: Call, action: String? = nil, conditions: [String: [String]]? = nil,
        admitting: Bool = true
    ) throws {
        do {
            try authorize(
                named.key, caller, action: action, viaAlias: named.viaAlias, conditions: conditions, admitting: admitting)
        } catch let error as KMSError where error.type == "AccessDeniedException" && named.key.account != caller.account {
            // Neither the key behind another account's alias nor that account's policy is
            // the caller's to learn: the refusal reads as for a key that does not exist.
            throw crossAccountDenied(named.identifier, caller, action: action)
        }
    }

    /// The account of an ARN (`arn:PARTITION:kms:REGION:ACCOUNT:…`), or `nil` for
    /// anything that is not an ARN.
    static func arnAccount(_ identifier: String) -> Substring? {
        guard identifier.hasPrefix("arn:") else { return nil }
        let parts = identifier.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 ? parts[4] : nil
    }

    /// The refusal of another account's key, the same whether the key does not exist or
    /// its policy does not allow the caller.
    func crossAccountDenied(_ identifier: String, _ caller: Call, action: String?) -> KMSError {
        KMSError.accessDenied(
            "User: \(caller.principal.arn) is not authorized to perform: \(action ?? Self.action(caller.operation)) "
                + "on resource: \(identifier.prefix(256)) because no key policy or identity policy allows the "
                + "\(action ?? Self.action(caller.operation)) action")
    }

    /// AWS's NotFoundException for an identifier of the caller's account that names
    /// nothing: an ARN of another region is an "Invalid arn" naming that region; an alias
    /// "is not found"; a key id that is not a key id (a UUID, or `mrk-` and 32 hex digits)
    /// is an "Invalid keyId"; a well-formed one "does not exist", named by its ARN.
    private func notFound(_ identifier: String, account: String) -> KMSError {
        let arnParts = identifier.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        if identifier.hasPrefix("arn:"), arnParts.count == 6, arnParts[3] != configuration.region {
            return KMSError.notFound("Invalid arn \(arnParts[3].prefix(64))")
        }
        if identifier.hasPrefix("alias/") || (identifier.hasPrefix("arn:") && identifier.contains(":alias/")) {
            return KMSError.notFound("Alias \(displayARN(identifier, account: account)) is not found.")
        }
        if !identifier.hasPrefix("arn:") && !Self.isWellFormedKeyID(identifier) {
            return KMSError.notFound("Invalid keyId '\(identifier.prefix(256))'")
        }
        return KMSError.notFound("Key '\(displayARN(identifier, account: account))' does not exist")
    }

    /// Whether `identifier` has the form of a KMS key id: a UUID
    /// (`1234abcd-12ab-34cd-56ef-1234567890ab`), or `mrk-` and 32 hex digits for a
    /// multi-Region key.
    static func isWellFormedKeyID(_ identifier: String) -> Bool {
        if identifier.hasPrefix("mrk-") {
            let bytes = Array(identifier.utf8)
            return bytes.count == 36 && bytes.dropFirst(4).allSatisfy { Hex.value(of: $0) != nil }
        }
        return SymmetricCiphertext.uuidBytes(identifier) != nil
    }

    /// An identifier as the ARN it stands for in the caller's account and this region.
    private func displayARN(_ identifier: String, account: String) -> String {
        if identifier.hasPrefix("arn:") { return identifier }
        if identifier.hasPrefix("alias/") {
            return KeyStore.aliasARN(account: account, region: configuration.region, name: identifier)
        }
        return KeyStore.keyARN(account: account, region: configuration.region, keyID: identifier)
    }

    /// Throws unless the key may be used for cryptography now.
    func checkUsable(_ key: KeyRecord) throws {
        switch key.state {
        case .enabled: return
        case .disabled: throw KMSError.disabled("\(key.arn) is disabled.")
        case .pendingDeletion: throw KMSError.invalidState("\(key.arn) is pending deletion.")
        default: throw KMSError.invalidState("\(key.arn) is not usable in state \(key.state).")
        }
    }

    /// Throws unless the key's usage is `usage`, in AWS's words.
    func checkUsage(_ key: KeyRecord, _ usage: KeyUsage, _ operation: String) throws {
        guard key.usage == usage else {
            throw KMSError.invalidKeyUsage("\(key.arn) key usage is \(key.usage.kmsName) which is not valid for \(operation).")
        }
    }

    /// Runs a store call and answers its errors as KMS's: the one place where the store's
    /// codes become KMS error types. A storage failure is not the client's to see: it
    /// stays a ``KeyStoreError``, which the endpoint logs and answers as an internal
    /// failure.
    ///
    /// - Parameter invalidArgument: The KMS error for a value the store refused, when the
    ///   operation names it otherwise than ValidationException (a tag, a page marker).
    func mapStoreErrors<Result>(
        invalidArgument: (String) -> KMSError = KMSError.validation, _ body: () throws -> Result
    ) throws -> Result {
        do {
            return try body()
        } catch let error as KeyStoreError {
            throw Self.answer(error, invalidArgument: invalidArgument)
        }
    }

    /// ``mapStoreErrors(invalidArgument:_:)`` for a store call that suspends.
    func mapStoreErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as KeyStoreError {
            throw Self.answer(error, invalidArgument: KMSError.validation)
        }
    }

    /// The store's error as the client is to see it.
    private static func answer(_ error: KeyStoreError, invalidArgument: (String) -> KMSError) -> any Error {
        switch error.code {
        case .notFound: KMSError.notFound(error.message)
        case .alreadyExists: KMSError.alreadyExists(error.message)
        case .invalidState: KMSError.invalidState(error.message)
        case .invalidKeyUsage: KMSError.invalidKeyUsage(error.message)
        case .invalidArgument: invalidArgument(error.message)
        default: error
        }
    }

    /// Runs CPU-heavy private-key work on the thread pool.
    /// The unsealed private key of an asymmetric key, from the cache when it can.
    func privateKey(_ key: KeyRecord) throws -> AsymmetricPrivateKey {
        try cache.privateKey(id: key.id) { try store.privateKey(id: key.id) }
    }

    /// One version of a symmetric key's material, from the cache when it can.
    func symmetricKey(_ key: KeyRecord, version: Int) throws -> SecureBytes {
        try cache.symmetricKey(id: key.id, version: version) { try store.symmetricKey(id: key.id, version: version) }
    }

    func offload<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await Self.threadPool.runIfActive(body)
    }

    /// Where the control plane's store calls wait: over PostgreSQL for the network and
    /// for the writers' lock, which every node's writes take in turn; over SQLite for its
    /// one writer. Never on the few threads that run every request's tasks, which a burst
    /// of waiting writes would otherwise hold, stalling signing and decryption for every
    /// caller; nor on the private-key pool (``threadPool``). Calls beyond its threads wait
    /// their turn as suspended tasks.
    static let storeThreadPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(8, 4 * System.coreCount))
        pool.start()
        return pool
    }()

    /// Runs a control-plane store call on ``storeThreadPool``.
    func waitingForStore<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await Self.storeThreadPool.runIfActive(body)
    }

    func metadata(_ key: KeyRecord) -> KMS.KeyMetadata {
        var metadata = KMS.KeyMetadata(keyId: key.id)
        metadata.awsAccountId = key.account
        metadata.arn = key.arn
        metadata.creationDate = key.creationDate
        metadata.enabled = key.state == .enabled
        metadata.description = key.description
        metadata.keyUsage = KMS.KeyUsage(key.usage)
        metadata.keyState = KMS.KeyState(key.state)
        metadata.deletionDate = key.deletionDate
        metadata.origin = .awsKms
        metadata.keyManager = .customer
        metadata.keySpec = KMS.KeySpec(key.spec)
        metadata.customerMasterKeySpec = metadata.keySpec
        metadata.multiRegion = false
        if key.usage == .signVerify {
            metadata.signingAlgorithms = signingAlgorithms(key).map(KMS.SigningAlgorithm.init)
        } else {
            metadata.encryptionAlgorithms = encryptionAlgorithms(key)
        }
        if key.spec.isSymmetric {
            metadata.currentKeyMaterialId = keyMaterialID(key, version: key.currentVersion)
        }
        return metadata
    }

    func signingAlgorithms(_ key: KeyRecord) -> [SigningAlgorithm] {
        guard let spec = key.spec.asymmetric else { return [] }
        return SigningAlgorithm.all.filter { $0.isCompatible(with: spec) }
    }

    func encryptionAlgorithms(_ key: KeyRecord) -> [KMS.EncryptionAlgorithm] {
        key.spec.isSymmetric ? [.symmetricDefault] : [.rsaesOaepSha1, .rsaesOaepSha256]
    }

    func createKey(_ request: KMS.CreateKeyRequest, _ caller: Call) async throws -> KMS.CreateKeyResponse {
        if let origin = request.origin, origin != .awsKms {
            throw KMSError.unsupportedOperation("Origin \(origin.rawValue) is not supported; keys are created with AWS_KMS material")
        }
        if request.multiRegion == true {
            throw KMSError.unsupportedOperation("Multi-Region keys are not supported")
        }
        if request.customKeyStoreId != nil || request.xksKeyId != nil {
            throw KMSError.unsupportedOperation("Custom key stores are not supported")
        }
        if let keySpec = request.keySpec, let legacy = request.customerMasterKeySpec, keySpec != legacy {
            throw KMSError.validation("KeySpec and CustomerMasterKeySpec cannot both be given with different values")
        }
        let specName = request.keySpec ?? request.customerMasterKeySpec ?? .symmetricDefault
        guard let spec = KMSKeySpec(specName) else {
            throw KMSError.validation(
                "1 validation error detected: Value '\(specName.rawValue)' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: "
                    + "[\(KMSKeySpec.all.map(\.kmsName).joined(separator: ", "))]")
        }
        let usageName = request.keyUsage ?? .encryptDecrypt
        guard let usage = KeyUsage(usageName) else {
            throw KMSError.validation("KeyUsage \(usageName.rawValue) is not supported (ENCRYPT_DECRYPT, SIGN_VERIFY)")
        }
        guard spec.allowedUsages.contains(usage) else {
            throw KMSError.validation("KeyUsage \(usage.kmsName) is not compatible with KeySpec \(spec.kmsName)")
        }
        if let description = request.description, description.count > 8192 {
            throw KMSError.validation("Description is longer than 8192 characters")
        }
        if let policy = request.policy {
            let document = try validatedKeyPolicy(policy)
            let placeholder = KeyStore.keyARN(account: caller.account, region: configuration.region, keyID: "new")
            try checkLockout(
                document, keyARN: placeholder, keyAccount: caller.account, caller, bypass: request.bypassPolicyLockoutSafetyCheck)
        }
        let tags = try validatedTags(request.tags ?? [])
        let store = self.store
        let region = configuration.region
        let now = configuration.now()
        let event = auditEvent(caller)
        // Made on the thread pool (an asymmetric key takes CPU time), then stored together
        // with the keys of the requests that wait at the same time: one transaction for them all.
        let made = try await offload {
            try self.mapStoreErrors {
                try store.makeKey(
                    account: caller.account, region: region, spec: spec, usage: usage,
                    description: request.description ?? "", policy: request.policy, tags: tags, now: now, audit: event)
            }
        }
        let key = try await mapStoreErrors { try await store.store(made) }
        return KMS.CreateKeyResponse(keyMetadata: metadata(key))
    }

    func describeKey(_ request: KMS.DescribeKeyRequest, _ caller: Call) throws -> KMS.DescribeKeyResponse {
        KMS.DescribeKeyResponse(keyMetadata: metadata(try resolve(request.keyId, caller)))
    }

    func listKeys(_ request: KMS.ListKeysRequest, _ caller: Call) throws -> KMS.ListKeysResponse {
        let limit = request.limit ?? 100
        guard (1...1000).contains(limit) else {
            throw KMSError.validation("1 validation error detected: Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000")
        }
        let page = try mapStoreErrors(invalidArgument: { _ in
            KMSError.invalidMarker("The marker '\(request.marker ?? "")' is not one this key holder issued")
        }) {
            try store.listKeys(account: caller.account, region: configuration.region, limit: limit, after: request.marker)
        }
        return KMS.ListKeysResponse(
            keys: page.keys.map { KMS.KeyListEntry(keyId: $0.id, keyArn: $0.arn) },
            nextMarker: page.nextMarker, truncated: page.nextMarker != nil)
    }

    func getPublicKey(_ request: KMS.GetPublicKeyRequest, _ caller: Call) throws -> KMS.GetPublicKeyResponse {
        let key = try resolve(request.keyId, caller)
        guard let der = key.publicKeyDER else {
            throw KMSError.unsupportedOperation("\(key.arn) key usage is \(key.usage.kmsName) and its key spec SYMMETRIC_DEFAULT has no public key")
        }
        switch key.state {
        case .disabled: throw KMSError.disabled("\(key.arn) is disabled.")
        case .pendingDeletion: throw KMSError.invalidState("\(key.arn) is pending deletion.")
        default: break
        }
        var response = KMS.GetPublicKeyResponse(
            keyId: key.arn, publicKey: Base64Blob(der), keySpec: KMS.KeySpec(key.spec), keyUsage: KMS.KeyUsage(key.usage))
        response.customerMasterKeySpec = response.keySpec
        if key.usage == .signVerify {
            response.signingAlgorithms = signingAlgorithms(key).map(KMS.SigningAlgorithm.init)
        } else {
            response.encryptionAlgorithms = encryptionAlgorithms(key)
        }
        return response
    }

    func setEnabled(_ keyId: String, _ enabled: Bool, _ caller: Call) throws -> KMS.Empty {
        let key = try resolve(keyId, caller, aliases: false)
        _ = try mapStoreErrors { try store.setState(id: key.id, enabled ? .enabled : .disabled, audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func scheduleKeyDeletion(_ request: KMS.ScheduleKeyDeletionRequest, _ caller: Call) throws -> KMS.ScheduleKeyDeletionResponse {
        let key = try resolve(request.keyId, caller, aliases: false)
        let days = request.pendingWindowInDays ?? 30
        guard (7...30).contains(days) else {
            throw KMSError.validation("1 validation error detected: Value '\(days)' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30")
        }
        let date = configuration.now().addingTimeInterval(TimeInterval(days) * 86400)
        let updated = try mapStoreErrors { try store.scheduleDeletion(id: key.id, at: date, audit: auditEvent(caller)) }
        return KMS.ScheduleKeyDeletionResponse(
            keyId: updated.arn, deletionDate: updated.deletionDate, keyState: .pendingDeletion, pendingWindowInDays: days)
    }

    func cancelKeyDeletion(_ request: KMS.CancelKeyDeletionRequest, _ caller: Call) throws -> KMS.CancelKeyDeletionResponse {
        let key = try resolve(request.keyId, caller, aliases: false)
        let updated = try mapStoreErrors { try store.cancelDeletion(id: key.id, audit: auditEvent(caller)) }
        return KMS.CancelKeyDeletionResponse(keyId: updated.arn)
    }

    func updateKeyDescription(_ request: KMS.UpdateKeyDescriptionRequest, _ caller: Call) throws -> KMS.Empty {
        let key = try resolve(request.keyId, caller, aliases: false)
        guard request.description.count <= 8192 else { throw KMSError.validation("Description is longer than 8192 characters") }
        _ = try mapStoreErrors { try store.setDescription(id: key.id, request.description, audit: auditEvent(caller)) }
        return KMS.Empty()
    }

    func generateRandom(_ request: KMS.GenerateRandomRequest) throws -> KMS.GenerateRandomResponse {
        guard let count = request.numberOfBytes else { throw KMSError.validation("NumberOfBytes is required.") }
        try checkNumberOfBytes(count)
        if request.customKeyStoreId != nil { throw KMSError.unsupportedOperation("Custom key stores are not supported") }
        return KMS.GenerateRandomResponse(plaintext: Base64Blob(try SecureRandom.bytes(count: count)))
    }
}
