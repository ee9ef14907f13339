import ArgumentParser
import Foundation
import Sigil
import SigilCommands
import SigilKMS

struct KeysScheduleDeletionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule-deletion",
        abstract: "Schedule a key's deletion after a waiting period of 7 to 30 days.",
        discussion: """
            Until the period ends the key is PendingDeletion: unusable, but `sigil keys \
            cancel-deletion` brings it back (Disabled). Then it is deleted, and whatever it \
            encrypted can never be decrypted again.
            """
    )

    @OptionGroup var options: KeysCommonOptions

    @Option(name: .long, help: ArgumentHelp("The waiting period in days, 7–30 (default 30).", valueName: "n"))
    var days: Int?

    @Argument(help: ArgumentHelp("The key: id or ARN.", valueName: "key"))
    var key: String

    func validate() throws {
        if let days, !(7...30).contains(days) {
            throw ValidationError("--days is 7 to 30, not \(days)")
        }
    }

    func run() async throws {
        let response = try await options.keyHolder.connection().call {
            try await $0.scheduleKeyDeletion(keyId: key, pendingWindowInDays: days)
        }
        switch options.output {
        case .json:
            try KMSOutput.printJSON(response)
        case .text:
            print(
                "\(response.keyId ?? key) is \(response.keyState?.rawValue ?? "PendingDeletion"): deleted on "
                    + "\(KMSOutput.date(response.deletionDate))"
                    + (response.pendingWindowInDays.map { " (in \($0) days)" } ?? "")
                    + "; `sigil keys cancel-deletion` stops it")
        }
    }
}
