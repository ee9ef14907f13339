import Foundation
import SigilKMS

/// Checks a restarted key holder against the crash-test clients' ledgers, through its
/// API: every acknowledged write is there, and each write that was in flight at the kill
/// is either wholly applied or not at all. Settles the writes in flight (the ledgers
/// adopt what was applied) and counts what it saw.
struct CrashVerifier {
    /// A client of the key holder now running (a restart listens on a new port).
    var kms: KMSClient
    var problems: [String] = []
    /// Acknowledged writes checked after the restart that followed them, by operation.
    var acknowledgedChecked: [String: Int] = [:]
    var inFlightApplied = 0
    var inFlightNotApplied = 0
    /// In-flight Encrypts: they store nothing, so there is nothing to find.
    var inFlightEncrypts = 0
    var ciphertextsDecrypted = 0

    init(kms: KMSClient) { self.kms = kms }

    /// Verifies the key holder against the ledgers and settles their writes in flight.
    ///
    /// - Parameters:
    ///   - ledgers: The clients' ledgers.
    ///   - everything: Check every key and ciphertext, not only what changed since the
    ///     last verification (and ciphertexts of `round`).
    ///   - round: The round whose ciphertexts to decrypt when not checking everything.
    mutating func verify(_ ledgers: inout [CrashLedger], everything: Bool, round: Int) async throws {
        let keyIDs = try await allKeyIDs()
        let aliases = try await allAliases()
        try await settleNewKeys(keyIDs, &ledgers)
        settleAliases(aliases, keyIDs: keyIDs, &ledgers)
        for index in ledgers.indices {
            let ids = everything ? Set(ledgers[index].keys.map(\.id)) : ledgers[index].touchedKeyIDs
            for key in ledgers[index].keys where !keyIDs.contains(key.id) {
                problems.append("acknowledged CreateKey lost: \(key.id) (\(key.description))")
            }
            let client = kms
            let observed = try await Self.concurrently(ids.filter(keyIDs.contains).sorted()) {
                try await KeyObservation(id: $0, kms: client)
            }
            for observation in observed {
                check(observation, &ledgers[index])
            }
            let ciphertexts = ledgers[index].ciphertexts.filter { everything || $0.round == round }
            let opened = try await Self.concurrently(ciphertexts) {
                (ciphertext: CrashLedger.Ciphertext) async throws -> Result<[UInt8]?, KMSError> in
                do {
                    return .success(
                        try await client.decrypt(ciphertextBlob: ciphertext.blob, encryptionContext: ciphertext.context)
                            .plaintext?.bytes)
                } catch let error as KMSError {
                    return .failure(error)
                }
            }
            for (ciphertext, result) in zip(ciphertexts, opened) {
                check(ciphertext, result)
            }
            if case .encrypt = ledgers[index].inFlight {
                inFlightEncrypts += 1
                ledgers[index].inFlight = nil
            }
            if let unsettled = ledgers[index].inFlight {
                problems.append("client \(ledgers[index].client): the write in flight was not settled: \(unsettled)")
                ledgers[index].inFlight = nil
            }
            for write in ledgers[index].acknowledged { acknowledgedChecked[write.operation, default: 0] += 1 }
            ledgers[index].acknowledged = []
        }
    }

    /// Runs `work` on every item, eight at a time, and returns the results in order.
    static func concurrently<Item: Sendable, Output: Sendable>(
        _ items: [Item], _ work: @escaping @Sendable (Item) async throws -> Output
    ) async throws -> [Output] {
        try await withThrowingTaskGroup(of: (Int, Output).self) { group in
            var results = [Output?](repeating: nil, count: items.count)
            var next = 0
            func startNext() {
                guard next < items.count else { return }
                let (index, item) = (next, items[next])
                group.addTask { (index, try await work(item)) }
                next += 1
            }
            for _ in 0..<8 { startNext() }
            while let (index, output) = try await group.next() {
                results[index] = output
                startNext()
            }
            return results.compactMap { $0 }
        }
    }

    // MARK: - Keys and aliases that appeared without an acknowledgement

