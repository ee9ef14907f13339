import Foundation

/// What one crash-test client has done to the key holder, as far as it knows: the keys it
/// created with the state its acknowledged writes gave them, the ciphertexts it was given,
/// and the one write it had sent when the key holder was killed, whose outcome it never
/// learnt.
///
/// Each client works only on its own keys and names, so that the expected state of every
/// key follows from one client's writes alone, in the order it sent them.
struct CrashLedger: Sendable {
    /// A key the client created, with the state its acknowledged writes gave it.
    struct Key: Sendable {
        let id: String
        let symmetric: Bool
        /// The key's description: unique, so that a key whose CreateKey was in flight
        /// can be recognised after a restart.
        let description: String
        /// The value of the `crash-writer` tag; nil before the first TagResource.
        var tag: String?
        /// The Sid of the client's last key policy; nil while the key has the default one.
        var policySid: String?
        /// The aliases that point at it.
        var aliases: [String] = []
        var pendingDeletion = false
    }

    /// A write as the client sent it.
    enum Write: Sendable, CustomStringConvertible {
        case createKey(description: String, symmetric: Bool)
        case createAlias(name: String, keyID: String)
        case tag(keyID: String, value: String)
        case putPolicy(keyID: String, sid: String)
        case scheduleDeletion(keyID: String)
        case encrypt(keyID: String)

        /// The key the write changes, when it names one.
        var keyID: String? {
            switch self {
            case .createKey: nil
            case .createAlias(_, let id), .tag(let id, _), .putPolicy(let id, _), .scheduleDeletion(let id), .encrypt(let id): id
            }
        }

        /// The KMS operation's name.
        var operation: String {
            switch self {
            case .createKey: "CreateKey"
            case .createAlias: "CreateAlias"
            case .tag: "TagResource"
            case .putPolicy: "PutKeyPolicy"
            case .scheduleDeletion: "ScheduleKeyDeletion"
            case .encrypt: "Encrypt"
            }
        }

        var description: String {
            switch self {
            case .createKey(let text, let symmetric): "CreateKey(\(symmetric ? "SYMMETRIC_DEFAULT" : "ECC_NIST_P256"), \"\(text)\")"
            case .createAlias(let name, let id): "CreateAlias(\(name) -> \(id))"
            case .tag(let id, let value): "TagResource(\(id), crash-writer=\(value))"
            case .putPolicy(let id, let sid): "PutKeyPolicy(\(id), Sid \(sid))"
            case .scheduleDeletion(let id): "ScheduleKeyDeletion(\(id))"
            case .encrypt(let id): "Encrypt(\(id))"
            }
        }
    }

    /// A ciphertext an acknowledged Encrypt returned, with what it must decrypt to.
    struct Ciphertext: Sendable {
        let keyID: String
        let blob: [UInt8]
        let plaintext: [UInt8]
        let context: [String: String]
        /// The round (the run between two kills) it was made in.
        let round: Int
    }

    let client: Int
    /// How many writes the client has numbered; names and values carry the number.
    private(set) var numbered = 0
    var keys: [Key] = []
    var ciphertexts: [Ciphertext] = []
    /// The write sent when the key holder died, until a verification settles its outcome.
    var inFlight: Write?
    /// Writes acknowledged since the last verification.
    var acknowledged: [Write] = []

    init(client: Int) { self.client = client }

    /// The next number for a name or a value.
    mutating func number() -> Int {
        numbered += 1
        return numbered
    }

    func key(_ id: String) -> Key? { keys.first { $0.id == id } }

    /// Changes the recorded state of one of the client's keys.
    mutating func update(_ id: String, _ change: (inout Key) -> Void) {
        guard let index = keys.firstIndex(where: { $0.id == id }) else { return }
        change(&keys[index])
    }

    /// Keys that still take writes (not pending deletion).
    var liveKeys: [Key] { keys.filter { !$0.pendingDeletion } }

    /// The keys that acknowledged writes since the last verification, or the write in
    /// flight, changed.
    var touchedKeyIDs: Set<String> {
        Set((acknowledged + [inFlight].compactMap { $0 }).compactMap(\.keyID))
    }
}
