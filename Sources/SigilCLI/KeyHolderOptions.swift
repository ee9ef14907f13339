import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

/// Where the key holder is and who is asking: configured as the AWS CLI is, so that the
/// same environment drives `aws kms` and `sigil`.
struct KeyHolderOptions: RemoteDataKeyUnwrapping {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The key holder's URL (default: $SIGIL_ENDPOINT_URL, then $AWS_ENDPOINT_URL_KMS, $AWS_ENDPOINT_URL, then \(Self.defaultEndpoint)).",
            valueName: "url"))
    var endpointURL: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The region to sign requests for (default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile's region, us-east-1).",
            valueName: "region"))
    var region: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A profile of the shared credentials file ($AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials); wins over $AWS_ACCESS_KEY_ID.",
            valueName: "name"))
    var profile: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "PEM certificates to trust for an https:// key holder, such as a private CA's (default: $AWS_CA_BUNDLE; otherwise the system's).",
            valueName: "file"))
    var caBundle: String?

    static let decryptHelp = """
        With --key-id ARN and no --private-key, the data key is unwrapped by the key \
        holder's Decrypt (RSAES_OAEP_SHA_256 for --padding oaep-sha256, RSAES_OAEP_SHA_1 for \
        oaep-sha1): the private key stays there. The key holder is configured as for \
        `sigil keys` (--endpoint-url, --region, --profile, AWS credentials); the message \
        body is still decrypted here.
        """

    func unwrapper(keyARN: String, padding: RSAEncryptionPadding) throws -> any DataKeyUnwrapper {
        try KMSDataKeyUnwrapper(connection: connection(), keyARN: keyARN, padding: padding)
    }

    /// Where `sigil-keyholder serve` listens when told nothing else.
    static let defaultEndpoint = "http://127.0.0.1:4599"

    /// The endpoint in effect, checked.
    func endpoint(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        let candidates: [(String, String?)] = [
            ("--endpoint-url", endpointURL),
            ("SIGIL_ENDPOINT_URL", environment["SIGIL_ENDPOINT_URL"]),
            ("AWS_ENDPOINT_URL_KMS", environment["AWS_ENDPOINT_URL_KMS"]),
            ("AWS_ENDPOINT_URL", environment["AWS_ENDPOINT_URL"]),
        ]
        let (source, text) = candidates.first { !($0.1 ?? "").isEmpty }.map { ($0.0, $0.1!) }
            ?? ("the default", Self.defaultEndpoint)
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            throw SigilError(.invalidArgument, "\(source) '\(text)' is not an http:// or https:// URL with a host")
        }
        return url
    }

    /// A client for the key holder, with credentials and region found as the AWS CLI finds them.
    func connection() throws -> KeyHolderConnection {
        let configuration = AWSConfiguration()
        let endpoint = try endpoint()
        do {
            let credentials = try configuration.credentials(profile: profile)
            let region = try configuration.region(explicit: region, profile: profile)
            let bundle = caBundle ?? ProcessInfo.processInfo.environment["AWS_CA_BUNDLE"]
            let transport = if let bundle, !bundle.isEmpty { try CABundleTransport.make(bundle: bundle) } else { HTTPClientTransport() }
            return KeyHolderConnection(
                client: KMSClient(endpoint: endpoint, region: region, credentials: credentials, transport: transport),
                endpoint: endpoint)
        } catch let error as AWSConfigurationError {
            throw SigilError(.invalidArgument, error.message)
        }
    }
}

/// A configured client, whose calls turn transport failures into one clear line.
struct KeyHolderConnection: Sendable {
    let client: KMSClient
    let endpoint: URL

    /// Runs one or more KMS calls. A KMS error passes through as it is (the key holder's
    /// `__type` and message); a connection failure becomes an error naming the endpoint.
    func call<Result>(_ body: (KMSClient) async throws -> Result) async throws -> Result {
        do {
            return try await body(client)
        } catch let error as KMSError {
            throw error
        } catch let error as SigilError {
            throw error
        } catch {
            throw SigilError(
                .ioFailure,
                "cannot reach the key holder at \(endpoint.absoluteString): \(error) "
                    + "(is `sigil-keyholder serve` running? see --endpoint-url)")
        }
    }
}

/// Prints values as the KMS API shapes them (the members the AWS CLI prints), pretty and
/// with sorted keys.
enum KMSOutput {
    static func printJSON(_ value: some Encodable) throws {
        let compact = try KMSJSON.encode(value)
        let object = try JSONSerialization.jsonObject(with: compact)
        let pretty = try JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        FileHandle.standardOutput.write(pretty + Data("\n".utf8))
    }

    /// A date as people read it: `2026-03-01 12:00:00 UTC`.
    static func date(_ date: Date?) -> String {
        guard let date else { return "-" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }
}
