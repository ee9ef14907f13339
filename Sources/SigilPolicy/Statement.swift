/// One statement of a policy, compiled for evaluation.
struct Statement: Sendable {
    enum Effect: String, Sendable {
        case allow = "Allow"
        case deny = "Deny"
    }

    /// A list of patterns, or (for `NotAction`, `NotResource`) everything except them.
    struct PatternList: Sendable {
        let patterns: [WildcardPattern]
        let isNegated: Bool

        func matches(_ value: String) -> Bool {
            patterns.contains { $0.matches(value) } != isNegated
        }
    }

    let sid: String?
    let effect: Effect
    /// Nil in identity policies.
    let principal: PrincipalSet?
    let principalIsNegated: Bool
    let actions: PatternList
    let resources: PatternList
    let conditions: [Condition]

    /// How the statement's principal element applies to the caller.
    func principalMatch(_ caller: Caller) -> PrincipalSet.Match {
        guard let principal else { return .direct }
        if principalIsNegated { return principal.exempts(caller) ? .none : .direct }
        return principal.match(caller)
    }

    /// Whether the resource and the conditions apply to the request (the action and the
    /// principal are checked first, apart).
    ///
    /// A condition that cannot be decided counts against the caller: it keeps an Allow
    /// from applying and lets a Deny apply (if the statement's other conditions hold).
    func resourceAndConditionsApply(to request: AuthorizationRequest, caller: Caller) -> Bool {
        guard resources.matches(request.resource) else { return false }
        return conditions.allSatisfy { condition in
            switch condition.outcome(for: request, caller: caller) {
            case .holds: true
            case .fails: false
            case .undecidable: effect == .deny
            }
        }
    }
}

/// What one document says about one request, before policies are combined.
struct Verdict {
    /// A Deny statement applies (its principal naming the caller in either way).
    var denied = false
    /// An Allow statement names the caller itself (or anyone), or is in an identity policy.
    var allowsCaller = false
    /// An Allow statement names the caller's account, the caller being one of its users or
    /// roles: KMS lets the account's identity policies decide.
    var allowsCallerAccount = false
}
