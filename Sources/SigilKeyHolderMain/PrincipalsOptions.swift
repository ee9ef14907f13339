import ArgumentParser
import Foundation
import Glibc
import SigilCrypto
import SigilKeyStore
import SigilPolicy

// The options several `principals` verbs share.

struct PrincipalsCredentialsFileOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Write the new access key to this AWS shared-credentials file instead of printing its secret "
                + "(mode 0600; other profiles are kept).",
            valueName: "file"))
    var credentialsFile: String?

    @Option(name: .long, help: ArgumentHelp("The profile to write in --credentials-file.", valueName: "name"))
    var profile: String?

    /// The file to write, checked now so that a bad path fails before anything changes;
    /// `nil` when the secret is to be printed.
    func prepare() throws -> PrincipalsCredentialsFile? {
        switch (credentialsFile, profile) {
        case (nil, nil):
            return nil
        case (nil, _?):
            throw CommandFailure.usage("--profile names a profile of --credentials-file, which is missing")
        case (_?, nil):
            throw CommandFailure.usage("--credentials-file needs --profile NAME: the profile to write")
        case (let path?, let profile?):
            return try PrincipalsCredentialsFile(path: path, profile: profile)
        }
    }
}

enum PrincipalsOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
