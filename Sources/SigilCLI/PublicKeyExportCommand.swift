import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct PublicKeyExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export public keys as a JWKS or PEM: the set a verifier service loads once and pins.",
        discussion: """
            Takes keys from the key holder (--key-id, repeatable: KMS GetPublicKey) or from \
            public key files (DER or PEM), and writes them as one JWKS or one PEM file. Each \
            JWK's kid is the RFC 7638 thumbprint of the key, the id `sigil sign --format` \
            writes into envelopes; `use` is sig, and `alg` is set when the key signs with \
            exactly one JOSE algorithm (an ECDSA key; an RSA key may sign RS* and PS*, so it \
            gets none, and a verifier allows it the algorithms its type suits). The output \
            appears only once complete.

            The key holder is configured as for `sigil keys` (--endpoint-url, --region, \
            --profile, AWS credentials).

            Examples:
              sigil public-key export --key-id alias/tokens --key-id alias/tokens-next -o keys.jwks
              sigil public-key export --format pem releases.pem old-releases.der -o releases-all.pem
            """
    )

    @OptionGroup var keyHolder: KeyHolderOptions

    @Option(name: .long, help: ArgumentHelp("jwks (default) or pem.", valueName: "jwks|pem"))
    var format: String = "jwks"

    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp("A key of the key holder (id, ARN, alias name or alias ARN); repeatable.", valueName: "key"))
    var keyId: [String] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the keys; - for standard output.", valueName: "file"))
    var output: String = "-"

    @Argument(help: ArgumentHelp("Public key files (DER or PEM), instead of --key-id.", valueName: "file"))
    var files: [String] = []

    func validate() throws {
        guard ["jwks", "pem"].contains(format.lowercased()) else {
            throw ValidationError("--format is jwks or pem, not '\(format)'")
        }
        guard keyId.isEmpty != files.isEmpty else {
            throw ValidationError("name the keys either with --key-id (from the key holder) or as files, not both, and at least one")
        }
    }

    func run() async throws {
        var keys: [TrustedKey] = []
        if !keyId.isEmpty {
            let connection = try keyHolder.connection()
            for name in keyId {
                let response = try await connection.call { try await $0.getPublicKey(keyId: name) }
                guard let der = response.publicKey?.bytes, !der.isEmpty else {
                    throw SigilError(.malformedKey, "the key holder's GetPublicKey response for \(name) has no PublicKey")
                }
                if let usage = response.keyUsage, usage != .signVerify {
                    throw SigilError(.invalidKeyUsage, "\(response.keyId ?? name) is a \(usage.rawValue) key; a JWKS holds signing keys")
                }
                let key = try PublicKey(derRepresentation: der)
                let algorithms = try response.signingAlgorithms?.map { try SigningAlgorithm(kmsName: $0.rawValue) }
                keys.append(try TrustedKey(id: JWK.thumbprint(of: key), publicKey: key, algorithms: algorithms))
            }
        } else {
            for file in files {
                let key = try PublicKey(encoded: InputFiles.readSmall(file, role: "public key file", limit: VerifyCommand.keyFileLimit))
                keys.append(try TrustedKey(id: JWK.thumbprint(of: key), publicKey: key))
            }
        }
        // The same key named twice (an alias and its ARN) is written once.
        var seen = Set<String>()
        let store = try TrustStore(keys.filter { seen.insert($0.id).inserted })
        let bytes: [UInt8] = format.lowercased() == "pem"
            ? Array(store.keys.map(\.publicKey.pemRepresentation).joined().utf8)
            : try JWKSet(trustStore: store).jsonRepresentation + [0x0A]
        try SignCommand.write(bytes, to: output)
        if output != "-" {
            print("wrote \(output): \(store.keys.count) public key\(store.keys.count == 1 ? "" : "s") (\(store.keys.map(\.id).joined(separator: ", ")))")
        }
    }
}
