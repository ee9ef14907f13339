import Foundation
import SigilKMS

/// One crash-test client: sends mixed writes (CreateKey, CreateAlias, TagResource,
/// PutKeyPolicy, ScheduleKeyDeletion, Encrypt) one at a time until the key holder stops
/// answering, recording each acknowledged write in its ledger and leaving the last one,
/// whose answer never came, as the write in flight.
struct CrashWorkload {
    let kms: KMSClient
    /// The account the key holder's root belongs to, for the key policies.
    let account: String
    let round: Int

    /// Sends writes until the key holder is gone.
    ///
    /// - Returns: The ledger with this run's writes, and any write the key holder refused
    ///   while it was alive (each a fault: the workload only sends valid writes).
    func run(_ start: CrashLedger) async -> (CrashLedger, [String]) {
        var ledger = start
        while true {
            let write = next(&ledger)
            ledger.inFlight = write
            do {
                try await send(write, &ledger)
                ledger.inFlight = nil
                ledger.acknowledged.append(write)
            } catch let error as KMSError {
                // The key holder answered, so it was alive: a refusal is a fault of the
                // key holder or of this workload. The write stays "in flight": whatever
                // happened to it must still be all or nothing.
                return (ledger, ["client \(ledger.client): \(write) refused: \(error)"])
            } catch {
                return (ledger, [])  // the connection died with the key holder
            }
        }
    }

    /// Picks the next write: mostly on the client's live keys, a new key when it has
    /// fewer than two or none that the write can use. Only ECC keys are scheduled for
    /// deletion, so that every symmetric key's ciphertexts stay decryptable.
    func next(_ ledger: inout CrashLedger) -> CrashLedger.Write {
        let number = ledger.number()
        let live = ledger.liveKeys
        let symmetric = live.filter(\.symmetric)
        let ecc = live.filter { !$0.symmetric }
        let newKey = CrashLedger.Write.createKey(
            description: "crash test client \(ledger.client) write \(number)", symmetric: Int.random(in: 0..<10) < 7)
        guard live.count >= 2, let any = live.randomElement() else { return newKey }
        switch Int.random(in: 0..<100) {
        case 0..<20:
            return newKey
        case 20..<35:
            return .createAlias(name: "alias/crash-\(ledger.client)-\(number)", keyID: any.id)
        case 35..<55:
            return .tag(keyID: any.id, value: "\(ledger.client)-\(number)")
        case 55..<70:
            return .putPolicy(keyID: any.id, sid: "Crash\(ledger.client)x\(number)")
        case 70..<80:
            return ecc.randomElement().map { CrashLedger.Write.scheduleDeletion(keyID: $0.id) } ?? newKey
        default:
            return symmetric.randomElement().map { CrashLedger.Write.encrypt(keyID: $0.id) } ?? newKey
        }
    }

    func send(_ write: CrashLedger.Write, _ ledger: inout CrashLedger) async throws {
        switch write {
        case .createKey(let description, let symmetric):
            let created = try await kms.createKey(
                KMS.CreateKeyRequest(
                    description: description, keyUsage: symmetric ? .encryptDecrypt : .signVerify,
                    keySpec: symmetric ? .symmetricDefault : .eccNistP256))
            guard let id = created.keyMetadata?.keyId else {
                throw KMSError(type: "NoKeyId", message: "CreateKey answered without a key id")
            }
            ledger.keys.append(CrashLedger.Key(id: id, symmetric: symmetric, description: description))
        case .createAlias(let name, let id):
            try await kms.createAlias(aliasName: name, targetKeyId: id)
            ledger.update(id) { $0.aliases.append(name) }
        case .tag(let id, let value):
            _ = try await kms.send(KMS.TagResourceRequest(keyId: id, tags: [KMS.Tag(tagKey: "crash-writer", tagValue: value)]))
            ledger.update(id) { $0.tag = value }
        case .putPolicy(let id, let sid):
            _ = try await kms.send(KMS.PutKeyPolicyRequest(keyId: id, policy: Self.policy(sid: sid, account: account)))
            ledger.update(id) { $0.policySid = sid }
        case .scheduleDeletion(let id):
            _ = try await kms.scheduleKeyDeletion(keyId: id, pendingWindowInDays: 7)
            ledger.update(id) { $0.pendingDeletion = true }
        case .encrypt(let id):
            let plaintext = (0..<32).map { _ in UInt8.random(in: 0...255) }
            let context = ["client": "\(ledger.client)", "round": "\(round)"]
            let encrypted = try await kms.encrypt(keyId: id, plaintext: plaintext, encryptionContext: context)
            guard let blob = encrypted.ciphertextBlob?.bytes else {
                throw KMSError(type: "NoCiphertext", message: "Encrypt answered without a ciphertext")
            }
            ledger.ciphertexts.append(
                CrashLedger.Ciphertext(keyID: id, blob: blob, plaintext: plaintext, context: context, round: round))
        }
    }

    /// A key policy that still lets the account root do everything, told apart by its Sid.
    static func policy(sid: String, account: String) -> String {
        """
        {"Version":"2012-10-17","Statement":[{"Sid":"\(sid)","Effect":"Allow",\
        "Principal":{"AWS":"arn:aws:iam::\(account):root"},"Action":"kms:*","Resource":"*"}]}
        """
    }

    /// The Sid of the crash test's statement in a policy document; nil for any other
    /// policy (the default one).
    static func crashSid(of policy: String) -> String? {
        guard let document = try? JSONSerialization.jsonObject(with: Data(policy.utf8)) as? [String: Any] else {
            return "(unreadable policy)"
        }
        let statements =
            (document["Statement"] as? [[String: Any]]) ?? [document["Statement"] as? [String: Any]].compactMap { $0 }
        return statements.compactMap { $0["Sid"] as? String }.first { $0.hasPrefix("Crash") }
    }
}
