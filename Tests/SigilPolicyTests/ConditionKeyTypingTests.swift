import SigilPolicy
import Testing

/// A policy is read only if the key holder supplies every key it tests, and each key
/// is tested by an operator that can read its values; otherwise it is refused, naming
/// the key.
@Suite struct ConditionKeyTypingTests {
    typealias F = Fixture

    @Test(arguments: [
        "aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp", "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge",
        "aws:PrincipalTag/Team", "aws:RequestTag/Project", "aws:ResourceTag/Owner", "aws:TagKeys", "aws:SourceArn",
        "aws:SourceAccount", "aws:PrincipalOrgID", "aws:PrincipalIsAWSService", "aws:ViaAWSService", "aws:TokenIssueTime",
        "aws:CalledVia", "kms:ViaService", "kms:GrantOperations", "kms:GrantConstraintType", "kms:RetiringPrincipal",
        "kms:GranteePrincipal", "kms:BypassPolicyLockoutSafetyCheck", "kms:ScheduleKeyDeletionPendingWindowInDays",
        "kms:KeyAgreementAlgorithm", "kms:MacAlgorithm", "kms:ExpirationModel", "kms:WrappingAlgorithm",
        "kms:MultiRegion", "kms:PrimaryRegion", "kms:RotationPeriodInDays", "kms:ResourceAliases",
        "kms:EncryptionContextKeysX", "s3:prefix", "aws:EpochTimes",
    ])
    func refusesKeysTheKeyHolderDoesNotSupplyNamingThem(_ key: String) {
        for condition in [#"{"StringEquals": {"\#(key)": "x"}}"#, #"{"Null": {"\#(key)": "true"}}"#] {
            let error = F.conditionError(condition)
            #expect(error?.code == .unsupportedConditionKey, "\(condition)")
            #expect(error?.message.contains(#"condition key "\#(key)" is not supported"#) == true, "\(error?.message ?? "none")")
        }
    }

    @Test(arguments: [
        "aws:SecureTransport", "aws:SourceIp", "aws:CurrentTime", "aws:EpochTime", "aws:RequestedRegion", "aws:userid",
        "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:username", "aws:ResourceAccount",
        "kms:CallerAccount", "kms:EncryptionAlgorithm", "kms:SigningAlgorithm", "kms:MessageType", "kms:KeySpec",
        "kms:KeyUsage", "kms:KeyOrigin", "kms:DataKeyPairSpec", "kms:EncryptionContextKeys", "kms:RequestAlias",
        "kms:GrantIsForAWSResource", "kms:ReEncryptOnSameKey", "kms:EncryptionContext:tenant", "AWS:EPOCHTIME",
    ])
    func acceptsEveryKeyTheKeyHolderSupplies(_ key: String) {
        #expect(F.conditionError(#"{"Null": {"\#(key)": "false"}}"#) == nil)
    }

    @Test(arguments: [
        // operator, key, value: an operator that cannot read the key's values.
        ("IpAddress", "aws:CurrentTime", "10.0.0.0/8"),
        ("NotIpAddress", "aws:EpochTime", "10.0.0.0/8"),
        ("IpAddress", "kms:EncryptionContext:ip", "10.0.0.0/8"),
        ("NumericLessThan", "aws:SourceIp", "5"),
        ("NumericEquals", "aws:CurrentTime", "1796513454"),
        ("NumericEquals", "kms:EncryptionContext:version", "3"),
        ("DateLessThan", "aws:SourceIp", "2026-12-05"),
        ("DateLessThan", "aws:SecureTransport", "2026-12-05"),
        ("Bool", "kms:EncryptionAlgorithm", "true"),
        ("Bool", "aws:SourceIp", "true"),
        ("Bool", "aws:userid", "true"),
        ("StringEquals", "aws:SecureTransport", "false"),
        ("StringEquals", "kms:ReEncryptOnSameKey", "false"),
        ("StringNotEquals", "aws:SourceIp", "10.1.2.3"),
        ("StringLike", "aws:SourceIp", "10.*"),
        ("StringLike", "aws:CurrentTime", "2026-*"),
        ("StringEquals", "aws:EpochTime", "1796513454"),
        ("ArnLike", "kms:CallerAccount", "arn:aws:iam::*:root"),
        ("ArnEquals", "aws:SourceIp", "arn:aws:iam::111122223333:root"),
        ("ForAnyValue:NumericEquals", "kms:EncryptionContextKeys", "1"),
        ("DateGreaterThanIfExists", "aws:RequestedRegion", "2026-12-05"),
    ])
    func refusesAnOperatorThatCannotReadTheKey(_ operatorName: String, _ key: String, _ value: String) {
        let error = F.conditionError(#"{"\#(operatorName)": {"\#(key)": "\#(value)"}}"#)
        #expect(error?.code == .invalidCondition)
        #expect(
            error?.message.contains(#"condition \#(operatorName) cannot test "\#(key)", whose value is"#) == true,
            "\(error?.message ?? "no error")")
    }

    @Test(arguments: [
        ("StringEquals", "aws:PrincipalArn", #""arn:aws:iam::111122223333:user/KeyUser""#),
        ("ArnLike", "aws:PrincipalArn", #""arn:aws:iam::111122223333:user/*""#),
        ("ArnLike", "kms:EncryptionContext:aws:s3:arn", #""arn:aws:s3:::bucket/*""#),
        ("StringLike", "kms:EncryptionContext:aws:s3:arn", #""arn:aws:s3:::bucket/*""#),
        ("NumericLessThan", "aws:EpochTime", "1796513454"),
        ("DateLessThan", "aws:EpochTime", #""2026-12-05T23:30:54Z""#),
        ("DateLessThan", "aws:CurrentTime", "1796513454"),
        ("IpAddress", "aws:SourceIp", #""10.0.0.0/8""#),
        ("Bool", "aws:SecureTransport", "true"),
        ("Bool", "kms:GrantIsForAWSResource", "true"),
        ("Null", "aws:SourceIp", "true"),
        ("Null", "aws:CurrentTime", "false"),
        ("ForAllValues:StringLike", "kms:EncryptionContextKeys", #""tenant*""#),
    ])
    func acceptsOperatorsThatFitTheKey(_ operatorName: String, _ key: String, _ value: String) {
        #expect(F.conditionError(#"{"\#(operatorName)": {"\#(key)": \#(value)}}"#) == nil)
    }
}
