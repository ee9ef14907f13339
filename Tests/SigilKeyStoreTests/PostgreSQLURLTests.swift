import Foundation
import SigilCrypto
import SigilKeyStore
import SigilTestSupport
import Testing

@Suite("--database-url: read as libpq reads it, with no password on the command line and nothing ignored")
struct PostgreSQLURLTests {
    @Test("Accepted URLs and what they mean", arguments: [
        ("postgresql://sigil@db.example:6543/keys", "postgresql://sigil@db.example:6543/keys?sslmode=prefer"),
        ("postgres://sigil@127.0.0.1", "postgresql://sigil@127.0.0.1:5432/sigil?sslmode=prefer"),
        ("postgresql://sigil@[::1]:5433/k?sslmode=disable", "postgresql://sigil@[::1]:5433/k?sslmode=disable"),
        ("postgresql://sigil@db/k?sslmode=verify-full&sslrootcert=/etc/ca.pem", "postgresql://sigil@db:5432/k?sslmode=verify-full"),
        ("postgresql://key%20holder@db/k?passfile=/run/pw", "postgresql://key holder@db:5432/k?sslmode=prefer"),
    ])
    func accepted(url: String, meaning: String) throws {
        #expect(try PostgreSQLURL(url).description == meaning)
    }

    @Test("Refused URLs name their problem", arguments: [
        ("postgresql://sigil:hunter2@db/k", "holds a password"),
        ("mysql://sigil@db/k", "scheme 'mysql'"),
        ("postgresql://db/k", "names no user"),
        ("postgresql://sigil@/k", "names no host"),
        ("postgresql://sigil@db/k/extra", "not one database name"),
        ("postgresql://sigil@db/k?sslmode=allow", "sslmode 'allow'"),
        ("postgresql://sigil@db/k?sslmode=bogus", "sslmode 'bogus'"),
        ("postgresql://sigil@db/k?connect_timeout=5", "'connect_timeout', which Sigil does not support"),
        ("postgresql://sigil@db/k?sslmode=require&sslmode=disable", "'sslmode' twice"),
        ("postgresql://sigil@db/k?passfile=", "no value"),
        ("postgresql://sigil@db/k?sslrootcert=/ca.pem", "only sslmode=verify-ca or verify-full"),
        ("postgresql://sigil@db/k#x", "fragment"),
        ("not a url at all", "is not a URL"),
    ])
    func refused(url: String, problem: String) {
        let message = Self.message { _ = try PostgreSQLURL(url) }
        #expect(message?.contains(problem) == true, "\(url): \(message ?? "accepted")")
    }

    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as KeyStoreError {
            #expect(error.code == .invalidArgument)
            return error.message
        } catch {
            return "\(error)"
        }
    }

    static func passwordFile(_ text: String, mode: Int = 0o600) throws -> URL {
        let url = try TestSupport.temporaryDirectory().appendingPathComponent("pgpass")
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        return url
    }

    @Test("The password: PGPASSWORD first, then the password file's first matching line")
    func passwordSources() throws {
        let file = try Self.passwordFile("""
            # comment
            other:5432:*:sigil:wrong-host
            127.0.0.1:6543:keys:sigil:from\\:file\\\\
            *:*:*:*:fallback
            """)
        let url = try PostgreSQLURL("postgresql://sigil@127.0.0.1:6543/keys?passfile=\(file.path)")
        #expect(try url.password(environment: ["PGPASSWORD": "from-env"]) == "from-env")
        #expect(try url.password(environment: [:]) == #"from:file\"#)
        let elsewhere = try PostgreSQLURL("postgresql://sigil@db:1/other?passfile=\(file.path)")
        #expect(try elsewhere.password(environment: [:]) == "fallback")
        // PGPASSFILE, then ~/.pgpass, when the URL names no file; neither there: no password.
        let unnamed = try PostgreSQLURL("postgresql://sigil@127.0.0.1:6543/keys")
        #expect(try unnamed.password(environment: ["PGPASSFILE": file.path]) == #"from:file\"#)
        #expect(try unnamed.password(environment: ["HOME": file.deletingLastPathComponent().path]) == nil)
        try FileManager.default.moveItem(at: file, to: file.deletingLastPathComponent().appendingPathComponent(".pgpass"))
        #expect(try unnamed.password(environment: ["HOME": file.deletingLastPathComponent().path]) == #"from:file\"#)
    }

    @Test("A password file others may read, a named one missing or without a matching line, is refused")
    func passwordFileRefusals() throws {
        let open = try Self.passwordFile("*:*:*:*:secret", mode: 0o644)
        let message = Self.message { _ = try PostgreSQLURL("postgresql://sigil@db/k?passfile=\(open.path)").password(environment: [:]) }
        #expect(message?.contains("may be read by others (mode 644)") == true, "\(message ?? "accepted")")
        let missing = Self.message { _ = try PostgreSQLURL("postgresql://sigil@db/k?passfile=/nonexistent/pgpass").password(environment: [:]) }
        #expect(missing?.contains("cannot be read") == true, "\(missing ?? "accepted")")
        let other = try Self.passwordFile("db:5432:k:someone-else:secret")
        let unmatched = Self.message { _ = try PostgreSQLURL("postgresql://sigil@db/k?passfile=\(other.path)").password(environment: [:]) }
        #expect(unmatched?.contains("has no line for db:5432:k:sigil") == true, "\(unmatched ?? "accepted")")
    }
}
