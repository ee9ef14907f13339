public import Foundation

/// What kind of IAM identity a principal is.
public enum PrincipalKind: String, Sendable, Hashable, CaseIterable {
    /// The account itself, `arn:aws:iam::ACCOUNT:root`: one per account, made with the
    /// account's first user or role (or with the data directory, for its own account).
    case root
    /// A user, `arn:aws:iam::ACCOUNT:user/NAME`.
    case user
    /// A role, `arn:aws:iam::ACCOUNT:role/NAME`. The key holder has no AssumeRole: a
    /// role's access keys act as the role directly.
    case role
}

/// An access key as a principal's listing shows it: never its secret.
public struct AccessKeySummary: Sendable, Hashable {
    /// The 20-character access key id (`AKIA…`).
    public var id: String
    /// Whether it may still be used; `false` once revoked or rotated out.
    public var isActive: Bool
    /// When it was created.
    public var creationDate: Date
}

/// A principal of the key holder's credential store: an account root, a user or a role,
/// its identity policy and its access keys.
public struct PrincipalRecord: Sendable, Hashable {
    /// `arn:aws:iam::ACCOUNT:root`, `arn:aws:iam::ACCOUNT:user/NAME` or
    /// `arn:aws:iam::ACCOUNT:role/NAME`.
    public var arn: String
    /// The 12-digit account.
    public var account: String
    /// Root, user or role.
    public var kind: PrincipalKind
    /// The user or role name; `root` for an account root.
    public var name: String
    /// The identity policy JSON exactly as given, or `nil` when it has none (an account
    /// root never has one).
    public var identityPolicy: String?
    /// When it was created.
    public var creationDate: Date
    /// Its access keys, oldest first, revoked ones included.
    public var accessKeys: [AccessKeySummary]

    /// The longest user or role name.
    public static let maximumNameLength = 64

    /// The ARN of a principal; not validated (see
    /// ``KeyStore/addPrincipal(account:kind:name:identityPolicy:now:)`` for the rules).
    ///
    /// - Parameters:
    ///   - account: The 12-digit account.
    ///   - kind: Root, user or role.
    ///   - name: The user or role name; ignored for ``PrincipalKind/root``.
    /// - Returns: `arn:aws:iam::ACCOUNT:root`, `…:user/NAME` or `…:role/NAME`.
    public static func arn(account: String, kind: PrincipalKind, name: String) -> String {
        switch kind {
        case .root: return "arn:aws:iam::\(account):root"
        case .user: return "arn:aws:iam::\(account):user/\(name)"
        case .role: return "arn:aws:iam::\(account):role/\(name)"
        }
    }

    /// Whether `name` is a valid user or role name: 1 to 64 of `A–Z a–z 0–9 + = , . @ _ -`.
    ///
    /// - Parameter name: The name to check.
    /// - Returns: `true` when IAM would accept it.
    public static func isValidName(_ name: String) -> Bool {
        (1...maximumNameLength).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte) || (0x30...0x39).contains(byte)
                    || nameSymbols.contains(byte)
            }
    }

    private static let nameSymbols = Array("+=,.@_-".utf8)

    /// Splits a principal ARN into its parts.
    ///
    /// - Parameter arn: An ARN such as `arn:aws:iam::111122223333:user/alice`.
    /// - Returns: The account, kind and name (`root` for a root), or `nil` when `arn` is
    ///   not a valid root, user or role ARN.
    public static func components(ofARN arn: String) -> (account: String, kind: PrincipalKind, name: String)? {
        let prefix = "arn:aws:iam::"
        guard arn.hasPrefix(prefix) else { return nil }
        let rest = arn.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let account = String(rest[..<colon])
        guard account.utf8.count == 12, account.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let resource = rest[rest.index(after: colon)...]
        if resource == "root" { return (account, .root, "root") }
        for kind in [PrincipalKind.user, .role] where resource.hasPrefix("\(kind.rawValue)/") {
            let name = String(resource.dropFirst(kind.rawValue.count + 1))
            return isValidName(name) ? (account, kind, name) : nil
        }
        return nil
    }
}
