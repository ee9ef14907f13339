import Foundation
import Sigil
import SigilTestSupport
import Testing

/// The RSA public key check gives one key one verdict, every time (the fuzz finding
/// `public-key-rsa-modulus-factor-853`: OpenSSL's check drew random Miller-Rabin bases).
@Suite struct RSAPublicKeyCheckTests {
    /// The public key as SubjectPublicKeyInfo DER, for a modulus and exponent given in hex,
    /// built by the openssl CLI from an ASN.1 description.
    static func subjectPublicKeyInfo(modulusHex: String, exponent: String = "65537") async throws -> [UInt8] {
        let description = """
            asn1=SEQUENCE:spki
            [spki]
            algorithm=SEQUENCE:algorithm
            key=BITWRAP,SEQUENCE:rsa
            [algorithm]
            oid=OID:rsaEncryption
            parameters=NULL
            [rsa]
            n=INTEGER:0x\(modulusHex)
            e=INTEGER:\(exponent)
            """
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rsa-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("spki.cnf")
        let output = folder.appendingPathComponent("spki.der")
        try description.write(to: config, atomically: true, encoding: .utf8)
        _ = try await TestSupport.openssl(["asn1parse", "-genconf", config.path, "-out", output.path, "-noout"])
        return Array(try Data(contentsOf: output))
    }

    /// A random prime of `bits` bits, in hex, from `openssl prime -generate`.
    static func prime(bits: Int) async throws -> String {
        let text = try await TestSupport.openssl(["prime", "-generate", "-bits", "\(bits)", "-hex"])
        return String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The product of hex integers, computed by Python (arbitrary precision).
    static func product(_ factors: [String]) async throws -> String {
        let expression = factors.map { "0x\($0)" }.joined(separator: "*")
        let result = try await TestSupport.run("python3", ["-c", "print(format(\(expression), 'X'))"])
        #expect(result.status == 0, "python3 failed: \(result.stderrText)")
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Imports `der` many times and returns the distinct outcomes (nil for accepted).
    static func verdicts(_ der: [UInt8], times: Int = 40) -> Set<String?> {
        var outcomes = Set<String?>()
        for _ in 0..<times {
            do {
                _ = try PublicKey(derRepresentation: der)
                outcomes.insert(nil)
            } catch {
                outcomes.insert("\(error)")
            }
        }
        return outcomes
    }

    @Test func refusesTheFuzzersModulusWithFactor853EveryTime() throws {
        let reproducer = TestSupport.packageRoot.appendingPathComponent("Fuzz/crashes/public-key-rsa-modulus-factor-853")
        let bytes = Array(try Data(contentsOf: reproducer))
        // The fuzz input is a control byte (0x01: DER) followed by the key.
        let outcomes = Self.verdicts(Array(bytes.dropFirst()))
        #expect(outcomes.count == 1, "one key, one verdict: \(outcomes)")
        let verdict = try #require(outcomes.first)
        #expect(verdict?.contains("small factor 853") == true, "\(String(describing: verdict))")
    }

    @Test func acceptsARealModulusEveryTime() async throws {
        let modulus = try await Self.product([await Self.prime(bits: 1024), await Self.prime(bits: 1024)])
        let outcomes = Self.verdicts(try await Self.subjectPublicKeyInfo(modulusHex: modulus))
        #expect(outcomes == [nil])
    }

    @Test func refusesAPrimeModulus() async throws {
        let outcomes = Self.verdicts(try await Self.subjectPublicKeyInfo(modulusHex: await Self.prime(bits: 2048)), times: 5)
        #expect(outcomes.count == 1)
        #expect(outcomes.first??.contains("modulus is prime") == true, "\(outcomes)")
    }

    @Test func refusesAPrimePowerModulus() async throws {
        let prime = try await Self.prime(bits: 1024)
        let outcomes = Self.verdicts(try await Self.subjectPublicKeyInfo(modulusHex: await Self.product([prime, prime])), times: 5)
        #expect(outcomes.count == 1)
        #expect(outcomes.first??.contains("prime power") == true, "\(outcomes)")
    }

    @Test func refusesAModulusWithAFactorJustUnderTheTrialDivisionBound() async throws {
        // 16381 is the largest prime below 2^14; OpenSSL's own trial division stops at 751.
        let modulus = try await Self.product(["3FFD", await Self.prime(bits: 1024), await Self.prime(bits: 1010)])
        let outcomes = Self.verdicts(try await Self.subjectPublicKeyInfo(modulusHex: modulus), times: 5)
        #expect(outcomes.count == 1)
        #expect(outcomes.first??.contains("small factor 16381") == true, "\(outcomes)")
    }

    @Test(arguments: ["3", "65536", "1"])
    func refusesAnEvenOrTrivialExponentButNotThree(exponent: String) async throws {
        let modulus = try await Self.product([await Self.prime(bits: 1024), await Self.prime(bits: 1024)])
        let der = try await Self.subjectPublicKeyInfo(modulusHex: modulus, exponent: exponent)
        if exponent == "3" {
            #expect(Self.verdicts(der, times: 2) == [nil])
        } else {
            #expect(throws: SigilError.self) { try PublicKey(derRepresentation: der) }
        }
    }
}
