/// The principals a statement names in `Principal` or `NotPrincipal`, read into sets.
struct PrincipalSet: Sendable {
    /// `"*"` or `{"AWS": "*"}`: anyone.
    let anyone: Bool
    /// Accounts named by id or by root ARN.
    let accounts: [String]
    /// Users and roles named by ARN.
    let identities: Set<String>
    /// The values as written, for the canonical form.
    let written: [String]
    /// The policy wrote `"Principal": "*"` rather than an object.
    let isBareWildcard: Bool

    /// How a statement's principal element applies to a caller.
    enum Match {
        /// It does not apply.
        case none
        /// It names the caller itself (its ARN, its account's root when the caller is that
        /// root, or anyone).
        case direct
        /// It names the caller's account, and the caller is a user or role of that account:
        /// in a key policy an Allow then only delegates to the account's identity policies.
        case account
    }

    /// How a `Principal` element applies to `caller`.
    func match(_ caller: Caller) -> Match {
        if anyone || identities.contains(caller.arn) { return .direct }
        if accounts.contains(caller.account) { return caller.isRoot ? .direct : .account }
        return .none
    }

    /// Whether a `NotPrincipal` element exempts `caller`. As in AWS, naming an account
    /// exempts its root only; a user or role is exempt when both it and its account are named.
    func exempts(_ caller: Caller) -> Bool {
        guard accounts.contains(caller.account) else { return false }
        return caller.isRoot || identities.contains(caller.arn)
    }
}

/// The forms of principal Sigil accepts: `*`, a 12-digit account id, and the IAM ARNs
/// `arn:aws:iam::ACCOUNT:root`, `…:user/NAME` and `…:role/NAME` (a name may carry a path).
enum PrincipalSyntax {
    enum Form {
        case anyone
        case account(String)
        case identity(arn: String, account: String)
    }

    static func parse(_ text: String) -> Form? {
        if text == "*" { return .anyone }
        if isAccountID(text) { return .account(text) }
        let prefix = "arn:aws:iam::"
        guard text.hasPrefix(prefix) else { return nil }
        let rest = text.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let account = String(rest[..<colon])
        let resource = rest[rest.index(after: colon)...]
        guard isAccountID(account) else { return nil }
        if resource == "root" { return .account(account) }
        for kind in ["user/", "role/"] where resource.hasPrefix(kind) {
            return isIAMName(resource.dropFirst(kind.count)) ? .identity(arn: text, account: account) : nil
        }
        return nil
    }

    static func isAccountID(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// An IAM user or role name, optionally after a path: letters, digits and `+=,.@_-`,
    /// segments separated by single slashes, no slash at either end.
    private static func isIAMName(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 512, !text.hasPrefix("/"), !text.hasSuffix("/"), !text.contains("//") else {
            return false
        }
        return text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            case UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "@"),
                UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"):
                true
            default:
                false
            }
        }
    }
}