    /// Keys no ledger holds must be a CreateKey in flight, whole; the ledger adopts them.
    mutating func settleNewKeys(_ keyIDs: Set<String>, _ ledgers: inout [CrashLedger]) async throws {
        let known = Set(ledgers.flatMap { $0.keys.map(\.id) })
        for id in keyIDs.subtracting(known).sorted() {
            let metadata = try await kms.describeKey(keyId: id).keyMetadata
            let description = metadata?.description ?? ""
            guard
                let index = ledgers.firstIndex(where: {
                    if case .createKey(description, _) = $0.inFlight { true } else { false }
                }), case .createKey(_, let symmetric) = ledgers[index].inFlight
            else {
                problems.append("key \(id) (\"\(description)\") exists but no client's CreateKey made it")
                continue
            }
            try await checkWhole(id, symmetric: symmetric, metadata: metadata)
            ledgers[index].keys.append(CrashLedger.Key(id: id, symmetric: symmetric, description: description))
            ledgers[index].inFlight = nil
            inFlightApplied += 1
        }
        settleNotApplied(&ledgers) { if case .createKey = $0 { true } else { false } }
    }

    /// The writes in flight of one kind that the settling before did not find applied
    /// were not applied.
    mutating func settleNotApplied(_ ledgers: inout [CrashLedger], _ isOfKind: (CrashLedger.Write) -> Bool) {
        for index in ledgers.indices where ledgers[index].inFlight.map(isOfKind) == true {
            ledgers[index].inFlight = nil
            inFlightNotApplied += 1
        }
    }

    /// A key created by a CreateKey whose answer was lost must be complete: enabled, of
    /// its spec, with the default policy, no tags, and usable.
    mutating func checkWhole(_ id: String, symmetric: Bool, metadata: KMS.KeyMetadata?) async throws {
        let what = "key \(id) from a CreateKey in flight"
        if metadata?.keyState != .enabled { problems.append("\(what) is \(metadata?.keyState?.rawValue ?? "?")") }
        if metadata?.keySpec != (symmetric ? KMS.KeySpec.symmetricDefault : .eccNistP256) { problems.append("\(what) has the wrong spec") }
        let policy = try await kms.send(KMS.GetKeyPolicyRequest(keyId: id)).policy ?? ""
        if policy.isEmpty || CrashWorkload.crashSid(of: policy) != nil { problems.append("\(what) lacks its default policy") }
        let tags = try await kms.send(KMS.ListResourceTagsRequest(keyId: id)).tags ?? []
        if !tags.isEmpty { problems.append("\(what) has tags \(tags)") }
        if symmetric {
            let plaintext = Array("whole".utf8)
            let blob = try await kms.encrypt(keyId: id, plaintext: plaintext).ciphertextBlob?.bytes ?? []
            let opened = try await kms.decrypt(ciphertextBlob: blob).plaintext?.bytes
            if opened != plaintext { problems.append("\(what) does not decrypt what it encrypts") }
        } else if try await kms.getPublicKey(keyId: id).publicKey?.bytes.isEmpty ?? true {
            problems.append("\(what) has no public key")
        }
    }

    /// Every acknowledged alias points at its key; a crash-test alias no ledger holds
    /// must be the CreateAlias in flight, pointing where it was asked to; every alias
    /// points at a key that exists.
    mutating func settleAliases(_ aliases: [String: String], keyIDs: Set<String>, _ ledgers: inout [CrashLedger]) {
        var known: Set<String> = []
        for ledger in ledgers {
            for key in ledger.keys {
                for name in key.aliases {
                    known.insert(name)
                    if aliases[name] != key.id {
                        problems.append("acknowledged alias \(name) -> \(key.id) is \(aliases[name].map { "-> \($0)" } ?? "missing")")
                    }
                }
            }
        }
        for (name, target) in aliases.sorted(by: { $0.key < $1.key }) {
            if !keyIDs.contains(target) { problems.append("alias \(name) points at \(target), which does not exist") }
            guard name.hasPrefix("alias/crash-"), !known.contains(name) else { continue }
            guard
                let index = ledgers.firstIndex(where: {
                    if case .createAlias(name, _) = $0.inFlight { true } else { false }
                })
            else {
                problems.append("alias \(name) exists but no client's CreateAlias made it")
                continue
            }
            if case .createAlias(_, let intended) = ledgers[index].inFlight, intended != target {
                problems.append("alias \(name) from a CreateAlias in flight points at \(target), not \(intended)")
            }
            ledgers[index].update(target) { $0.aliases.append(name) }
            ledgers[index].inFlight = nil
            inFlightApplied += 1
        }
        settleNotApplied(&ledgers) { if case .createAlias = $0 { true } else { false } }
    }

    // MARK: - The state of one key

    /// What the key holder says of one key: its metadata, the crash test's tag and the
    /// Sid of its policy.
    struct KeyObservation: Sendable {
        let id: String
        let metadata: KMS.KeyMetadata?
        let tag: String?
        let policySid: String?

