import Foundation

// The responses of the hot operations (Sign, Verify, Encrypt, Decrypt, GenerateDataKey,
// GenerateDataKeyWithoutPlaintext, GetPublicKey) are written here directly into bytes
// instead of through JSONEncoder, which showed as a few percent of the key holder's CPU.
// The output is byte for byte what `KMSJSON`'s JSONEncoder writes (sorted keys, slashes
// not escaped); KMSJSONWriterTests compares the two on many values of every shape.

/// A response shape that writes its own JSON, byte-exact with ``KMSJSON/encode(_:)``'s
/// JSONEncoder.
protocol KMSJSONWritable: Encodable {
    /// Writes the members that are present, sorted by the UTF-8 bytes of their names
    /// (JSONEncoder's `.sortedKeys` order); absent members are left out.
    func writeMembers(to writer: inout KMSJSONWriter)
}

extension KMSJSONWritable {
    /// The JSON object, as bytes.
    func jsonData() -> Data {
        var writer = KMSJSONWriter()
        writer.bytes.append(UInt8(ascii: "{"))
        writeMembers(to: &writer)
        writer.bytes.append(UInt8(ascii: "}"))
        return Data(writer.bytes)
    }
}

/// Writes the members of one flat JSON object: strings, base64 blobs, Booleans and
/// lists of strings.
struct KMSJSONWriter {
    fileprivate(set) var bytes: [UInt8] = []
    private var hasMember = false

    fileprivate init() {
        // Most responses fit (a key ARN, a ciphertext blob, a data key); bigger ones grow.
        bytes.reserveCapacity(1024)
    }

