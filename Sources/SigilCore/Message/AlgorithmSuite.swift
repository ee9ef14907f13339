/// An AWS Encryption SDK algorithm suite: how a message's content is encrypted and
/// whether it is signed. Sigil writes only the committing suites of format version 2.
public struct AlgorithmSuite: Hashable, Sendable, CustomStringConvertible {
    /// The two-byte identifier written in the header, such as `0x0478`.
    public let id: UInt16
    /// The SDK's name for the suite.
    public let name: String
    /// Whether a footer carries an ECDSA P-384 signature over the whole message.
    public let isSigned: Bool

    private init(id: UInt16, name: String, isSigned: Bool) {
        self.id = id
        self.name = name
        self.isSigned = isSigned
    }

    /// AES-256-GCM, HKDF-SHA512, key commitment, no signature: the default, and the only
    /// suite for `aws-kms-rsa` recipients.
    public static let aes256GCMHKDFSHA512CommitKey = AlgorithmSuite(
        id: 0x0478, name: "AES_256_GCM_HKDF_SHA512_COMMIT_KEY", isSigned: false)
    /// The same, plus an ECDSA P-384 signature in a footer.
    public static let aes256GCMHKDFSHA512CommitKeyECDSAP384 = AlgorithmSuite(
        id: 0x0578, name: "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384", isSigned: true)

    /// The suites Sigil reads and writes.
    public static let all: [AlgorithmSuite] = [.aes256GCMHKDFSHA512CommitKey, .aes256GCMHKDFSHA512CommitKeyECDSAP384]

    /// Looks a suite up by its identifier.
    ///
    /// - Throws: ``SigilError`` with code `unsupportedMessage`, naming why the suite is refused.
    public init(id: UInt16) throws {
        if let suite = Self.all.first(where: { $0.id == id }) {
            self = suite
            return
        }
        let hex = "0x" + String(id, radix: 16, uppercase: true).leftPadded(to: 4)
        let nonCommitting: Set<UInt16> = [0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378]
        if nonCommitting.contains(id) {
            throw SigilError(
                .unsupportedMessage,
                "algorithm suite \(hex) does not commit to its key, so one message could decrypt to two plaintexts; "
                    + "Sigil accepts only the committing suites 0x0478 and 0x0578")
        }
        throw SigilError(.unsupportedMessage, "unknown algorithm suite \(hex) (Sigil reads 0x0478 and 0x0578)")
    }

    /// Parses `0478`, `0x0578` and the like, as the CLI takes them.
    ///
    /// - Throws: ``SigilError`` with code `invalidArgument` for anything else.
    public init(parsing text: String) throws {
        let digits = text.lowercased().hasPrefix("0x") ? String(text.dropFirst(2)) : text
        guard let id = UInt16(digits, radix: 16), let suite = Self.all.first(where: { $0.id == id }) else {
            throw SigilError(.invalidArgument, "unknown algorithm suite '\(text)' (use 0478 or 0578)")
        }
        self = suite
    }

    /// The suite id as four hex digits, such as `0478`.
    public var hexID: String { String(id, radix: 16, uppercase: true).leftPadded(to: 4) }

    public var description: String { "0x\(hexID) \(name)" }

    /// The bytes of the id, big-endian, as the key derivation's info takes them.
    var idBytes: [UInt8] { [UInt8(id >> 8), UInt8(id & 0xff)] }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
