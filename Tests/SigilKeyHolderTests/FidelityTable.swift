import Foundation
import SigilKMS
import Testing

/// One request and what AWS KMS answers to it: the rows of ``FidelityTests``.
///
/// `request`, `message` and the `fields` patterns name the fixture's keys and blobs with
/// placeholders (`{sym}`, `{sym.arn}`, `{blob}`: see ``FidelityFixture``). A field pattern of
/// `nil` means the member must be absent.
struct FidelityRow: Sendable, CustomStringConvertible {
    enum Message: Sendable, Equatable {
        /// No `message` member at all, as AWS sends InvalidCiphertextException.
        case absent
        case exact(String)
        /// A regular expression the whole message must match.
        case pattern(String)
    }

    let operation: KMSOperation
    let request: String
    let status: Int
    let type: String?
    let message: Message
    let fields: [String: String?]
    /// Where AWS's answer comes from: a KMS API reference page, or a response recorded
    /// against AWS.
    let source: String
    let line: Int

    /// A successful answer and its notable members.
    static func ok(
        _ operation: KMSOperation, _ request: String, fields: [String: String?] = [:], source: String, line: Int = #line
    ) -> FidelityRow {
        FidelityRow(
            operation: operation, request: request, status: 200, type: nil, message: .absent, fields: fields, source: source,
            line: line)
    }

    /// A refusal: HTTP 400 (every client error of AWS KMS), its type and message.
    static func error(
        _ operation: KMSOperation, _ request: String, _ type: String, _ message: Message, source: String, line: Int = #line
    ) -> FidelityRow {
        FidelityRow(
            operation: operation, request: request, status: 400, type: type, message: message, fields: [:], source: source,
            line: line)
    }

    var description: String { "\(operation) (FidelityTable.swift:\(line))" }
}

/// Where the rows' expectations come from.
enum Source {
    /// A page of the KMS API reference.
    static func api(_ operation: String) -> String {
        "https://docs.aws.amazon.com/kms/latest/APIReference/API_\(operation).html"
    }

    /// A response recorded against AWS KMS: LocalStack's AWS-validated snapshots, in
    /// github.com/localstack/localstack tests/aws/services/kms/test_kms.snapshot.json, by test name.
    static func recorded(_ test: String) -> String {
        "AWS response recorded in localstack tests/aws/services/kms/test_kms.snapshot.json: \(test)"
    }

    /// Sigil's own answer, where it knowingly differs: the README's "Knowingly different
    /// from AWS KMS" says why.
    static let knowinglyDifferent = "README.md, Knowingly different from AWS KMS"
}

enum FidelityTable {
    static let hex64 = "[a-f0-9]{64}"
    static let uuid = "[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"
    static let base64 = "[A-Za-z0-9+/]+=*"

