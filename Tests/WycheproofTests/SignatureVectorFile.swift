import Foundation
import SigilTestSupport

/// Bytes that Wycheproof writes as a lowercase hex string.
struct HexBytes: Decodable, Hashable, Sendable {
    var bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let bytes = Self.parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an even-length hex string: \(text.prefix(40))")
        }
        self.bytes = bytes
    }

    private static func parse(_ text: String) -> [UInt8]? {
        TestSupport.bytes(hex: text)
    }
}

/// What Wycheproof says a verifier must do with a case.
enum ExpectedResult: String, Decodable, Sendable {
    /// Must verify.
    case valid
    /// Must not verify.
    case invalid
    /// Either is defensible; the runner's ``AcceptablePolicy`` decides which Sigil must do.
    case acceptable
}

/// One Wycheproof signature-verification file (RSA-PSS, RSA PKCS#1 v1.5, ECDSA in DER,
/// P1363 or Bitcoin's rules), decoded once. Only the members the runner uses are read.
struct SignatureVectorFile: Decodable, Sendable {
    static let pssSchema = "rsassa_pss_verify_schema_v1.json"
    /// PSS files whose keys are id-RSASSA-PSS SubjectPublicKeyInfos carrying the parameters.
    static let pssWithParametersSchema = "rsassa_pss_with_parameters_verify_schema.json"

    var algorithm: String
    var schema: String
    var numberOfTests: Int
    var testGroups: [TestGroup]

    struct TestGroup: Decodable, Sendable {
        var type: String
        /// The key as DER SubjectPublicKeyInfo.
        var publicKeyDer: HexBytes
        /// The key's fields; only the curve name is read (EC groups).
        var publicKey: KeyFields?
        /// The message hash, such as `SHA-256`.
        var sha: String
        /// PSS: the mask generation function (`MGF1`), its hash, and the salt length.
        var mgf: String?
        var mgfSha: String?
        var sLen: Int?
        /// RSA: the modulus size in bits.
        var keySize: Int?
        var tests: [TestCase]
    }

    struct KeyFields: Decodable, Sendable {
        var curve: String?
    }

    struct TestCase: Decodable, Sendable {
        var tcId: Int
        var comment: String
        var flags: [String]
        var msg: HexBytes
        var sig: HexBytes
        var result: ExpectedResult
    }

    static func load(from url: URL) throws -> SignatureVectorFile {
        try JSONDecoder().decode(SignatureVectorFile.self, from: Data(contentsOf: url))
    }
}

/// Just enough DER for one job: taking the RSAPublicKey out of an id-RSASSA-PSS
/// SubjectPublicKeyInfo and wrapping it again under rsaEncryption, the form KMS issues
/// and Sigil imports. The result is checked by the import itself, which insists on DER.
enum RSASSAPSSKeyRewrap {
    /// AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }.
    static let rsaEncryptionAlgorithm: [UInt8] = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ]
    /// The OBJECT IDENTIFIER id-RSASSA-PSS (1.2.840.113549.1.1.10), tag and length included.
    static let rsassaPSSIdentifier: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a]

    /// The same public key as an rsaEncryption SubjectPublicKeyInfo, or `nil` when `der`
    /// is not SEQUENCE { SEQUENCE { id-RSASSA-PSS, … }, BIT STRING } with nothing after it.
    static func rsaEncryptionSPKI(fromRSASSAPSS der: [UInt8]) -> [UInt8]? {
        guard let outer = element(of: der, at: 0), outer.tag == 0x30, outer.content.upperBound == der.count,
            let algorithm = element(of: der, at: outer.content.lowerBound), algorithm.tag == 0x30,
            der[algorithm.content].starts(with: rsassaPSSIdentifier),
            let key = element(of: der, at: algorithm.content.upperBound), key.tag == 0x03,
            key.content.upperBound == der.count
        else { return nil }
        let body = rsaEncryptionAlgorithm + der[algorithm.content.upperBound...]
        return [0x30] + encodeLength(body.count) + body
    }

    /// The tag and content range of the element starting at `offset`, definite lengths only.
    private static func element(of der: [UInt8], at offset: Int) -> (tag: UInt8, content: Range<Int>)? {
        guard offset + 2 <= der.count else { return nil }
        var length = Int(der[offset + 1])
        var start = offset + 2
        if length & 0x80 != 0 {
            let count = length & 0x7f
            guard (1...3).contains(count), start + count <= der.count else { return nil }
            length = der[start..<(start + count)].reduce(0) { $0 << 8 | Int($1) }
            start += count
        }
        guard start + length <= der.count else { return nil }
        return (der[offset], start..<(start + length))
    }

    private static func encodeLength(_ length: Int) -> [UInt8] {
        guard length >= 0x80 else { return [UInt8(length)] }
        var bytes: [UInt8] = []
        var rest = length
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xff), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }
}
