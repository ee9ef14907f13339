import ArgumentParser
import Foundation
import Glibc
import SigilCrypto
import SigilKeyStore
import SigilPolicy

struct PrincipalsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List principals: ARN, kind, identity policy or not, access key ids (never secrets).")

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: ArgumentHelp("Only this 12-digit account's principals.", valueName: "id"))
    var account: String?

    @Option(name: .long, help: ArgumentHelp("text (a table), or json for scripts.", valueName: "format"))
    var output: PrincipalsOutputFormat = .text

    func run() async throws {
        try runVerb {
            if let account { try PrincipalsTool.checkAccount(account) }
            let principals = try store.open().principals(account: account)
            switch output {
            case .json:
                let list: [[String: Any]] = principals.map { principal in
                    [
                        "Arn": principal.arn, "Account": principal.account, "Kind": principal.kind.rawValue,
                        "Name": principal.name, "HasIdentityPolicy": principal.identityPolicy != nil,
                        "CreateDate": principal.creationDate.timeIntervalSince1970,
                        "AccessKeys": principal.accessKeys.map { key in
                            [
                                "AccessKeyId": key.id, "Status": key.isActive ? "Active" : "Inactive",
                                "CreateDate": key.creationDate.timeIntervalSince1970,
                            ] as [String: Any]
                        },
                    ]
                }
                PrincipalsTool.printJSON(["Principals": list])
            case .text:
                var rows = [["ARN", "KIND", "IDENTITY POLICY", "ACCESS KEYS"]]
                for principal in principals {
                    let keys = principal.accessKeys.map { "\($0.id) (\($0.isActive ? "active" : "inactive"))" }
                    rows.append([
                        principal.arn, principal.kind.rawValue, principal.identityPolicy == nil ? "no" : "yes",
                        keys.isEmpty ? "none" : keys.joined(separator: ", "),
                    ])
                }
                let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
                for row in rows {
                    let padded = (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                    say((padded + [row[3]]).joined(separator: "  "))
                }
            }
        }
    }
}
