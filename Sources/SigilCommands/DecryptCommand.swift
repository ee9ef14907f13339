package import ArgumentParser
internal import FoundationEssentials
package import SigilCore

/// Where `decrypt --key-id` without `--private-key` sends the wrapped data key: the key
/// holder's Decrypt in `sigil`; nowhere in `sigil-device`, which has no key-holder client.
package protocol RemoteDataKeyUnwrapping: ParsableArguments {
    /// How `--help` describes the remote path (a paragraph, or nothing).
    static var decryptHelp: String { get }

    /// An unwrapper for the aws-kms-rsa data keys of `keyARN`.
    func unwrapper(keyARN: String, padding: RSAEncryptionPadding) throws -> any DataKeyUnwrapper
}

/// The offline build's answer to `decrypt --key-id` without a private key.
package struct NoKeyHolder: RemoteDataKeyUnwrapping {
    package init() {}

    package static let decryptHelp = """
        This build has no key-holder client: an aws-kms-rsa recipient (--key-id) decrypts \
        here only with its --private-key; `sigil decrypt` asks the key holder instead.
        """

    package func unwrapper(keyARN: String, padding: RSAEncryptionPadding) throws -> any DataKeyUnwrapper {
        throw SigilError(
            .invalidArgument,
            "--key-id without --private-key needs the key holder, and this build has no key-holder client; use `sigil decrypt`")
    }
}

/// The decryption verb, shared by `sigil` (KeyHolder: the key holder's options) and
/// `sigil-device` (``NoKeyHolder``).
package struct DecryptCommand<KeyHolder: RemoteDataKeyUnwrapping>: AsyncParsableCommand {
    package init() {}

    package static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt an Encryption SDK message with a local RSA private key, or through the key holder.",
        discussion: """
            Reads messages that `sigil encrypt` or an official Encryption SDK wrote (format \
            version 2, committing suites 0478 and 0578, framed or not). The commit key and the \
            header are checked before anything else, every frame before its plaintext is used, \
            and the footer signature of 0578 messages at the end.

            With -o, the plaintext file (mode 0600) appears only once the whole message, footer \
            included, has verified; on any failure the target is untouched. To standard output, \
            plaintext is written frame by frame as each frame verifies: a failure later on exits \
            non-zero, and what was written must be discarded.

            Every --context pair must be in the message's encryption context.

            \(KeyHolder.decryptHelp)

            Examples:
              sigil decrypt --private-key escrow.pem --key-namespace escrow \\
                            --key-name 2026 -o dir.tar dir.sigil
              sigil decrypt --key-id arn:aws:kms:us-east-1:111122223333:key/1234... \\
                            -o data.tar data.sigil

            Exit codes: 0 decrypted; 1 the message does not decrypt (altered, truncated, not for \
            this key, missing context); 2 usage or input error.
            """
    ) }

    @Option(
        name: .long,
        help: ArgumentHelp("The RSA private key: PKCS#8, PEM or DER. Without it, --key-id goes to the key holder.", valueName: "file"))
    package var privateKey: String?

    @OptionGroup var recipient: RecipientOptions
    @OptionGroup var context: ContextOptions
    @OptionGroup var keyHolder: KeyHolder

    @Option(name: .long, help: ArgumentHelp("Refuse headers with more encrypted data keys than this.", valueName: "count"))
    package var maxEncryptedDataKeys: Int = DecryptionLimits.default.maximumEncryptedDataKeys

    @Option(name: .long, help: ArgumentHelp("Refuse frames longer than this.", valueName: "bytes"))
    package var maxFrameSize: UInt32 = DecryptionLimits.default.maximumFrameLength

    @Option(name: .long, help: ArgumentHelp("Cores to use for batches of frames (default: all, at most 8).", valueName: "count"))
    package var threads: Int = MessageEncoder.defaultThreadCount

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the plaintext here instead of standard output.", valueName: "file"))
    package var output: String?

    @Argument(help: ArgumentHelp("The message; - or nothing for standard input.", valueName: "input"))
    package var input: String = "-"

    /// Failures that mean "this message does not decrypt", as opposed to bad usage.
    package static var messageFailures: Set<SigilError.Code> { [
        .authenticationFailure, .decryptionFailure, .noMatchingRecipient, .encryptionContextMismatch,
        .malformedMessage, .unsupportedMessage,
    ] }

    package func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    package func run() async throws {
        let padding = try recipient.parsedPadding(allowInsecure: true)
        let unwrapper: any DataKeyUnwrapper
        switch (try recipient.target(), privateKey) {
        case (.kms(let arn), let path?):
            unwrapper = LocalRSAKeyUnwrapper(privateKey: try KeyFiles.privateKey(path), keyARN: arn, padding: padding)
        case (.kms(let arn), nil):
            unwrapper = try keyHolder.unwrapper(keyARN: arn, padding: padding)
        case let (.raw(namespace, name), path?):
            unwrapper = LocalRSAKeyUnwrapper(
                privateKey: try KeyFiles.privateKey(path), namespace: namespace, name: name, padding: padding)
        case (.raw, nil):
            throw SigilError(
                .invalidArgument, "a raw RSA recipient (--key-namespace/--key-name) needs --private-key; only --key-id goes to the key holder")
        }
        guard maxEncryptedDataKeys > 0 else {
            throw SigilError(.invalidArgument, "--max-encrypted-data-keys must be at least 1")
        }
        let decryptor = MessageDecryptor(
            unwrapper: unwrapper,
            limits: DecryptionLimits(maximumEncryptedDataKeys: maxEncryptedDataKeys, maximumFrameLength: maxFrameSize),
            requiredContext: try context.parsed(), threads: threads)
        let source = try InputSource(path: input)
        defer { source.close() }
        let sink = try OutputFile(path: output, private: true)
        let progress = ProgressBar(label: "decrypting", total: source.size)
        do {
            try await decryptor.decrypt(readingFrom: source.descriptor, to: sink.write, progress: progress.update)
            progress.finish()
            try sink.commit()
        } catch let error as SigilError where Self.messageFailures.contains(error.code) {
            progress.finish()
            sink.abandon()
            Terminal.writeError("\(error)")
            throw ExitCode(ExitStatus.invalidSignature)
        } catch {
            progress.finish()
            sink.abandon()
            throw error
        }
    }
}