    /// `{"TagKey":"key0","TagValue":"value0"}, …` as a JSON list of `count` tags.
    static func tags(_ count: Int) -> String {
        "[" + (0..<count).map { #"{"TagKey":"key\#($0)","TagValue":"value\#($0)"}"# }.joined(separator: ",") + "]"
    }

    static func tag(_ key: String, _ value: String = "v") -> String {
        #"[{"TagKey":"\#(key)","TagValue":"\#(value)"}]"#
    }

    /// The base64 of `count` zero bytes.
    static func zeros(_ count: Int) -> String { Data(count: count).base64EncodedString() }

    static let validationNull = "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
    static let dryRun = "The request would have succeeded, but the DryRun option is set."
    static let missingKey = "Key '{missing.arn}' does not exist"

    static let rows: [FidelityRow] = keys + cryptography + dataKeys + lifecycle + aliasesAndTags + rotation + policiesAndImport

    static let keys: [FidelityRow] = [
        .ok(
            .createKey, "{}",
            fields: [
                "KeyMetadata.KeyId": uuid, "KeyMetadata.Arn": "arn:aws:kms:{region}:{account}:key/\(uuid)",
                "KeyMetadata.CurrentKeyMaterialId": hex64, "KeyMetadata.Origin": "AWS_KMS", "KeyMetadata.KeyManager": "CUSTOMER",
                "KeyMetadata.KeySpec": "SYMMETRIC_DEFAULT", "KeyMetadata.KeyState": "Enabled", "KeyMetadata.MultiRegion": "false",
                "KeyMetadata.EncryptionAlgorithms.0": "SYMMETRIC_DEFAULT", "KeyMetadata.Description": "",
                "KeyMetadata.PendingDeletionWindowInDays": nil,
            ],
            source: Source.recorded("TestKMS::test_create_key")),
        .ok(
            .createKey, #"{"KeySpec":"ECC_NIST_P256","KeyUsage":"SIGN_VERIFY"}"#,
            fields: ["KeyMetadata.SigningAlgorithms.0": "ECDSA_SHA_256", "KeyMetadata.CurrentKeyMaterialId": nil],
            source: Source.api("CreateKey") + " (CurrentKeyMaterialId: symmetric encryption keys only, KeyMetadata)"),
        .error(
            .createKey, #"{"Tags":\#(tags(51))}"#, "TagException", .exact("Too many tags"),
            source: Source.recorded("TestKMS::test_create_key_with_too_many_tags_raises_error")),
        .error(
            .createKey, #"{"Tags":\#(tag("aws:key1"))}"#, "TagException", .exact("Tags beginning with aws: are reserved"),
            source: Source.recorded("TestKMS::test_create_key_with_invalid_tag_key[lowercase_prefix]")),
        .error(
            .createKey, #"{"Tags":\#(tag("AWS:key1"))}"#, "TagException", .exact("Tags beginning with aws: are reserved"),
            source: Source.recorded("TestKMS::test_create_key_with_invalid_tag_key[uppercase_prefix]")),
        .error(
            .createKey, #"{"Tags":\#(tag(String(repeating: "a", count: 129)))}"#, "ValidationException",
            .exact(
                "1 validation error detected: Value '\(String(repeating: "a", count: 129))' at 'tags.1.member.tagKey' "
                    + "failed to satisfy constraint: Member must have length less than or equal to 128"),
            source: Source.recorded("TestKMS::test_create_key_with_invalid_tag_key[too_long_key]")),
        .error(
            .createKey, #"{"Tags":\#(tag("tag1", String(repeating: "v", count: 257)))}"#, "ValidationException",
            .exact(
                "1 validation error detected: Value '\(String(repeating: "v", count: 257))' at 'tags.1.member.tagValue' "
                    + "failed to satisfy constraint: Member must have length less than or equal to 256"),
            source: Source.recorded("TestKMS::test_key_with_long_tag_value_raises_error")),
        .error(
            .createKey, #"{"KeySpec":"HMAC_random"}"#, "ValidationException",
            .pattern(
                #"1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[.*\]"#),
            source: Source.recorded("TestKMS::test_hmac_create_key_invalid_operations (create-hmac-key-invalid-spec)")),
        .error(
            .createKey, #"{"Origin":"EXTERNAL"}"#, "UnsupportedOperationException", .pattern(".*EXTERNAL.*"),
            source: Source.knowinglyDifferent),
        .ok(
            .describeKey, #"{"KeyId":"alias/fidelity"}"#,
            fields: [
                "KeyMetadata.KeyId": "{sym}", "KeyMetadata.Arn": "{sym.arn}", "KeyMetadata.CurrentKeyMaterialId": "{sym.material}",
                "KeyMetadata.AWSAccountId": "{account}", "KeyMetadata.Enabled": "true",
            ],
            source: Source.recorded("TestKMS::test_key_rotation_updates_current_key_material_id_for_aws_symmetric_keys")),
        .ok(
            .describeKey, #"{"KeyId":"{pending.arn}"}"#,
            fields: ["KeyMetadata.KeyState": "PendingDeletion", "KeyMetadata.DeletionDate": "[0-9.e+]+"],
            source: Source.api("DescribeKey") + " (DeletionDate while PendingDeletion)"),
        .ok(
            .describeKey, #"{"KeyId":"{ecc}"}"#,
            fields: ["KeyMetadata.SigningAlgorithms.0": "ECDSA_SHA_256", "KeyMetadata.EncryptionAlgorithms": nil],
            source: Source.api("DescribeKey")),
        .error(
            .describeKey, #"{"KeyId":"fake-key-id"}"#, "NotFoundException", .exact("Invalid keyId 'fake-key-id'"),
            source: Source.recorded("TestKMS::test_get_key_invalid_uuid (describe-key-with-invalid-uuid)")),
        .error(
            .describeKey, #"{"KeyId":"134f2428cec14b25a1ae9048164dba47"}"#, "NotFoundException",
            .exact("Invalid keyId '134f2428cec14b25a1ae9048164dba47'"),
            source: Source.recorded("TestKMS::test_get_key_invalid_uuid (describe-key-with-invalid-uuid-2)")),
        .error(
            .describeKey, #"{"KeyId":"{missing}"}"#, "NotFoundException", .exact(missingKey),
            source: Source.recorded("TestKMS::test_get_key_does_not_exist (describe-nonexistent-key-with-id)")),
        .error(
            .describeKey, #"{"KeyId":"{missing.arn}"}"#, "NotFoundException", .exact(missingKey),
            source: Source.recorded("TestKMS::test_get_key_does_not_exist (describe-nonexistent-with-arn)")),
        .error(
            .describeKey, #"{"KeyId":"arn:aws:kms:us-west-2:{account}:key/{missing}"}"#, "NotFoundException",
            .exact("Invalid arn us-west-2"),
            source: Source.recorded("TestKMS::test_get_key_in_different_region (describe-key-diff-region-with-arn)")),
        .error(
            .describeKey, #"{"KeyId":"alias/nothing-here"}"#, "NotFoundException",
            .exact("Alias arn:aws:kms:{region}:{account}:alias/nothing-here is not found."),
            source: Source.api("DescribeKey") + " (NotFoundException; AWS's wording for an alias)"),
        .error(
            .describeKey, "{}", "ValidationException", .exact(validationNull),
            source: Source.api("DescribeKey") + " (KeyId required; AWS's request-validation wording)"),
        .ok(.listKeys, #"{"Limit":1}"#, fields: ["Truncated": "true", "NextMarker": ".+", "Keys.0.KeyArn": ".+"], source: Source.api("ListKeys")),
        .error(
            .listKeys, #"{"Limit":0}"#, "ValidationException",
            .pattern("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value .*"),
            source: Source.api("ListKeys") + " (Limit 1–1000)"),
        .ok(
            .getPublicKey, #"{"KeyId":"{ecc}"}"#,
            fields: [
                "KeyId": "{ecc.arn}", "KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY", "PublicKey": base64,
                "SigningAlgorithms.0": "ECDSA_SHA_256",
            ],
            source: Source.api("GetPublicKey")),
        .ok(
            .getPublicKey, #"{"KeyId":"{rsa}"}"#,
            fields: ["KeyUsage": "ENCRYPT_DECRYPT", "EncryptionAlgorithms.1": "RSAES_OAEP_SHA_256"],
            source: Source.api("GetPublicKey")),
        .error(
            .getPublicKey, #"{"KeyId":"{sym}"}"#, "UnsupportedOperationException", .pattern(".*"),
            source: Source.api("GetPublicKey") + " (UnsupportedOperationException for a symmetric key)"),
    ]

    static let cryptography: [FidelityRow] = [
        .ok(
            .sign, #"{"KeyId":"{ecc}","Message":"{digest}","MessageType":"DIGEST","SigningAlgorithm":"ECDSA_SHA_256"}"#,
            fields: ["KeyId": "{ecc.arn}", "Signature": base64, "SigningAlgorithm": "ECDSA_SHA_256"], source: Source.api("Sign")),
        .error(
            .sign, #"{"KeyId":"{ecc}","Message":"AAEC","MessageType":"DIGEST","SigningAlgorithm":"ECDSA_SHA_256"}"#,
            "ValidationException", .exact("Digest is invalid length for algorithm ECDSA_SHA_256."),
            source: Source.recorded("TestKMS::test_sign_verify[ECC_NIST_P256-ECDSA_SHA_256] (bad-digest)")),
        .error(
            .sign, #"{"KeyId":"{sym}","Message":"{digest}","MessageType":"DIGEST","SigningAlgorithm":"ECDSA_SHA_256"}"#,
            "InvalidKeyUsageException", .exact("{sym.arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign."),
            source: Source.recorded("TestKMS::test_error_messaging_for_invalid_keys (sign-invalid-key-id)")),
        .error(
            .sign,
            #"{"KeyId":"{ecc}","Message":"{digest}","MessageType":"DIGEST","SigningAlgorithm":"ECDSA_SHA_256","DryRun":true}"#,
            "DryRunOperationException", .exact(dryRun), source: Source.recorded("TestKMSGenerateKeys::test_generate_data_key_pair_dry_run")),
        .ok(
            .verify,
            #"{"KeyId":"{ecc}","Message":"{digest}","MessageType":"DIGEST","Signature":"{signature}","SigningAlgorithm":"ECDSA_SHA_256"}"#,
            fields: ["KeyId": "{ecc.arn}", "SignatureValid": "true", "SigningAlgorithm": "ECDSA_SHA_256"], source: Source.api("Verify")),
        .error(
            .verify,
            #"{"KeyId":"{ecc}","Message":"{digest}","MessageType":"DIGEST","Signature":"{badSignature}","SigningAlgorithm":"ECDSA_SHA_256"}"#,
            "KMSInvalidSignatureException", .absent, source: Source.recorded("TestKMS::test_sign_verify[RSA_2048-RSASSA_PSS_SHA_256] (bad-signature)")),
        .error(
            .verify,
            #"{"KeyId":"{sym}","Message":"{digest}","MessageType":"DIGEST","Signature":"{signature}","SigningAlgorithm":"ECDSA_SHA_256"}"#,
            "InvalidKeyUsageException", .exact("{sym.arn} key usage is ENCRYPT_DECRYPT which is not valid for Verify."),
            source: Source.recorded("TestKMS::test_error_messaging_for_invalid_keys (verify-invalid-key-id)")),
        .ok(
            .encrypt, #"{"KeyId":"{sym}","Plaintext":"AQID"}"#,
            fields: ["KeyId": "{sym.arn}", "EncryptionAlgorithm": "SYMMETRIC_DEFAULT", "CiphertextBlob": base64, "KeyMaterialId": nil],
            source: Source.recorded("TestKMS::test_encrypt_decrypt_encryption_context (encrypt_response)")),
        .ok(
            .encrypt, #"{"KeyId":"{rsa}","Plaintext":"AQID","EncryptionAlgorithm":"RSAES_OAEP_SHA_256"}"#,
            fields: ["KeyId": "{rsa.arn}", "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"], source: Source.api("Encrypt")),
        .error(
            .encrypt, #"{"KeyId":"{sym}","Plaintext":"\#(zeros(4097))"}"#, "ValidationException",
            .exact(
                "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"),
            source: Source.recorded("TestKMS::test_plaintext_size_for_encrypt")),
        .error(
            .encrypt, #"{"KeyId":"{rsa}","Plaintext":"\#(zeros(215))","EncryptionAlgorithm":"RSAES_OAEP_SHA_1"}"#,
            "ValidationException", .exact("Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes."),
            source: Source.recorded("TestKMS::test_encrypt_validate_plaintext_size_per_key_type[RSA_2048-RSAES_OAEP_SHA_1]")),
        .error(
            .encrypt, #"{"KeyId":"{ecc}","Plaintext":"AQID"}"#, "InvalidKeyUsageException",
            .exact("{ecc.arn} key usage is SIGN_VERIFY which is not valid for Encrypt."),
            source: Source.recorded("TestKMS::test_error_messaging_for_invalid_keys (encrypt-invalid-key-id)")),
        .error(
            .encrypt, #"{"KeyId":"{disabled}","Plaintext":"AQID"}"#, "DisabledException", .exact("{disabled.arn} is disabled."),
            source: Source.recorded("TestKMS::test_rotate_key_on_demand_raises_error_given_key_is_disabled") + " (the same wording)"),
        .error(
            .encrypt, #"{"KeyId":"{pending}","Plaintext":"AQID"}"#, "KMSInvalidStateException",
            .exact("{pending.arn} is pending deletion."), source: Source.api("Encrypt") + " (KMSInvalidStateException)"),
        .error(
            .encrypt, #"{"KeyId":"{missing}","Plaintext":"AQID"}"#, "NotFoundException", .exact(missingKey),
            source: Source.recorded("TestKMS::test_get_key_does_not_exist")),
        .error(
            .encrypt, #"{"KeyId":"{sym}","Plaintext":"AQID","DryRun":true}"#, "DryRunOperationException", .exact(dryRun),
            source: Source.recorded("TestKMSGenerateKeys::test_generate_data_key_pair_dry_run")),
        .ok(
            .decrypt, #"{"CiphertextBlob":"{blob}","EncryptionContext":{"purpose":"fidelity"}}"#,
            fields: ["KeyId": "{sym.arn}", "Plaintext": "AQID", "EncryptionAlgorithm": "SYMMETRIC_DEFAULT", "KeyMaterialId": "{sym.material}"],
            source: Source.recorded("TestKMS::test_encrypt_decrypt_encryption_context (decrypt_response_with_encryption_context)")),
        .ok(
            .decrypt, #"{"CiphertextBlob":"{rsaBlob}","KeyId":"{rsa}","EncryptionAlgorithm":"RSAES_OAEP_SHA_256"}"#,
            fields: ["KeyId": "{rsa.arn}", "Plaintext": "AQID", "KeyMaterialId": nil],
            source: Source.api("Decrypt") + " (KeyMaterialId only for a symmetric encryption key)"),
        .error(
            .decrypt, #"{"CiphertextBlob":"{blob}"}"#, "InvalidCiphertextException", .absent,
            source: Source.recorded("TestKMS::test_encrypt_decrypt_encryption_context (decrypt_response_without_encryption_context)")),
        .error(
            .decrypt, #"{"CiphertextBlob":"AAECAwQFBgcICQ=="}"#, "InvalidCiphertextException", .absent,
            source: Source.recorded("TestKMS::test_encrypt_decrypt_encryption_context (decrypt_response_with_invalid_ciphertext)")),
        .error(
            .decrypt, #"{"CiphertextBlob":"{rsaBlob}","KeyId":"{rsa}","EncryptionAlgorithm":"RSAES_OAEP_SHA_1"}"#,
            "InvalidCiphertextException", .absent, source: Source.knowinglyDifferent + " (OAEP hash mismatch)"),
        .error(
            .decrypt, #"{"CiphertextBlob":"{blob}","KeyId":"{sym2}","EncryptionContext":{"purpose":"fidelity"}}"#,
            "IncorrectKeyException", .exact("The key ID in the request does not identify a CMK that can perform this operation."),
            source: Source.recorded("TestKMS::test_error_messaging_for_invalid_keys (decrypt-invalid-key-id)")),
        .error(
            .decrypt, #"{"CiphertextBlob":"{blob}","EncryptionContext":{"purpose":"fidelity"},"DryRun":true}"#,
            "DryRunOperationException", .exact(dryRun), source: Source.recorded("TestKMSGenerateKeys::test_generate_data_key_pair_dry_run")),
        .ok(
            .reEncrypt,
            #"{"CiphertextBlob":"{blob}","SourceEncryptionContext":{"purpose":"fidelity"},"DestinationKeyId":"{sym}"}"#,
            fields: [
                "SourceKeyId": "{sym.arn}", "KeyId": "{sym.arn}", "SourceKeyMaterialId": "{sym.material}",
                "DestinationKeyMaterialId": "{sym.material}", "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            ],
            source: Source.api("ReEncrypt")),
        .error(
            .reEncrypt, #"{"CiphertextBlob":"{blob}","DestinationKeyId":"{sym}"}"#, "InvalidCiphertextException", .absent,
            source: Source.api("ReEncrypt") + "; no message, as " + Source.recorded("TestKMS::test_key_rotations_encryption_decryption (bad-ciphertext)")),
    ]

    static let dataKeys: [FidelityRow] = [
        .ok(
            .generateDataKey, #"{"KeyId":"{sym}","KeySpec":"AES_256"}"#,
            fields: ["KeyId": "{sym.arn}", "KeyMaterialId": "{sym.material}", "Plaintext": base64, "CiphertextBlob": base64],
            source: Source.api("GenerateDataKey")),
        .error(
            .generateDataKey, #"{"KeyId":"{ecc}","KeySpec":"AES_256"}"#, "InvalidKeyUsageException",
            .exact("{ecc.arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKey."),
            source: Source.recorded("TestKMS::test_error_messaging_for_invalid_keys") + " (the same wording)"),
        .error(
            .generateDataKey, #"{"KeyId":"{sym}","KeySpec":"AES_256","DryRun":true}"#, "DryRunOperationException", .exact(dryRun),
            source: Source.recorded("TestKMSGenerateKeys::test_generate_data_key_pair_dry_run")),
        .ok(
            .generateDataKeyWithoutPlaintext, #"{"KeyId":"{sym}","NumberOfBytes":32}"#,
            fields: ["KeyId": "{sym.arn}", "KeyMaterialId": "{sym.material}", "Plaintext": nil],
            source: Source.api("GenerateDataKeyWithoutPlaintext")),
        .error(
            .generateDataKeyWithoutPlaintext, #"{"KeyId":"{sym}","NumberOfBytes":1025}"#, "ValidationException",
            .exact(
                "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"),
            source: Source.recorded("TestKMS::test_generate_random_invalid_number_of_bytes[1025]") + " (the same member)"),
        .ok(
            .generateDataKeyPair, #"{"KeyId":"{sym}","KeyPairSpec":"ECC_NIST_P256"}"#,
            fields: [
                "KeyId": "{sym.arn}", "KeyMaterialId": "{sym.material}", "KeyPairSpec": "ECC_NIST_P256", "PublicKey": base64,
                "PrivateKeyPlaintext": base64,
            ],
            source: Source.api("GenerateDataKeyPair")),
        .error(
            .generateDataKeyPair, #"{"KeyId":"{sym}","KeyPairSpec":"ECC_NIST_P256","DryRun":true}"#, "DryRunOperationException",
            .exact(dryRun), source: Source.recorded("TestKMSGenerateKeys::test_generate_data_key_pair_dry_run")),
        .ok(
            .generateDataKeyPairWithoutPlaintext, #"{"KeyId":"{sym}","KeyPairSpec":"RSA_2048"}"#,
            fields: ["KeyMaterialId": "{sym.material}", "PrivateKeyPlaintext": nil], source: Source.api("GenerateDataKeyPairWithoutPlaintext")),
        .error(
            .generateDataKeyPairWithoutPlaintext, #"{"KeyId":"{sym}","KeyPairSpec":"ECC_NIST_P256","DryRun":true}"#,
            "DryRunOperationException", .exact(dryRun),
            source: Source.recorded("TestKMSGenerateKeys::test_generate_data_key_pair_without_plaintext_dry_run")),
        .ok(.generateRandom, #"{"NumberOfBytes":16}"#, fields: ["Plaintext": base64], source: Source.api("GenerateRandom")),
        .error(
            .generateRandom, "{}", "ValidationException", .exact("NumberOfBytes is required."),
            source: Source.recorded("TestKMS::test_generate_random_invalid_number_of_bytes[None]")),
        .error(
            .generateRandom, #"{"NumberOfBytes":0}"#, "ValidationException",
            .exact(
                "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"),
            source: Source.recorded("TestKMS::test_generate_random_invalid_number_of_bytes[0]")),
        .error(
            .generateRandom, #"{"NumberOfBytes":1025}"#, "ValidationException",
            .exact(
                "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"),
            source: Source.recorded("TestKMS::test_generate_random_invalid_number_of_bytes[1025]")),
    ]

    static let lifecycle: [FidelityRow] = [
        .ok(.enableKey, #"{"KeyId":"{sym}"}"#, source: Source.api("EnableKey")),
        .error(
            .enableKey, #"{"KeyId":"alias/fidelity"}"#, "NotFoundException", .exact("Invalid keyId 'alias/fidelity'"),
            source: Source.api("EnableKey") + " (KeyId is a key id or key ARN); wording as "
                + Source.recorded("TestKMS::test_get_key_invalid_uuid")),
        .error(.disableKey, #"{"KeyId":"{missing}"}"#, "NotFoundException", .exact(missingKey), source: Source.api("DisableKey")),
        .ok(.disableKey, #"{"KeyId":"{disabled}"}"#, source: Source.api("DisableKey")),
        .ok(
            .scheduleKeyDeletion, #"{"KeyId":"{victim}","PendingWindowInDays":7}"#,
            fields: ["KeyId": "{victim.arn}", "KeyState": "PendingDeletion", "PendingWindowInDays": "7", "DeletionDate": "[0-9.e+]+"],
            source: Source.api("ScheduleKeyDeletion")),
        .error(
            .scheduleKeyDeletion, #"{"KeyId":"{sym}","PendingWindowInDays":6}"#, "ValidationException",
            .pattern("1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: .*"),
            source: Source.api("ScheduleKeyDeletion") + " (PendingWindowInDays 7–30)"),
        .ok(.cancelKeyDeletion, #"{"KeyId":"{pending2}"}"#, fields: ["KeyId": "{pending2.arn}"], source: Source.api("CancelKeyDeletion")),
        .error(
            .cancelKeyDeletion, #"{"KeyId":"{sym}"}"#, "KMSInvalidStateException", .pattern(".*"),
            source: Source.api("CancelKeyDeletion") + " (KMSInvalidStateException for a key not pending deletion)"),
        .ok(.updateKeyDescription, #"{"KeyId":"{sym}","Description":"fidelity"}"#, source: Source.api("UpdateKeyDescription")),
        .error(
            .updateKeyDescription, #"{"KeyId":"{missing.arn}","Description":"x"}"#, "NotFoundException", .exact(missingKey),
            source: Source.api("UpdateKeyDescription")),
    ]

    static let aliasesAndTags: [FidelityRow] = [
        .ok(.createAlias, #"{"AliasName":"alias/fidelity-new","TargetKeyId":"{sym}"}"#, source: Source.api("CreateAlias")),
        .error(
            .createAlias, #"{"AliasName":"fidelity-no-prefix","TargetKeyId":"{sym}"}"#, "ValidationException",
            .exact(
                #"Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"#),
            source: Source.recorded("TestKMS::test_create_alias")),
        .error(
            .createAlias, #"{"AliasName":"alias/aws/mine","TargetKeyId":"{sym}"}"#, "InvalidAliasNameException", .pattern(".*alias/aws/.*"),
            source: Source.api("CreateAlias") + " (alias/aws/ is reserved)"),
        .error(
            .createAlias, #"{"AliasName":"alias/fidelity","TargetKeyId":"{sym}"}"#, "AlreadyExistsException",
            .exact("An alias with the name arn:aws:kms:{region}:{account}:alias/fidelity already exists"),
            source: Source.api("CreateAlias") + " (AlreadyExistsException)"),
        .ok(.updateAlias, #"{"AliasName":"alias/fidelity","TargetKeyId":"{sym}"}"#, source: Source.api("UpdateAlias")),
        .error(
            .updateAlias, #"{"AliasName":"alias/nothing-here","TargetKeyId":"{sym}"}"#, "NotFoundException",
            .exact("Alias arn:aws:kms:{region}:{account}:alias/nothing-here is not found."), source: Source.api("UpdateAlias")),
        .ok(.deleteAlias, #"{"AliasName":"alias/fidelity-delete"}"#, source: Source.api("DeleteAlias")),
        .error(
            .deleteAlias, #"{"AliasName":"alias/nothing-here"}"#, "NotFoundException",
            .exact("Alias arn:aws:kms:{region}:{account}:alias/nothing-here is not found."), source: Source.api("DeleteAlias")),
        .ok(
            .listAliases, #"{"Limit":1}"#,
            fields: ["Truncated": "true", "NextMarker": ".+", "Aliases.0.AliasArn": "arn:aws:kms:{region}:{account}:alias/.+"],
            source: Source.api("ListAliases")),
        .ok(.tagResource, #"{"KeyId":"{sym}","Tags":\#(tag("team", "fidelity"))}"#, source: Source.api("TagResource")),
        .error(
            .tagResource, #"{"KeyId":"{sym}","Tags":\#(tag("aws:key1"))}"#, "TagException", .exact("Tags beginning with aws: are reserved"),
            source: Source.recorded("TestKMS::test_tag_existing_key_with_invalid_tag_key")),
        .error(
            .tagResource, #"{"KeyId":"{sym}","Tags":[{"TagKey":"tag1","TagValue":"a"},{"TagKey":"tag1","TagValue":"b"}]}"#,
            "TagException", .exact("Duplicate tag keys"), source: Source.recorded("TestKMS::test_tag_key_with_duplicate_tag_keys_raises_error")),
        .error(
            .tagResource, #"{"KeyId":"{sym}","Tags":\#(tags(51))}"#, "TagException", .exact("Too many tags"),
            source: Source.recorded("TestKMS::test_create_key_with_too_many_tags_raises_error") + " (the same rule)"),
        .ok(.untagResource, #"{"KeyId":"{sym}","TagKeys":["nothing-here"]}"#, source: Source.api("UntagResource")),
        .ok(
            .listResourceTags, #"{"KeyId":"{sym}","Limit":1}"#, fields: ["Truncated": "true", "NextMarker": ".+", "Tags.0.TagKey": ".+"],
            source: Source.recorded("TestKMS::test_create_key_with_tag_and_untag")),
        .error(
            .listResourceTags, #"{"KeyId":"alias/fidelity"}"#, "NotFoundException", .exact("Invalid keyId 'alias/fidelity'"),
            source: Source.api("ListResourceTags") + " (KeyId is a key id or key ARN)"),
    ]

    static let rotation: [FidelityRow] = [
        .ok(.enableKeyRotation, #"{"KeyId":"{sym}","RotationPeriodInDays":180}"#, source: Source.api("EnableKeyRotation")),
        .error(
            .enableKeyRotation, #"{"KeyId":"{sym}","RotationPeriodInDays":89}"#, "ValidationException",
            .pattern("1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: .*"),
            source: Source.api("EnableKeyRotation") + " (RotationPeriodInDays 90–2560)"),
        .error(
            .enableKeyRotation, #"{"KeyId":"{disabledEcc}"}"#, "DisabledException", .exact("{disabledEcc.arn} is disabled."),
            source: Source.recorded("TestKMS::test_rotate_key_on_demand_raises_error_given_key_is_disabled") + " (state before key type)"),
        .error(
            .enableKeyRotation, #"{"KeyId":"{ecc}"}"#, "UnsupportedOperationException", .pattern(".*"),
            source: Source.api("EnableKeyRotation") + " (symmetric encryption keys only)"),
        .ok(.disableKeyRotation, #"{"KeyId":"{sym2}"}"#, source: Source.api("DisableKeyRotation")),
        .error(
            .disableKeyRotation, #"{"KeyId":"{disabled}"}"#, "DisabledException", .exact("{disabled.arn} is disabled."),
            source: Source.api("DisableKeyRotation") + " (DisabledException)"),
        .ok(
            .getKeyRotationStatus, #"{"KeyId":"{rotated}"}"#,
            fields: ["KeyId": "{rotated.arn}", "KeyRotationEnabled": "true", "RotationPeriodInDays": "365", "NextRotationDate": "[0-9.e+]+"],
            source: Source.recorded("TestKMS::test_rotate_key_on_demand_with_symmetric_key_and_automatic_rotation_enabled")),
        .ok(
            .rotateKeyOnDemand, #"{"KeyId":"{rotating}"}"#, fields: ["KeyId": "{rotating.arn}"],
            source: Source.recorded("TestKMS::test_rotate_on_demand_returns_arn_for_key_id")),
        .error(
            .rotateKeyOnDemand, #"{"KeyId":"{disabled}"}"#, "DisabledException", .exact("{disabled.arn} is disabled."),
            source: Source.recorded("TestKMS::test_rotate_key_on_demand_raises_error_given_key_is_disabled")),
        .error(
            .rotateKeyOnDemand, #"{"KeyId":"{disabledEcc}"}"#, "DisabledException", .exact("{disabledEcc.arn} is disabled."),
            source: Source.recorded("TestKMS::test_rotate_key_on_demand_raises_error_given_key_is_disabled") + " (state before key type)"),
        .error(
            .rotateKeyOnDemand, #"{"KeyId":"{missing}"}"#, "NotFoundException", .exact(missingKey),
            source: Source.recorded("TestKMS::test_rotate_key_on_demand_raises_error_given_key_that_does_not_exist")),
        .error(
            .rotateKeyOnDemand, #"{"KeyId":"{ecc}"}"#, "UnsupportedOperationException", .pattern(".*symmetric.*"),
            source: Source.recorded("TestKMS::test_rotate_key_on_demand_raises_error_given_non_symmetric_key")
                + "; AWS sends no message, " + Source.knowinglyDifferent),
        .ok(
            .listKeyRotations, #"{"KeyId":"{rotated}"}"#,
            fields: [
                "Rotations.0.KeyId": "{rotated}", "Rotations.0.KeyMaterialId": hex64, "Rotations.0.KeyMaterialState": "NON_CURRENT",
                "Rotations.0.RotationType": "ON_DEMAND", "Rotations.1.KeyMaterialId": "{rotated.material}",
                "Rotations.1.KeyMaterialState": "CURRENT", "Rotations.2": nil, "Truncated": "false",
            ],
            source: Source.api("ListKeyRotations")),
        .ok(
            .listKeyRotations, #"{"KeyId":"{rotated}","IncludeKeyMaterial":"ALL_KEY_MATERIAL","Limit":1}"#,
            fields: [
                "Rotations.0.KeyMaterialId": hex64, "Rotations.0.KeyMaterialState": "NON_CURRENT", "Rotations.0.RotationType": nil,
                "Rotations.0.RotationDate": nil, "Truncated": "true", "NextMarker": ".+",
            ],
            source: Source.api("ListKeyRotations") + " (ALL_KEY_MATERIAL adds the first key material)"),
        .error(
            .listKeyRotations, #"{"KeyId":"{rotated}","IncludeKeyMaterial":"SOME"}"#, "ValidationException",
            .pattern(
                #"1 validation error detected: Value 'SOME' at 'includeKeyMaterial' failed to satisfy constraint: Member must satisfy enum value set: \[ALL_KEY_MATERIAL, ROTATIONS_ONLY\]"#),
            source: Source.api("ListKeyRotations")),
    ]

    static let policiesAndImport: [FidelityRow] = [
        .ok(
            .putKeyPolicy,
            #"{"KeyId":"{sym}","Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::{account}:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"}"#,
            source: Source.api("PutKeyPolicy")),
        .error(
            .putKeyPolicy, #"{"KeyId":"{sym}","Policy":"not a policy"}"#, "MalformedPolicyDocumentException", .pattern(".*"),
            source: Source.api("PutKeyPolicy")),
        .ok(.getKeyPolicy, #"{"KeyId":"{sym}"}"#, fields: ["PolicyName": "default", "Policy": ".+"], source: Source.api("GetKeyPolicy")),
        .error(
            .getKeyPolicy, #"{"KeyId":"{sym}","PolicyName":"other"}"#, "NotFoundException", .pattern(".*"),
            source: Source.api("GetKeyPolicy") + " (the only policy name is default)"),
        .ok(.listKeyPolicies, #"{"KeyId":"{sym}"}"#, fields: ["PolicyNames.0": "default", "Truncated": "false"], source: Source.api("ListKeyPolicies")),
        .error(
            .getParametersForImport, #"{"KeyId":"{sym}","WrappingAlgorithm":"RSAES_OAEP_SHA_256","WrappingKeySpec":"RSA_4096"}"#,
            "UnsupportedOperationException", .exact("{sym.arn} origin is AWS_KMS which is not valid for this operation."),
            source: Source.recorded("TestKMS::test_get_parameters_for_import (response-error)")),
        .error(
            .importKeyMaterial, #"{"KeyId":"{sym}","ImportToken":"AQID","EncryptedKeyMaterial":"AQID"}"#,
            "UnsupportedOperationException", .exact("{sym.arn} origin is AWS_KMS which is not valid for this operation."),
            source: Source.api("ImportKeyMaterial") + " (Origin must be EXTERNAL); wording as "
                + Source.recorded("TestKMS::test_get_parameters_for_import")),
    ]
}
