package import ArgumentParser
internal import FoundationEssentials
internal import SigilCore

package struct EncryptCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt data of any size to an RSA public key, offline.",
        discussion: """
            Writes an AWS Encryption SDK message (format version 2): a fresh AES-256 data key \
            encrypts the data in frames, and the data key is wrapped with RSA-OAEP for the \
            recipient. The official Encryption SDKs and `sigil decrypt` read it.

            Recipients:
              --key-id ARN                      a KMS RSA key (aws-kms-rsa): the key holder decrypts
              --key-namespace NS --key-name N   a raw RSA key, as the SDKs' raw RSA keyrings name it

            The input is streamed in constant memory. With -o, the file appears only once the \
            whole message is written; on any failure nothing is left behind.

            Examples:
              sigil encrypt --public-key kms.pem --key-id arn:aws:kms:us-east-1:111122223333:key/1234... \\
                            --context purpose=backup -o data.sigil data.tar
              tar c dir | sigil encrypt --public-key escrow.pem --key-namespace escrow --key-name 2026 > dir.sigil
            """
    )

    @Option(name: .long, help: ArgumentHelp("The recipient's RSA public key: DER or PEM.", valueName: "file"))
    package var publicKey: String

    @OptionGroup var recipient: RecipientOptions
    @OptionGroup var context: ContextOptions

    @Option(
        name: .long,
        help: ArgumentHelp("Algorithm suite: 0478 (default) or 0578 (adds an ECDSA P-384 signature; not with --key-id).", valueName: "id"))
    package var suite: String = "0478"

    @Option(name: .long, help: ArgumentHelp("Plaintext bytes per frame (default 4096).", valueName: "bytes"))
    package var frameSize: UInt32 = MessageEncoder.defaultFrameLength

    @Option(name: .long, help: ArgumentHelp("Cores to use for batches of frames (default: all, at most 8).", valueName: "count"))
    package var threads: Int = MessageEncoder.defaultThreadCount

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the message here instead of standard output.", valueName: "file"))
    package var output: String?

    @Argument(help: ArgumentHelp("The data to encrypt; - or nothing for standard input.", valueName: "input"))
    package var input: String = "-"

    package func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    package func run() throws {
        let key = try KeyFiles.publicKey(publicKey)
        let padding = try recipient.parsedPadding(allowInsecure: false)
        let recipientKey: Recipient
        switch try recipient.target() {
        case .kms(let arn):
            recipientKey = try .awsKMSRSA(keyARN: arn, publicKey: key, padding: padding)
        case let .raw(namespace, name):
            recipientKey = try .rawRSA(namespace: namespace, name: name, publicKey: key, padding: padding)
        }
        let encryptor = MessageEncryptor(
            recipients: [recipientKey], context: try context.parsed(), suite: try AlgorithmSuite(parsing: suite),
            frameLength: frameSize, threads: threads)
        let source = try InputSource(path: input)
        defer { source.close() }
        let sink = try OutputFile(path: output, private: false)
        let progress = ProgressBar(label: "encrypting", total: source.size)
        do {
            try encryptor.encrypt(readingFrom: source.descriptor, to: sink.write, progress: progress.update)
            progress.finish()
            try sink.commit()
        } catch {
            progress.finish()
            sink.abandon()
            throw error
        }
    }
}