package struct InspectCommand: ParsableCommand {
    package init() {}

    package static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an Encryption SDK message's header without decrypting it.",
        discussion: """
            Prints the algorithm suite, message id, encryption context, recipients (provider id \
            and info of each encrypted data key) and frame length. Nothing here is authenticated \
            until the message is decrypted.
            """
    )

    @Option(name: .long, help: "Print text or a JSON object for scripts.")
    package var output: OutputFormat = .text

    @Argument(help: ArgumentHelp("The message; - for standard input.", valueName: "message"))
    package var message: String

    package func run() throws {
        let source = try InputSource(path: message)
        defer { source.close() }
        let header = try MessageHeader.read(fromDescriptor: source.descriptor)
        let recipients = header.encryptedDataKeys.map { key in
            ["providerId": key.providerID, "providerInfo": key.providerInfoText ?? Data(key.providerInfo).base64EncodedString()]
        }
        let contentType = header.contentType == .framed ? "framed" : "non-framed"
        switch output {
        case .text:
            print("Format:       AWS Encryption SDK message, version 2")
            print("Suite:        \(header.suite)")
            print("Message id:   \(Data(header.messageID).base64EncodedString())")
            print("Content:      \(contentType)\(header.contentType == .framed ? ", \(header.frameLength)-byte frames" : "")")
            if header.encryptionContext.isEmpty {
                print("Context:      (empty)")
            } else {
                for (index, key) in header.encryptionContext.pairs.keys.sorted().enumerated() {
                    print("\(index == 0 ? "Context:     " : "            ") \(key)=\(header.encryptionContext[key]!)")
                }
            }
            for (index, recipient) in recipients.enumerated() {
                print("\(index == 0 ? "Recipients:  " : "             ") \(recipient["providerId"]!) \(recipient["providerInfo"]!)")
            }
        case .json:
            Terminal.printJSON([
                "formatVersion": 2, "suite": .string(header.suite.hexID), "suiteName": .string(header.suite.name),
                "messageId": .string(Data(header.messageID).base64EncodedString()), "contentType": .string(contentType),
                "frameLength": .integer(Int(header.frameLength)),
                "encryptionContext": .object(header.encryptionContext.pairs.mapValues(JSONValue.string)),
                "recipients": .array(recipients.map { .object($0.mapValues(JSONValue.string)) }),
            ])
        }
    }
}