    /// Writes `"name":"value"` if the value is present.
    mutating func member(_ name: some CodingKey, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    /// Writes `"name":"value"` for an enumeration value if present.
    mutating func member(_ name: some CodingKey, _ value: (some KMSEnumeration)?) {
        guard let value else { return }
        key(name)
        string(value.rawValue)
    }

    /// Writes `"name":true` or `"name":false` if the value is present.
    mutating func member(_ name: some CodingKey, _ value: Bool?) {
        guard let value else { return }
        key(name)
        if value {
            append("true")
        } else {
            append("false")
        }
    }

    /// Writes `"name":"base64"` if the blob is present.
    mutating func member(_ name: some CodingKey, _ value: Base64Blob?) {
        guard let value else { return }
        key(name)
        bytes.append(UInt8(ascii: "\""))
        base64(value.bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes `"name":["a","b"]` if the list is present.
    mutating func member(_ name: some CodingKey, _ values: [String]?) {
        guard let values else { return }
        key(name)
        list(values) { $0 }
    }

    /// Writes `"name":["A","B"]` for a list of enumeration values if present.
    mutating func member<Value: KMSEnumeration>(_ name: some CodingKey, _ values: [Value]?) {
        guard let values else { return }
        key(name)
        list(values) { $0.rawValue }
    }

    // MARK: Pieces

    private mutating func list<Element>(_ values: [Element], _ text: (Element) -> String) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            string(text(value))
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `,"Name":` — member names are ASCII without anything to escape.
    private mutating func key(_ name: some CodingKey) {
        if hasMember { bytes.append(UInt8(ascii: ",")) }
        hasMember = true
        bytes.append(UInt8(ascii: "\""))
        var text = name.stringValue
        text.withUTF8 { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A quoted string, escaped as JSONEncoder escapes: `"` and `\`, the short escapes
    /// `\b \f \n \r \t`, other controls below 0x20 as `\u00xx` (lower-case hex), and
    /// everything else, `/` and non-ASCII included, as its UTF-8 bytes.
    private mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Copy runs of bytes that need no escape in one piece.
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                escape(byte)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): append(#"\""#)
        case UInt8(ascii: "\\"): append(#"\\"#)
        case 0x08: append(#"\b"#)
        case 0x0C: append(#"\f"#)
        case 0x0A: append(#"\n"#)
        case 0x0D: append(#"\r"#)
        case 0x09: append(#"\t"#)
        default:
            append(#"\u00"#)
            bytes.append(Self.hexDigit(byte >> 4))
            bytes.append(Self.hexDigit(byte & 0x0F))
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// Standard, padded base64 (RFC 4648 §4), written straight into the output.
    private mutating func base64(_ input: [UInt8]) {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let table = alphabet.utf8Start
        let start = bytes.count
        let outputCount = (input.count + 2) / 3 * 4
        bytes.append(contentsOf: repeatElement(0, count: outputCount))
        bytes.withUnsafeMutableBufferPointer { output in
            input.withUnsafeBufferPointer { input in
                var from = 0
                var to = start
                while input.count - from >= 3 {
                    let first = input[from]
                    let second = input[from + 1]
                    let third = input[from + 2]
                    output[to] = table[Int(first >> 2)]
                    output[to + 1] = table[Int((first & 0x03) << 4 | second >> 4)]
                    output[to + 2] = table[Int((second & 0x0F) << 2 | third >> 6)]
                    output[to + 3] = table[Int(third & 0x3F)]
                    from += 3
                    to += 4
                }
                switch input.count - from {
                case 1:
                    let first = input[from]
                    output[to] = table[Int(first >> 2)]
                    output[to + 1] = table[Int((first & 0x03) << 4)]
                    output[to + 2] = UInt8(ascii: "=")
                    output[to + 3] = UInt8(ascii: "=")
                case 2:
                    let first = input[from]
                    let second = input[from + 1]
                    output[to] = table[Int(first >> 2)]
                    output[to + 1] = table[Int((first & 0x03) << 4 | second >> 4)]
                    output[to + 2] = table[Int((second & 0x0F) << 2)]
                    output[to + 3] = UInt8(ascii: "=")
                default:
                    break
                }
            }
        }
    }
}

// MARK: The hot responses

// Members in the order of their names' UTF-8 bytes (JSONEncoder's sorted order), not the
// order of the shapes; the names are the shapes' CodingKeys.

extension KMS.SignResponse: KMSJSONWritable {
    func writeMembers(to writer: inout KMSJSONWriter) {
        writer.member(CodingKeys.keyId, keyId)
        writer.member(CodingKeys.signature, signature)
        writer.member(CodingKeys.signingAlgorithm, signingAlgorithm)
    }
}

extension KMS.VerifyResponse: KMSJSONWritable {
    func writeMembers(to writer: inout KMSJSONWriter) {
        writer.member(CodingKeys.keyId, keyId)
        writer.member(CodingKeys.signatureValid, signatureValid)
        writer.member(CodingKeys.signingAlgorithm, signingAlgorithm)
    }
}

extension KMS.EncryptResponse: KMSJSONWritable {
    func writeMembers(to writer: inout KMSJSONWriter) {
        writer.member(CodingKeys.ciphertextBlob, ciphertextBlob)
        writer.member(CodingKeys.encryptionAlgorithm, encryptionAlgorithm)
        writer.member(CodingKeys.keyId, keyId)
    }
}

extension KMS.DecryptResponse: KMSJSONWritable {
    func writeMembers(to writer: inout KMSJSONWriter) {
        writer.member(CodingKeys.ciphertextForRecipient, ciphertextForRecipient)
        writer.member(CodingKeys.encryptionAlgorithm, encryptionAlgorithm)
        writer.member(CodingKeys.keyId, keyId)
        writer.member(CodingKeys.keyMaterialId, keyMaterialId)
        writer.member(CodingKeys.plaintext, plaintext)
    }
}

extension KMS.GenerateDataKeyResponse: KMSJSONWritable {
    func writeMembers(to writer: inout KMSJSONWriter) {
        writer.member(CodingKeys.ciphertextBlob, ciphertextBlob)
        writer.member(CodingKeys.ciphertextForRecipient, ciphertextForRecipient)
        writer.member(CodingKeys.keyId, keyId)
        writer.member(CodingKeys.keyMaterialId, keyMaterialId)
        writer.member(CodingKeys.plaintext, plaintext)
    }
}

extension KMS.GenerateDataKeyWithoutPlaintextResponse: KMSJSONWritable {
    func writeMembers(to writer: inout KMSJSONWriter) {
        writer.member(CodingKeys.ciphertextBlob, ciphertextBlob)
        writer.member(CodingKeys.keyId, keyId)
        writer.member(CodingKeys.keyMaterialId, keyMaterialId)
    }
}

extension KMS.GetPublicKeyResponse: KMSJSONWritable {
    func writeMembers(to writer: inout KMSJSONWriter) {
        writer.member(CodingKeys.customerMasterKeySpec, customerMasterKeySpec)
        writer.member(CodingKeys.encapsulationAlgorithms, encapsulationAlgorithms)
        writer.member(CodingKeys.encryptionAlgorithms, encryptionAlgorithms)
        writer.member(CodingKeys.keyAgreementAlgorithms, keyAgreementAlgorithms)
        writer.member(CodingKeys.keyId, keyId)
        writer.member(CodingKeys.keySpec, keySpec)
        writer.member(CodingKeys.keyUsage, keyUsage)
        writer.member(CodingKeys.publicKey, publicKey)
        writer.member(CodingKeys.signingAlgorithms, signingAlgorithms)
    }
}