        init(id: String, kms: KMSClient) async throws {
            self.id = id
            metadata = try await kms.describeKey(keyId: id).keyMetadata
            let tags = try await kms.send(KMS.ListResourceTagsRequest(keyId: id)).tags ?? []
            tag = tags.first { $0.tagKey == "crash-writer" }?.tagValue
            policySid = CrashWorkload.crashSid(of: try await kms.send(KMS.GetKeyPolicyRequest(keyId: id)).policy ?? "")
        }
    }

    /// The key's description, state, tag and policy are what the acknowledged writes
    /// made them, or what the write in flight would have made them.
    mutating func check(_ observed: KeyObservation, _ ledger: inout CrashLedger) {
        let id = observed.id
        guard let expected = ledger.key(id) else { return }
        let metadata = observed.metadata
        if metadata?.description != expected.description {
            problems.append("key \(id): description \(metadata?.description ?? "nil"), expected \(expected.description)")
        }
        let pending = metadata?.keyState == .pendingDeletion
        if metadata?.keyState != .enabled && !pending {
            problems.append("key \(id) is \(metadata?.keyState?.rawValue ?? "?")")
        }
        if pending != (metadata?.deletionDate != nil) {
            problems.append("key \(id) is \(metadata?.keyState?.rawValue ?? "?") with deletion date \(String(describing: metadata?.deletionDate))")
        }
        let deletionInFlight: Bool? = if case .scheduleDeletion(id) = ledger.inFlight { true } else { nil }
        settle("ScheduleKeyDeletion of \(id)", observed: pending, acknowledged: expected.pendingDeletion, inFlight: deletionInFlight, &ledger) {
            $0.pendingDeletion = pending
        }
        let tagInFlight: String?? = if case .tag(id, let value) = ledger.inFlight { .some(value) } else { .none }
        settle("tag of \(id)", observed: observed.tag, acknowledged: expected.tag, inFlight: tagInFlight, &ledger) {
            $0.tag = observed.tag
        }
        let sidInFlight: String?? = if case .putPolicy(id, let value) = ledger.inFlight { .some(value) } else { .none }
        settle("policy of \(id)", observed: observed.policySid, acknowledged: expected.policySid, inFlight: sidInFlight, &ledger) {
            $0.policySid = observed.policySid
        }
    }

    /// Compares one observed value with the acknowledged one and, when a write to it
    /// was in flight, with the value that write carried; records a problem for any
    /// other value, counts the write in flight as applied or not, and adopts it.
    mutating func settle<Value: Equatable>(
        _ what: String, observed: Value, acknowledged: Value, inFlight: Value?, _ ledger: inout CrashLedger,
        adopt: (inout CrashLedger.Key) -> Void
    ) {
        if let inFlight, let id = ledger.inFlight?.keyID {
            if observed == inFlight, observed != acknowledged {
                inFlightApplied += 1
            } else if observed == acknowledged {
                inFlightNotApplied += 1
            } else {
                problems.append("\(what): \(String(describing: observed)), neither the acknowledged "
                    + "\(String(describing: acknowledged)) nor the in-flight \(String(describing: inFlight))")
            }
            ledger.update(id, adopt)
            ledger.inFlight = nil
        } else if observed != acknowledged {
            problems.append("\(what): \(String(describing: observed)), expected \(String(describing: acknowledged))")
        }
    }

    /// An acknowledged Encrypt's ciphertext decrypts to its plaintext.
    mutating func check(_ ciphertext: CrashLedger.Ciphertext, _ opened: Result<[UInt8]?, KMSError>) {
        switch opened {
        case .success(let plaintext):
            ciphertextsDecrypted += 1
            if plaintext != ciphertext.plaintext {
                problems.append("a ciphertext under \(ciphertext.keyID) decrypts to something else")
            }
        case .failure(let error):
            problems.append("an acknowledged Encrypt under \(ciphertext.keyID) no longer decrypts: \(error)")
        }
    }

    // MARK: - Listings

    func allKeyIDs() async throws -> Set<String> {
        var ids: Set<String> = []
        var marker: String? = nil
        repeat {
            let page = try await kms.listKeys(limit: 1000, marker: marker)
            ids.formUnion((page.keys ?? []).compactMap(\.keyId))
            marker = page.truncated == true ? page.nextMarker : nil
        } while marker != nil
        return ids
    }

    /// Alias name to target key id.
    func allAliases() async throws -> [String: String] {
        var aliases: [String: String] = [:]
        var marker: String? = nil
        repeat {
            let page = try await kms.listAliases(limit: 100, marker: marker)
            for alias in page.aliases ?? [] {
                if let name = alias.aliasName, let target = alias.targetKeyId { aliases[name] = target }
            }
            marker = page.truncated == true ? page.nextMarker : nil
        } while marker != nil
        return aliases
    }
}
