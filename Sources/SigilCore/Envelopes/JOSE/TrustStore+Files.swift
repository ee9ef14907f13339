public import FoundationEssentials
import SigilCrypto

extension TrustStore {
    /// A store of public keys built in code, each under its RFC 7638 JWK thumbprint and
    /// allowed every algorithm that suits it.
    ///
    /// - Throws: ``SigilError`` with code `unsupportedKey` for a key JWK cannot express,
    ///   `invalidArgument` when a key is given twice.
    public init(publicKeys: [PublicKey]) throws {
        try self.init(publicKeys.map { key in
            try TrustedKey(id: JWK.thumbprint(of: key), publicKey: key)
        })
    }

    /// A store of the `PUBLIC KEY` blocks of PEM text, in order, each under its RFC 7638
    /// JWK thumbprint and allowed every algorithm that suits it.
    ///
    /// - Parameters:
    ///   - pemText: One or more `-----BEGIN PUBLIC KEY-----` blocks; text between blocks is
    ///     ignored, blocks of other labels are refused.
    ///   - source: Where the text came from, for error messages.
    /// - Throws: ``SigilError`` with code `malformedKey` for no block or a block of another
    ///   label, as ``PublicKey/init(pemRepresentation:)`` for a bad key, and
    ///   `invalidArgument` when a key is given twice.
    public init(pemText: String, source: String = "the PEM text") throws {
        try self.init(publicKeys: Self.publicKeys(inPEM: pemText, source: source))
    }

    /// A store of the `PUBLIC KEY` blocks of a PEM file; see ``init(pemText:source:)``.
    ///
    /// - Throws: ``SigilError`` with code `ioFailure` when the file cannot be read, and as
    ///   ``init(pemText:source:)``.
    public init(pemFileAt url: URL) throws {
        try self.init(publicKeys: Self.publicKeys(inPEMFileAt: url))
    }

    /// A store of the `PUBLIC KEY` blocks of every `*.pem` file directly in a directory
    /// (not its subdirectories), files taken in name order; see ``init(pemText:source:)``.
    ///
    /// - Throws: ``SigilError`` with code `ioFailure` when the directory cannot be listed or
    ///   a file read, `invalidArgument` when it holds no `.pem` file or a key twice, and as
    ///   ``init(pemText:source:)``.
    public init(pemDirectoryAt url: URL) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch {
            throw SigilError(.ioFailure, "cannot list \(url.path): it does not exist or is not a readable directory")
        }
        let files = names.filter { $0.hasSuffix(".pem") }.sorted()
        guard !files.isEmpty else {
            throw SigilError(.invalidArgument, "\(url.path) holds no .pem file")
        }
        try self.init(publicKeys: files.flatMap { name in
            try Self.publicKeys(inPEMFileAt: url.appendingPathComponent(name))
        })
    }

    private static func publicKeys(inPEMFileAt url: URL) throws -> [PublicKey] {
        guard let text = String(data: try contents(of: url), encoding: .utf8) else {
            throw SigilError(.malformedKey, "\(url.path) is not UTF-8 text")
        }
        return try publicKeys(inPEM: text, source: url.path)
    }

    /// The public keys of each PEM block in `text`.
    static func publicKeys(inPEM text: String, source: String) throws -> [PublicKey] {
        var keys: [PublicKey] = []
        var block: [Substring]? = nil
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(where: \.isSpaceOrTab)
            if line.hasPrefix("-----BEGIN ") {
                guard block == nil else {
                    throw SigilError(.malformedKey, "\(source) has a BEGIN line inside a PEM block")
                }
                guard line == "-----BEGIN PUBLIC KEY-----" else {
                    throw SigilError(.malformedKey, "\(source) holds a '\(line)' block; only PUBLIC KEY blocks are accepted")
                }
                block = [Substring(line)]
            } else if var current = block {
                current.append(Substring(line))
                if line.hasPrefix("-----END ") {
                    guard line == "-----END PUBLIC KEY-----" else {
                        throw SigilError(.malformedKey, "\(source) has a PUBLIC KEY block ended by '\(line)'")
                    }
                    do {
                        keys.append(try PublicKey(pemRepresentation: current.joined(separator: "\n")))
                    } catch let error as SigilError {
                        throw SigilError(error.code, "key \(keys.count) of \(source): \(error.message)")
                    }
                    block = nil
                } else {
                    block = current
                }
            }
        }
        guard block == nil else {
            throw SigilError(.malformedKey, "\(source) ends inside a PEM block (truncated?)")
        }
        guard !keys.isEmpty else {
            throw SigilError(.malformedKey, "\(source) holds no '-----BEGIN PUBLIC KEY-----' block")
        }
        return keys
    }
}
