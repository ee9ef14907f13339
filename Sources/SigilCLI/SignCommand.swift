import ArgumentParser
import Foundation
import Sigil
import SigilKMS

struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a file of any size through the key holder, writing a detached signature document.",
        discussion: """
            The file's digest is computed here, streaming, and only the digest goes to the key \
            holder (KMS Sign, MessageType DIGEST): one call whatever the size. The result is a \
            small JSON document, by default INPUT.sig.json beside the input, holding the key \
            ARN, the algorithms, the digest, the signature and the public key's fingerprint. \
            Before it is written, the signature is checked against the key's public key \
            (GetPublicKey). The document appears only once complete.

            Anyone with the public key verifies it offline:
              sigil verify --signature-document app.tar.gz.sig.json \\
                           --public-key releases.pem app.tar.gz

            The key holder is configured as for `sigil keys` (--endpoint-url, --region, \
            --profile, AWS credentials).

            Example:
              sigil sign --key-id alias/releases --algorithm ECDSA_SHA_256 app.tar.gz
            """
    )

    @OptionGroup var keyHolder: KeyHolderOptions

    @Option(name: .long, help: ArgumentHelp("The signing key: id, ARN, alias name or alias ARN.", valueName: "key"))
    var keyId: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The signing algorithm: \(SigningAlgorithm.all.map(\.kmsName).joined(separator: ", ")).", valueName: "name"))
    var algorithm: String

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("Where to write the signature document (default: INPUT.sig.json).", valueName: "file"))
    var output: String?

    @Argument(help: ArgumentHelp("The file to sign; - for standard input (then -o is needed).", valueName: "input"))
    var input: String

    func run() async throws {
        let algorithm = try SigningAlgorithm(kmsName: algorithm)
        let target: String
        if let output {
            target = output
        } else if input == "-" {
            throw SigilError(.invalidArgument, "signing standard input needs -o FILE for the signature document")
        } else {
            target = input + ".sig.json"
        }
        let source = try InputStream(path: input)
        let digest: [UInt8]
        do {
            defer { source.close() }
            digest = try StreamDigest.digest(of: source, using: algorithm.hashFunction)
        }

        let connection = try keyHolder.connection()
        let publicKeyResponse = try await connection.call { try await $0.getPublicKey(keyId: keyId) }
        guard let der = publicKeyResponse.publicKey?.bytes, !der.isEmpty else {
            throw SigilError(.malformedKey, "the key holder's GetPublicKey response for \(keyId) has no PublicKey")
        }
        let publicKey = try PublicKey(derRepresentation: der)
        if let usage = publicKeyResponse.keyUsage, usage != .signVerify {
            throw SigilError(.invalidKeyUsage, "\(publicKeyResponse.keyId ?? keyId) is a \(usage.rawValue) key; signing needs SIGN_VERIFY")
        }
        if let offered = publicKeyResponse.signingAlgorithms, !offered.map(\.rawValue).contains(algorithm.kmsName) {
            throw SigilError(
                .algorithmKeyMismatch,
                "\(publicKeyResponse.keyId ?? keyId) does not sign with \(algorithm.kmsName); it offers \(offered.map(\.rawValue).joined(separator: ", "))")
        }
        let signed = try await connection.call {
            try await $0.sign(keyId: keyId, message: digest, messageType: .digest, signingAlgorithm: KMS.SigningAlgorithm(rawValue: algorithm.kmsName))
        }
        guard let signature = signed.signature?.bytes, !signature.isEmpty else {
            throw SigilError(.malformedSignature, "the key holder's Sign response has no Signature")
        }
        guard let arn = signed.keyId ?? publicKeyResponse.keyId, arn.hasPrefix("arn:") else {
            throw SigilError(.malformedMessage, "the key holder did not name the key's ARN in its Sign response")
        }
        guard try publicKey.isValidSignature(signature, forDigest: digest, algorithm: algorithm) else {
            throw SigilError(
                .cryptoFailure,
                "the key holder's signature does not verify with the public key it returned for \(arn); nothing was written")
        }

        let document = SignatureDocument(
            keyId: arn, signingAlgorithm: algorithm.kmsName, messageType: MessageType.digest.kmsName,
            digestAlgorithm: algorithm.hashFunction.name, digest: digest.map { String(format: "%02x", $0) }.joined(),
            signature: Data(signature).base64EncodedString(), publicKeyFingerprint: publicKey.fingerprint)
        let sink = try OutputFile(path: target, private: false)
        do {
            try document.encoded().withUnsafeBytes { try sink.write($0) }
            try sink.commit()
        } catch {
            sink.abandon()
            throw error
        }
        if target != "-" {
            print("signed \(input) with \(arn) (\(algorithm.kmsName)): \(target)")
        }
    }
}
