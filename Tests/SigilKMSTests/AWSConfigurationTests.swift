import Foundation
import SigilCrypto
import SigilKMS
import SigilTestSupport
import Testing

@Suite struct AWSConfigurationTests {
    let folder: URL

    init() throws {
        folder = try TestSupport.temporaryDirectory()
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func secret(_ credentials: AWSCredentials) -> String {
        String(decoding: credentials.secretAccessKey.unsafeBytes, as: UTF8.self)
    }

    func configurationError(_ body: () throws -> Any) -> AWSConfigurationError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? AWSConfigurationError
        }
    }

    @Test func environmentKeysComeFirst() throws {
        let configuration = AWSConfiguration(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "tok",
            "AWS_SHARED_CREDENTIALS_FILE": try write("credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n"),
        ])
        let credentials = try configuration.credentials()
        #expect(credentials.accessKeyId == "AKIDENV" && secret(credentials) == "env-secret" && credentials.sessionToken == "tok")
        #expect(!credentials.description.contains("env-secret"))
        // An explicit --profile wins over the environment, as in the AWS CLI.
        #expect(try configuration.credentials(profile: "default").accessKeyId == "AKIDFILE")
    }

    @Test func halfTheEnvironmentIsAnErrorNamingTheMissingVariable() {
        let error = configurationError { try AWSConfiguration(environment: ["AWS_ACCESS_KEY_ID": "AKID"]).credentials() }
        #expect(error?.code == .partialCredentials)
        #expect(error?.message.contains("AWS_SECRET_ACCESS_KEY") == true)
    }

    @Test func readsProfilesFromTheSharedCredentialsFile() throws {
        let path = try write(
            "credentials",
            """
            # written by sigil-keyholder
            [default]
            aws_access_key_id=AKIDDEFAULT
            aws_secret_access_key =  default/secret+x=\r
            ; another
            [ ci ]
            aws_access_key_id = AKIDCI
            aws_secret_access_key = ci-secret
            aws_session_token = ci-token
            s3 =
              max_concurrent_requests = 2
            """)
        let byDefault = try AWSConfiguration(environment: ["AWS_SHARED_CREDENTIALS_FILE": path]).credentials()
        #expect(byDefault.accessKeyId == "AKIDDEFAULT" && secret(byDefault) == "default/secret+x=")
        let ci = try AWSConfiguration(environment: ["AWS_SHARED_CREDENTIALS_FILE": path, "AWS_PROFILE": "ci"]).credentials()
        #expect(ci.accessKeyId == "AKIDCI" && secret(ci) == "ci-secret" && ci.sessionToken == "ci-token")
        let explicit = try AWSConfiguration(environment: ["AWS_SHARED_CREDENTIALS_FILE": path, "AWS_PROFILE": "ci"])
            .credentials(profile: "default")
        #expect(explicit.accessKeyId == "AKIDDEFAULT")
    }

    @Test func fallsBackToTheConfigFileAndTheHomeFolder() throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        _ = try write(".aws/config", "[profile dev]\naws_access_key_id = AKIDCONF\naws_secret_access_key = conf\nregion = ap-south-1\n")
        let configuration = AWSConfiguration(environment: ["HOME": folder.path, "AWS_PROFILE": "dev"])
        #expect(configuration.credentialsFilePath == folder.path + "/.aws/credentials")
        #expect(try configuration.credentials().accessKeyId == "AKIDCONF")
        #expect(try configuration.region() == "ap-south-1")
    }

    @Test func errorsNameTheProfileAndFiles() throws {
        let path = try write("credentials", "[default]\naws_access_key_id = AKID\n")
        let partial = configurationError {
            try AWSConfiguration(environment: ["AWS_SHARED_CREDENTIALS_FILE": path, "HOME": folder.path]).credentials()
        }
        #expect(partial?.code == .partialCredentials)
        #expect(partial?.message.contains("aws_secret_access_key") == true && partial?.message.contains(path) == true)

        let unknown = configurationError {
            try AWSConfiguration(environment: ["AWS_SHARED_CREDENTIALS_FILE": path, "HOME": folder.path, "AWS_PROFILE": "nope"])
                .credentials()
        }
        #expect(unknown?.code == .profileNotFound)
        #expect(unknown?.message.contains("'nope'") == true)

        let none = configurationError {
            try AWSConfiguration(environment: ["HOME": folder.path + "/empty"]).credentials()
        }
        #expect(none?.code == .noCredentials)
        #expect(none?.message.contains("AWS_ACCESS_KEY_ID") == true)

        let broken = try write("broken", "[default\naws_access_key_id = x\n")
        let malformed = configurationError {
            try AWSConfiguration(environment: ["AWS_SHARED_CREDENTIALS_FILE": broken, "HOME": folder.path]).credentials()
        }
        #expect(malformed?.code == .unreadableFile)
        #expect(malformed?.message.contains("\(broken):1") == true)
    }

    @Test func regionComesFromFlagThenEnvironmentThenConfigThenDefault() throws {
        let config = try write("config", "[default]\nregion = eu-north-1\n[profile other]\nregion = sa-east-1\n")
        var environment = ["AWS_CONFIG_FILE": config, "HOME": folder.path]
        #expect(try AWSConfiguration(environment: environment).region() == "eu-north-1")
        #expect(try AWSConfiguration(environment: environment).region(profile: "other") == "sa-east-1")
        environment["AWS_DEFAULT_REGION"] = "us-west-1"
        #expect(try AWSConfiguration(environment: environment).region() == "us-west-1")
        environment["AWS_REGION"] = "us-west-2"
        #expect(try AWSConfiguration(environment: environment).region() == "us-west-2")
        #expect(try AWSConfiguration(environment: environment).region(explicit: "ca-central-1") == "ca-central-1")
        #expect(try AWSConfiguration(environment: ["HOME": folder.path + "/none"]).region() == "us-east-1")
    }
}
