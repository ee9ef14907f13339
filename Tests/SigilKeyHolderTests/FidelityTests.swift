import Foundation
import HTTPTypes
import HummingbirdTesting
import SigilKMS
import SigilKeyHolder
import SigilTestSupport
import Testing

/// The key holder answers as AWS KMS answers: every row of ``FidelityTable`` sent over
/// HTTP to a live key holder (Hummingbird's live mode: a real listening server), its status,
/// `__type`, message and notable members checked; then the members of every successful
/// answer compared with botocore's KMS model.
@Suite("Fidelity to AWS KMS: statuses, error types, messages and response members")
struct FidelityTests {
    @Test("every supported operation has rows in the table")
    func everyOperationHasRows() {
        let covered = Set(FidelityTable.rows.map(\.operation))
        let missing = KMSOperation.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "operations without a row: \(missing)")
        for row in FidelityTable.rows {
            #expect(!row.source.isEmpty, "\(row) cites no source")
        }
    }

    @Test("every row of the table, over HTTP", arguments: StoreBackend.allCases)
    func table(backend: StoreBackend) async throws {
        try await withKeyHolder(backend, configure: { $0.quotas = .unlimited }, setup: .live) { kms, _ in
            let fixture = try await FidelityFixture.make(kms)
            var failures: [String] = []
            for row in FidelityTable.rows {
                failures += try await Self.check(row, kms, fixture)
            }
            print("fidelity table (\(backend)): \(FidelityTable.rows.count) rows, \(failures.count) failures")
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        }
    }

    /// The members AWS returns that a successful answer of the key holder leaves out, and
    /// why each is left out; anything else the model has must be in some answer of the table.
    static let absentByDesign: [String: [String: String]] = {
        let recipient = "only with a Recipient (Nitro enclave attestation), which Sigil refuses"
        let keyMetadata: [String: String] = [
            "ValidTo": "imported key material only (Sigil's keys have AWS_KMS origin)",
            "ExpirationModel": "imported key material only",
            "CustomKeyStoreId": "custom key stores are not supported",
            "CloudHsmClusterId": "custom key stores are not supported",
            "KeyAgreementAlgorithms": "KEY_AGREEMENT keys are not supported",
            "EncapsulationAlgorithms": "ML-KEM keys are not supported",
            "MultiRegionConfiguration": "multi-Region keys are not supported",
            "PendingDeletionWindowInDays": "multi-Region primary keys only (PendingReplicaDeletion)",
            "MacAlgorithms": "HMAC keys are not supported",
            "XksKeyConfiguration": "external key stores are not supported",
        ]
        func prefixed(_ prefix: String, _ members: [String: String]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: members.map { ("\(prefix).\($0.key)", $0.value) })
        }
        let imported = "imported key material only"
        var newKey = keyMetadata
        newKey["DeletionDate"] = "only for a key pending deletion, which a new key never is"
        return [
            "CreateKey": prefixed("KeyMetadata", newKey),
            "DescribeKey": prefixed("KeyMetadata", keyMetadata),
            "GetPublicKey": [
                "KeyAgreementAlgorithms": "KEY_AGREEMENT keys are not supported",
                "EncapsulationAlgorithms": "ML-KEM keys are not supported",
            ],
            "Decrypt": ["CiphertextForRecipient": recipient],
            "GenerateDataKey": ["CiphertextForRecipient": recipient],
            "GenerateDataKeyPair": ["CiphertextForRecipient": recipient],
            "GenerateRandom": ["CiphertextForRecipient": recipient],
            "GetKeyRotationStatus": [
                "OnDemandRotationStartDate": "only while an on-demand rotation runs; Sigil's completes within the request"
            ],
            "ListKeyRotations": [
                "Rotations[].KeyMaterialDescription": imported, "Rotations[].ImportState": imported,
                "Rotations[].ExpirationModel": imported, "Rotations[].ValidTo": imported,
            ],
            "ListKeyPolicies": ["NextMarker": "a key has one policy: the list is never truncated"],
        ]
    }()

    /// Compares the members of every successful answer in the table with the output shapes
    /// of botocore's KMS model (the `.venv`'s botocore, as the AWS CLI and boto3 read it):
    /// the key holder returns no member the model lacks, and every member the model has is
    /// returned by some row, or listed in ``absentByDesign`` with its reason.
    @Test("successful answers have the members of botocore's output shapes")
    func responsesMatchTheBotocoreModel() async throws {
        let python = TestSupport.packageRoot.appendingPathComponent(".venv/bin/python").path
        guard
            try TestSupport.require(
                FileManager.default.isExecutableFile(atPath: python),
                missing: "no .venv/bin/python with botocore (tools/test makes it; by hand: "
                    + "source tools/lib/setup.sh; source tools/lib/venv.sh; sigil_setup_venv)")
        else { return }
        let model = try await Self.botocoreOutputMembers(python: python)
        try await withKeyHolder(configure: { $0.quotas = .unlimited }, setup: .live) { kms, _ in
            let fixture = try await FidelityFixture.make(kms)
            var returned: [KMSOperation: Set<String>] = [:]
            for row in FidelityTable.rows where row.status == 200 {
                let response = try await kms.raw(
                    target: row.operation.target, body: Data(fixture.substitute(row.request).utf8))
                #expect(response.status.code == 200, "\(row)")
                let object = try JSONDecoder().decode(JSONNode.self, from: Data(buffer: response.body))
                returned[row.operation, default: []].formUnion(object.memberPaths())
            }
            for (operation, paths) in returned.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let expected = model[operation.rawValue] ?? []
                let extra = paths.subtracting(expected)
                #expect(extra.isEmpty, "\(operation) returns members botocore's model does not have: \(extra.sorted())")
                let allowed = Set((Self.absentByDesign[operation.rawValue] ?? [:]).keys)
                // A member absent by design takes the members inside it along.
                let missing = Set(expected).subtracting(paths).filter { path in
                    !allowed.contains { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[]") }
                }
                #expect(missing.isEmpty, "\(operation) never returns \(missing.sorted()), which AWS returns")
                let needless = allowed.intersection(paths)
                #expect(needless.isEmpty, "\(operation) returns \(needless.sorted()), listed as absent by design")
            }
            let compared = returned.count
            print("botocore model comparison: \(compared) operations with successful answers compared")
            // Every operation but the two that Sigil always refuses answered successfully.
            #expect(compared == KMSOperation.allCases.count - 2)
        }
    }

    /// Sends one row and returns what did not match.
    static func check(_ row: FidelityRow, _ kms: KMSTestClient, _ fixture: FidelityFixture) async throws -> [String] {
        let response = try await kms.raw(target: row.operation.target, body: Data(fixture.substitute(row.request).utf8))
        let body = Data(buffer: response.body)
        let text = String(decoding: body, as: UTF8.self)
        var failures: [String] = []
        func fail(_ what: String) { failures.append("\(row): \(what); body \(text.prefix(400))") }
        if response.status.code != row.status { fail("status \(response.status.code), expected \(row.status)") }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONNode.self, from: body) else {
            fail("the body is not a JSON object")
            return failures
        }
        if let type = row.type {
            // Exactly the members AWS sends: `__type`, and `message` unless AWS sends none.
            let members = Set(object.keys)
            let expectedMembers: Set<String> = row.message == .absent ? ["__type"] : ["__type", "message"]
            if members != expectedMembers { fail("members \(members.sorted()), expected \(expectedMembers.sorted())") }
            let actualType = object["__type"]?.text
            if actualType != type { fail("__type \(actualType ?? "none"), expected \(type)") }
            let message = object["message"]?.text
            switch row.message {
            case .absent: break
            case .exact(let expected):
                let wanted = fixture.substitute(expected)
                if message != wanted { fail("message \(message ?? "none"), expected \(wanted)") }
            case .pattern(let pattern):
                let regex = try Regex(fixture.substitute(pattern, escaping: true))
                if (try? regex.wholeMatch(in: message ?? "")) == nil { fail("message \(message ?? "none") does not match \(pattern)") }
            }
        }
        for (path, pattern) in row.fields.sorted(by: { $0.key < $1.key }) {
            let value = JSONNode.object(object).text(at: path)
            guard let pattern else {
                if value != nil { fail("\(path) is present, expected absent") }
                continue
            }
            let regex = try Regex(fixture.substitute(pattern, escaping: true))
            guard let value else {
                fail("\(path) is absent")
                continue
            }
            if (try? regex.wholeMatch(in: value)) == nil { fail("\(path) is \(value), expected \(pattern)") }
        }
        return failures
    }

    /// The member paths of each operation's output shape in botocore's KMS model, in the
    /// form of ``JSONNode/memberPaths(at:)``.
    static func botocoreOutputMembers(python: String) async throws -> [String: [String]] {
        let script = """
            import json, botocore.loaders
            model = botocore.loaders.Loader().load_service_model("kms", "service-2")
            shapes = model["shapes"]
            def walk(name, path, out):
                shape = shapes[name]
                if shape["type"] == "structure":
                    for member, ref in shape["members"].items():
                        child = path + "." + member if path else member
                        out.add(child)
                        walk(ref["shape"], child, out)
                elif shape["type"] == "list":
                    walk(shape["member"]["shape"], path + "[]", out)
            result = {}
            for name, operation in model["operations"].items():
                paths = set()
                if "output" in operation:
                    walk(operation["output"]["shape"], "", paths)
                result[name] = sorted(paths)
            print(json.dumps(result))
            """
        let output = try await TestSupport.run(python, ["-c", script])
        guard output.status == 0,
            let model = try? JSONDecoder().decode([String: [String]].self, from: output.standardOutput)
        else {
            throw TestFailure("botocore's model could not be read: \(output.stderrText.suffix(2000))")
        }
        return model
    }
}

