package import ArgumentParser
internal import FoundationEssentials
internal import SigilCore

package struct InspectPublicKey: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a public key's KMS key spec, size, fingerprint and the algorithms it verifies.",
        discussion: """
            The fingerprint is the SHA-256 of the DER SubjectPublicKeyInfo: the same bytes KMS \
            GetPublicKey returns, so `openssl pkey -pubin -outform DER | sha256sum` agrees.
            """
    )

    @Argument(help: ArgumentHelp("The public key: DER SubjectPublicKeyInfo or PEM, detected.", valueName: "file"))
    package var file: String

    @Option(name: .long, help: "Print text or a JSON object for scripts.")
    package var output: OutputFormat = .text

    package func run() throws {
        let key: PublicKey
        do {
            key = try PublicKey(encoded: InputFiles.readSmall(file, role: "public key file", limit: VerifyCommand.keyFileLimit))
        } catch let error as SigilError {
            if output == .json {
                Terminal.printJSON(["result": "error", "code": .string(error.code.name), "message": .string(error.message)])
            }
            throw error
        }
        let spec = key.keySpec?.kmsName ?? "none (\(key.family)-\(key.sizeInBits) is not a KMS key spec)"
        let type = key.curve.map { "EC \($0.name)" } ?? "RSA"
        let algorithms = key.supportedSigningAlgorithms.map(\.kmsName)
        switch output {
        case .text:
            print("Key spec:     \(spec)")
            print("Type:         \(type), \(key.sizeInBits) bits")
            print("Fingerprint:  SHA256:\(key.fingerprint)")
            print("Verifies:     \(algorithms.joined(separator: ", "))")
        case .json:
            Terminal.printJSON([
                "keySpec": .string(key.keySpec?.kmsName),
                "keyType": .string(type),
                "sizeInBits": .integer(key.sizeInBits),
                "fingerprintSHA256": .string(key.fingerprint),
                "signingAlgorithms": .strings(algorithms),
            ])
        }
    }
}
