package import ArgumentParser
internal import FoundationEssentials
package import SigilCore

/// How the data key is wrapped: to a KMS key (`--key-id`) or a raw RSA key
/// (`--key-namespace` + `--key-name`), and with which padding.
package struct RecipientOptions: ParsableArguments {
    package init() {}

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A KMS RSA key's full ARN: the aws-kms-rsa recipient that the key holder opens with KMS Decrypt.",
            valueName: "arn"))
    package var keyId: String?

    @Option(name: .long, help: ArgumentHelp("A raw RSA key's namespace (provider id).", valueName: "namespace"))
    package var keyNamespace: String?

    @Option(name: .long, help: ArgumentHelp("A raw RSA key's name (provider info).", valueName: "name"))
    package var keyName: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How the data key is wrapped: oaep-sha1, oaep-sha256 (default), oaep-sha384, oaep-sha512; --key-id takes oaep-sha1 or oaep-sha256.",
            valueName: "padding"))
    package var padding: String = "oaep-sha256"

    package enum Target {
        case kms(arn: String)
        case raw(namespace: String, name: String)
    }

    package func target() throws -> Target {
        switch (keyId, keyNamespace, keyName) {
        case let (arn?, nil, nil):
            return .kms(arn: arn)
        case let (nil, namespace?, name?):
            return .raw(namespace: namespace, name: name)
        case (nil, _?, nil), (nil, nil, _?):
            throw SigilError(.invalidArgument, "--key-namespace and --key-name go together")
        case (nil, nil, nil):
            throw SigilError(.invalidArgument, "name the key: --key-id ARN, or --key-namespace NS with --key-name NAME")
        default:
            throw SigilError(.invalidArgument, "--key-id cannot be combined with --key-namespace/--key-name")
        }
    }

    package func parsedPadding(allowInsecure: Bool) throws -> RSAEncryptionPadding {
        switch padding.lowercased() {
        case "oaep-sha1": return .oaepSHA1
        case "oaep-sha256": return .oaepSHA256
        case "oaep-sha384": return .oaepSHA384
        case "oaep-sha512": return .oaepSHA512
        case "insecure-pkcs1v15" where allowInsecure: return .insecurePKCS1v1_5
        case "insecure-pkcs1v15":
            throw SigilError(.invalidArgument, "Sigil never encrypts with PKCS#1 v1.5 padding; it only decrypts old messages with it")
        default:
            let known = "oaep-sha1, oaep-sha256, oaep-sha384, oaep-sha512" + (allowInsecure ? ", insecure-pkcs1v15" : "")
            throw SigilError(.invalidArgument, "unknown padding '\(padding)' (known: \(known))")
        }
    }
}

/// `--context KEY=VALUE`, repeatable.
package struct ContextOptions: ParsableArguments {
    package init() {}

    @Option(
        name: .long,
        help: ArgumentHelp("An encryption context pair; repeat for more.", valueName: "key=value"))
    package var context: [String] = []

    package func parsed() throws -> EncryptionContext {
        var pairs: [String: String] = [:]
        for item in context {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw SigilError(.invalidArgument, "--context takes KEY=VALUE, not '\(item)'")
            }
            let key = String(item[..<equals])
            guard pairs[key] == nil else {
                throw SigilError(.invalidArgument, "--context gives '\(key)' twice")
            }
            pairs[key] = String(item[item.index(after: equals)...])
        }
        return try EncryptionContext(pairs)
    }
}
