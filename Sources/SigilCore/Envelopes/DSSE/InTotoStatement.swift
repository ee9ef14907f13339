public import FoundationEssentials

/// An in-toto attestation statement (v1): what was made (the subjects, each named and
/// identified by digests) and a typed claim about it (the predicate).
///
/// Obtain one from a verified envelope with ``VerifiedDSSE/inTotoStatement()``: a statement
/// parsed from bytes nobody verified says nothing.
public struct InTotoStatement: Sendable {
    /// One artifact the statement is about.
    public struct Subject: Sendable, Hashable {
        /// The artifact's name, such as a file name; may be empty.
        public let name: String
        /// Its digests, by algorithm name as in-toto spells them (`sha256`, `sha512`,
        /// `gitCommit`…), each a hex string.
        public let digest: [String: String]

        /// A subject named `name` with `digest` (algorithm name to hex).
        public init(name: String, digest: [String: String]) {
            self.name = name
            self.digest = digest
        }

        /// Whether `bytes` are this subject, by every SHA-2 digest the subject lists.
        ///
        /// - Parameter bytes: The artifact.
        /// - Returns: `true` when each of the subject's `sha256`, `sha384` and `sha512`
        ///   digests that is present matches.
        /// - Throws: ``SigilError`` with code `unsupportedMessage` when the subject lists none
        ///   of them, `malformedMessage` when one is not lowercase hex of the right length.
        public func matches(_ bytes: some DataProtocol) throws -> Bool {
            let expected = try supportedDigests()
            for (function, digest) in expected where try function.hash(bytes) != digest {
                return false
            }
            return true
        }

        /// Whether the file at `url` is this subject, by every SHA-2 digest the subject
        /// lists; the file is read once, in constant memory.
        ///
        /// - Parameter url: The artifact's file.
        /// - Returns: `true` when each of the subject's `sha256`, `sha384` and `sha512`
        ///   digests that is present matches.
        /// - Throws: As ``matches(_:)`` does, and `ioFailure` when the file cannot be read.
        public func matches(contentsOf url: URL) throws -> Bool {
            let expected = try supportedDigests()
            let actual = try DSSEArtifactDigests(contentsOf: url, functions: expected.map(\.0))
            return expected.allSatisfy { actual[$0.0] == $0.1 }
        }

        /// The subject's SHA-2 digests, decoded.
        func supportedDigests() throws -> [(HashFunction, [UInt8])] {
            var found: [(HashFunction, [UInt8])] = []
            for (name, function) in InTotoStatement.digestAlgorithms {
                guard let text = digest[name] else { continue }
                guard text.utf8.count == 2 * function.digestSize, let bytes = DSSEArtifactDigests.bytes(lowercaseHex: text) else {
                    throw SigilError(
                        .malformedMessage,
                        "subject '\(name)' digest of '\(self.name)' is not \(2 * function.digestSize) lowercase hex digits")
                }
                found.append((function, bytes))
            }
            guard !found.isEmpty else {
                let listed = digest.keys.sorted().joined(separator: ", ")
                throw SigilError(
                    .unsupportedMessage,
                    "subject '\(name)' has no sha256, sha384 or sha512 digest (it lists: \(listed.isEmpty ? "none" : listed))")
            }
            return found
        }
    }

    /// The statement type of in-toto attestation v1.
    public static let statementTypeV1 = "https://in-toto.io/Statement/v1"
    /// The statement type of the earlier v0.1, which has the same fields.
    public static let statementTypeV01 = "https://in-toto.io/Statement/v0.1"

    static let digestAlgorithms: [(String, HashFunction)] = [("sha256", .sha256), ("sha384", .sha384), ("sha512", .sha512)]

    /// The statement's `_type`: ``statementTypeV1`` or ``statementTypeV01``.
    public let type: String
    /// The artifacts the statement is about; never empty.
    public let subjects: [Subject]
    /// The URI naming the predicate's schema, such as `https://slsa.dev/provenance/v1`.
    public let predicateType: String
    /// The predicate, uninterpreted (`nil` when absent), as the strict JSON reader gives it:
    /// numbers keep their literal text.
    public let predicate: JOSEJSON?

    /// Parses a statement from its JSON.
    ///
    /// - Parameter jsonRepresentation: The statement, usually a verified DSSE payload.
    /// - Throws: ``SigilError`` with code `malformedMessage` for JSON that is not a
    ///   statement (no subject, a subject without digests, no predicate type),
    ///   `unsupportedMessage` for another `_type`.
    public init(jsonRepresentation: some DataProtocol) throws {
        let (wire, tree) = try DSSEJSON.decodeWithTree(Wire.self, from: jsonRepresentation, what: "the in-toto statement")
        guard wire._type == Self.statementTypeV1 || wire._type == Self.statementTypeV01 else {
            throw SigilError(.unsupportedMessage, "the in-toto statement type '\(wire._type)' is not \(Self.statementTypeV1)")
        }
        guard !wire.subject.isEmpty else {
            throw SigilError(.malformedMessage, "the in-toto statement has no subject")
        }
        for (position, subject) in wire.subject.enumerated() where subject.digest.isEmpty {
            throw SigilError(.malformedMessage, "in-toto subject \(position) ('\(subject.name ?? "")') has no digest")
        }
        guard !wire.predicateType.isEmpty else {
            throw SigilError(.malformedMessage, "the in-toto statement has an empty predicateType")
        }
        type = wire._type
        subjects = wire.subject.map { Subject(name: $0.name ?? "", digest: $0.digest) }
        predicateType = wire.predicateType
        predicate = tree["predicate"]
    }

    /// The subjects that `bytes` are, by their SHA-2 digests; subjects that list none of
    /// the supported algorithms are passed over.
    ///
    /// - Throws: ``SigilError`` with code `unsupportedMessage` when no subject lists a
    ///   supported algorithm, `malformedMessage` for a malformed digest.
    public func subjects(matching bytes: some DataProtocol) throws -> [Subject] {
        try usableSubjects().filter { try $0.matches(bytes) }
    }

    /// The subjects that the file at `url` is, by their SHA-2 digests; the file is read
    /// once, whatever the number of subjects.
    ///
    /// - Throws: As ``subjects(matching:)`` does, and `ioFailure` when the file cannot be
    ///   read.
    public func subjects(matchingContentsOf url: URL) throws -> [Subject] {
        let usable = try usableSubjects()
        let actual = try DSSEArtifactDigests(contentsOf: url, functions: Self.digestAlgorithms.map(\.1))
        return try usable.filter { subject in
            try subject.supportedDigests().allSatisfy { actual[$0.0] == $0.1 }
        }
    }

    private func usableSubjects() throws -> [Subject] {
        let usable = subjects.filter { subject in Self.digestAlgorithms.contains { subject.digest[$0.0] != nil } }
        guard !usable.isEmpty else {
            throw SigilError(.unsupportedMessage, "no in-toto subject has a sha256, sha384 or sha512 digest")
        }
        return usable
    }

    private struct Wire: Decodable {
        struct Subject: Decodable {
            var name: String?
            var digest: [String: String]
        }

        var _type: String
        var subject: [Subject]
        var predicateType: String
    }
}