/// A JSON value as a response holds it, with Booleans kept apart from numbers.
enum JSONNode: Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case list([JSONNode])
    case object([String: JSONNode])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let list = try? container.decode([JSONNode].self) {
            self = .list(list)
        } else {
            self = .object(try container.decode([String: JSONNode].self))
        }
    }

    /// The value as text: strings as they are, numbers and Booleans as JSON writes them,
    /// lists and objects as `<list>` and `<object>`.
    var text: String {
        switch self {
        case .string(let text): return text
        case .number(let number):
            return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let bool): return bool ? "true" : "false"
        case .null: return "null"
        case .list: return "<list>"
        case .object: return "<object>"
        }
    }

    /// The text of the value at a dotted path (`Rotations.0.KeyMaterialId`), or `nil` when
    /// there is none.
    func text(at path: String) -> String? {
        var current = self
        for part in path.split(separator: ".") {
            switch current {
            case .list(let list):
                guard let index = Int(part), list.indices.contains(index) else { return nil }
                current = list[index]
            case .object(let object):
                guard let next = object[String(part)] else { return nil }
                current = next
            default:
                return nil
            }
        }
        return current.text
    }

    /// Every member path: `KeyMetadata`, `KeyMetadata.Arn`, `Rotations[].KeyId`.
    func memberPaths(at path: String = "") -> Set<String> {
        var paths: Set<String> = []
        switch self {
        case .object(let object):
            for (key, member) in object {
                let child = path.isEmpty ? key : "\(path).\(key)"
                paths.insert(child)
                paths.formUnion(member.memberPaths(at: child))
            }
        case .list(let list):
            for element in list { paths.formUnion(element.memberPaths(at: path + "[]")) }
        default:
            break
        }
        return paths
    }
}
