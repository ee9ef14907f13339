// AWS Signature Version 4 as the key holder verifies it: SigilKMS's Authorization header
// parser, the canonical request and the verifier's checks, with a known secret so that
// mutations of real signed requests reach the signature comparison.
//
// Input: the request as text: the method, the path and the query on the first three
// lines, then `name:value` header lines up to an empty line, then the body.
// Invariants: a parsed Authorization header, written out again, parses to the same
// value; the canonical request is a function of the request.
import Foundation
import SigilKMS

enum FuzzTarget {
    static let credentials = AWSCredentials(
        accessKeyId: "AKIAFUZZEXAMPLE00001", secretAccessKey: "fuzz/secret/key/not/used/anywhere/else0")
    static let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let verifier = SigV4.Verifier(region: "us-east-1")

    static func run(_ bytes: [UInt8]) {
        let request = parse(bytes)
        _ = SigV4.canonicalURI(request.path)
        _ = SigV4.canonicalQuery(request.query)
        for header in request.headers {
            _ = SigV4.canonicalHeaderValue(header.value)
            _ = SigV4.parseAmzDate(header.value)
        }
        if let header = request.value(of: "authorization"), let authorization = try? SigV4.Authorization(parsing: header) {
            let written = "\(SigV4.algorithm) Credential=\(authorization.accessKeyId)/\(authorization.scope), "
                + "SignedHeaders=\(authorization.signedHeaders.joined(separator: ";")), Signature=\(authorization.signature)"
            let again = try? SigV4.Authorization(parsing: written)
            invariant(again == authorization, "the Authorization header does not survive being written out: \(written)")
            let canonical = try? SigV4.canonicalRequest(request, signedHeaders: authorization.signedHeaders)
            invariant(
                canonical == (try? SigV4.canonicalRequest(request, signedHeaders: authorization.signedHeaders)),
                "the canonical request is not a function of the request")
        }
        _ = try? verifier.verify(request, now: now) { accessKeyID in
            accessKeyID == credentials.accessKeyId ? credentials.secretAccessKey : nil
        }
    }

    /// Reads the text form described above.
    static func parse(_ bytes: [UInt8]) -> SigV4.Request {
        var lines: [String] = []
        var start = 0
        var bodyStart = bytes.count
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") {
                let line = String(decoding: bytes[start..<index], as: UTF8.self)
                start = index + 1
                if line.isEmpty, lines.count >= 3 {
                    bodyStart = start
                    break
                }
                lines.append(line)
            }
            index += 1
        }
        if bodyStart == bytes.count, start < bytes.count {
            lines.append(String(decoding: bytes[start...], as: UTF8.self))
        }
        while lines.count < 3 { lines.append("") }
        let headers = lines.dropFirst(3).map { line -> SigV4.Request.Header in
            guard let colon = line.firstIndex(of: ":") else { return .init(line, "") }
            return .init(String(line[..<colon]), String(line[line.index(after: colon)...]))
        }
        return SigV4.Request(
            method: lines[0], path: lines[1], query: lines[2], headers: Array(headers), body: bytes[bodyStart...])
    }

    /// Writes a request in the text form `parse` reads.
    static func text(_ request: SigV4.Request, body: String) -> [UInt8] {
        var text = "\(request.method)\n\(request.path)\n\(request.query)\n"
        for header in request.headers { text += "\(header.name):\(header.value)\n" }
        return Array((text + "\n" + body).utf8)
    }

    /// Requests signed by SigilKMS's own signer, as the CLI sends them.
    static func seeds() throws -> [(String, [UInt8])] {
        let signer = SigV4.Signer(credentials: credentials, region: "us-east-1")
        let tokenSigner = SigV4.Signer(
            credentials: AWSCredentials(
                accessKeyId: credentials.accessKeyId, secretAccessKey: "fuzz/secret/key/not/used/anywhere/else0",
                sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN"),
            region: "us-east-1")
        let examples: [(String, SigV4.Signer, String, String, String, [SigV4.Request.Header], String)] = [
            ("encrypt", signer, "POST", "/", "", [
                .init("Host", "127.0.0.1:7443"), .init("Content-Type", "application/x-amz-json-1.1"),
                .init("X-Amz-Target", "TrentService.Encrypt"),
            ], #"{"KeyId":"alias/a","Plaintext":"aGVsbG8="}"#),
            ("session-token-query", tokenSigner, "POST", "/a/./b//../c%20d", "b=2&a=1&a=0&empty=&sp=%20x", [
                .init("host", "localhost"), .init("X-Amz-Target", "TrentService.ListKeys"),
                .init("X-Custom", "  folded   value  "), .init("x-custom", "second"),
            ], "{}"),
            ("get-no-body", signer, "GET", "/", "Action=ListKeys", [.init("Host", "kms.us-east-1.amazonaws.com")], ""),
        ]
        var seeds: [(String, [UInt8])] = []
        for (name, signer, method, path, query, headers, body) in examples {
            var request = SigV4.Request(method: method, path: path, query: query, headers: headers, body: Array(body.utf8))
            try signer.sign(&request, date: now)
            let seed = text(request, body: body)
            let verified = try? verifier.verify(parse(seed), now: now) { _ in credentials.secretAccessKey }
            invariant(verified != nil, "the seed \(name) does not verify once written out and read back")
            seeds.append((name, seed))
        }
        return seeds
    }
}
