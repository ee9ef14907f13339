import Foundation
import SigilTestSupport
import Testing

/// The families of Wycheproof signature files this runner applies, each with the schemas
/// its files may declare.
enum SignatureFamily: String, CaseIterable, Sendable, Comparable {
    case rsaPSS = "RSA-PSS"
    case rsaPKCS1 = "RSA-PKCS1"
    case ecdsaDER = "ECDSA-DER"
    case ecdsaP1363 = "ECDSA-P1363"
    case ecdsaBitcoin = "ECDSA-bitcoin"

    /// The `schema` values a file of this family may carry; any other stops the file.
    var schemas: Set<String> {
        switch self {
        case .rsaPSS: return [SignatureVectorFile.pssSchema, SignatureVectorFile.pssWithParametersSchema]
        case .rsaPKCS1: return ["rsassa_pkcs1_verify_schema_v1.json"]
        case .ecdsaDER: return ["ecdsa_verify_schema_v1.json"]
        case .ecdsaP1363: return ["ecdsa_p1363_verify_schema_v1.json"]
        case .ecdsaBitcoin: return ["ecdsa_bitcoin_verify_schema.json"]
        }
    }

    var isRSA: Bool { self == .rsaPSS || self == .rsaPKCS1 }

    /// Which family a file belongs to, from its name alone; `nil` for files this runner
    /// does not apply (OAEP, HKDF, MAC, AEAD, signature generation).
    init?(fileName name: String) {
        guard name.hasSuffix("_test.json") else { return nil }
        if name.hasPrefix("rsa_pss_") {
            self = .rsaPSS
        } else if name.hasPrefix("rsa_signature_") {
            self = .rsaPKCS1
        } else if name.hasPrefix("ecdsa_") {
            if name.hasSuffix("_p1363_test.json") {
                self = .ecdsaP1363
            } else if name.hasSuffix("_bitcoin_test.json") {
                self = .ecdsaBitcoin
            } else {
                self = .ecdsaDER
            }
        } else {
            return nil
        }
    }

    static func < (lhs: SignatureFamily, rhs: SignatureFamily) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One Wycheproof file the runner applies: the argument of the parameterised test.
struct VectorFile: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    let name: String
    let url: URL
    let family: SignatureFamily

    var testDescription: String { name }
    var description: String { name }
}

/// Where the shared Wycheproof vectors live, and which of their files apply.
///
/// The vectors are never copied into the repository: they are read in place from
/// `SIGIL_VECTORS_DIR/wycheproof`, or from `../shared/vectors/wycheproof` beside the
/// package root.
enum WycheproofCorpus {
    /// The Wycheproof folder itself.
    static var directory: URL { SharedVectors.folder("wycheproof") }

    static var isPresent: Bool { SharedVectors.isPresent("wycheproof") }

    /// Whether a missing corpus must fail the run rather than skip it.
    static var isCI: Bool { SharedVectors.isCI }

    static var missingMessage: String { SharedVectors.missingMessage("wycheproof") }

    /// How many files of each family the corpus held when this runner was written
    /// (C2SP/wycheproof dac1dd47, testvectors_v1/). Fewer means the folder was emptied
    /// or renamed under us; more is fine and runs too.
    static let minimumFileCounts: [SignatureFamily: Int] = [
        .rsaPSS: 19,
        .rsaPKCS1: 9,
        .ecdsaDER: 8,
        .ecdsaP1363: 7,
        .ecdsaBitcoin: 1,
    ]

    /// Every file the runner applies, sorted by name; empty when the folder is missing.
    static let signatureFiles: [VectorFile] = {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            return []
        }
        return names.sorted().compactMap { name in
            SignatureFamily(fileName: name).map {
                VectorFile(name: name, url: directory.appendingPathComponent(name), family: $0)
            }
        }
    }()

    /// How many applicable files each family has.
    static var fileCounts: [SignatureFamily: Int] {
        Dictionary(grouping: signatureFiles, by: \.family).mapValues(\.count)
    }
}
