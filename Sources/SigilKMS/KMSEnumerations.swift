// The string enumerations of the KMS API model (botocore's kms/2014-11-01/service-2.json),
// each an open set of values: see `KMSEnumeration`.

/// The namespace of the KMS wire shapes: requests, responses, and the structures and
/// enumerations inside them, named as in the KMS API model.
public enum KMS {}

extension KMS {
    /// The type and size of a KMS key (`KeySpec`, and the older `CustomerMasterKeySpec`).
    public struct KeySpec: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
            "ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
            "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519", "ML_KEM_512", "ML_KEM_768",
            "ML_KEM_1024",
        ]
        /// `RSA_2048`.
        public static let rsa2048 = Self(rawValue: "RSA_2048")
        /// `RSA_3072`.
        public static let rsa3072 = Self(rawValue: "RSA_3072")
        /// `RSA_4096`.
        public static let rsa4096 = Self(rawValue: "RSA_4096")
        /// `ECC_NIST_P256`.
        public static let eccNistP256 = Self(rawValue: "ECC_NIST_P256")
        /// `ECC_NIST_P384`.
        public static let eccNistP384 = Self(rawValue: "ECC_NIST_P384")
        /// `ECC_NIST_P521`.
        public static let eccNistP521 = Self(rawValue: "ECC_NIST_P521")
        /// `ECC_SECG_P256K1`.
        public static let eccSecgP256k1 = Self(rawValue: "ECC_SECG_P256K1")
        /// `SYMMETRIC_DEFAULT`.
        public static let symmetricDefault = Self(rawValue: "SYMMETRIC_DEFAULT")
        /// `HMAC_224`.
        public static let hmac224 = Self(rawValue: "HMAC_224")
        /// `HMAC_256`.
        public static let hmac256 = Self(rawValue: "HMAC_256")
        /// `HMAC_384`.
        public static let hmac384 = Self(rawValue: "HMAC_384")
        /// `HMAC_512`.
        public static let hmac512 = Self(rawValue: "HMAC_512")
        /// `SM2`.
        public static let sm2 = Self(rawValue: "SM2")
        /// `ML_DSA_44`.
        public static let mlDsa44 = Self(rawValue: "ML_DSA_44")
        /// `ML_DSA_65`.
        public static let mlDsa65 = Self(rawValue: "ML_DSA_65")
        /// `ML_DSA_87`.
        public static let mlDsa87 = Self(rawValue: "ML_DSA_87")
        /// `ECC_NIST_EDWARDS25519`.
        public static let eccNistEdwards25519 = Self(rawValue: "ECC_NIST_EDWARDS25519")
        /// `ML_KEM_512`.
        public static let mlKem512 = Self(rawValue: "ML_KEM_512")
        /// `ML_KEM_768`.
        public static let mlKem768 = Self(rawValue: "ML_KEM_768")
        /// `ML_KEM_1024`.
        public static let mlKem1024 = Self(rawValue: "ML_KEM_1024")
    }

    /// What a key is for (`KeyUsage`).
    public struct KeyUsage: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT",
            "ENCAPSULATE_DECAPSULATE",
        ]
        /// `SIGN_VERIFY`.
        public static let signVerify = Self(rawValue: "SIGN_VERIFY")
        /// `ENCRYPT_DECRYPT`.
        public static let encryptDecrypt = Self(rawValue: "ENCRYPT_DECRYPT")
        /// `GENERATE_VERIFY_MAC`.
        public static let generateVerifyMac = Self(rawValue: "GENERATE_VERIFY_MAC")
        /// `KEY_AGREEMENT`.
        public static let keyAgreement = Self(rawValue: "KEY_AGREEMENT")
        /// `ENCAPSULATE_DECAPSULATE`.
        public static let encapsulateDecapsulate = Self(rawValue: "ENCAPSULATE_DECAPSULATE")
    }

    /// The state of a key in its life cycle (`KeyState`).
    public struct KeyState: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "Creating", "Enabled", "Disabled", "PendingDeletion", "PendingImport", "PendingReplicaDeletion",
            "Unavailable", "Updating",
        ]
        /// `Creating`.
        public static let creating = Self(rawValue: "Creating")
        /// `Enabled`.
        public static let enabled = Self(rawValue: "Enabled")
        /// `Disabled`.
        public static let disabled = Self(rawValue: "Disabled")
        /// `PendingDeletion`.
        public static let pendingDeletion = Self(rawValue: "PendingDeletion")
        /// `PendingImport`.
        public static let pendingImport = Self(rawValue: "PendingImport")
        /// `PendingReplicaDeletion`.
        public static let pendingReplicaDeletion = Self(rawValue: "PendingReplicaDeletion")
        /// `Unavailable`.
        public static let unavailable = Self(rawValue: "Unavailable")
        /// `Updating`.
        public static let updating = Self(rawValue: "Updating")
    }

    /// Where a key's material came from (`Origin`).
    public struct Origin: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE",
        ]
        /// `AWS_KMS`.
        public static let awsKms = Self(rawValue: "AWS_KMS")
        /// `EXTERNAL`.
        public static let external = Self(rawValue: "EXTERNAL")
        /// `AWS_CLOUDHSM`.
        public static let awsCloudhsm = Self(rawValue: "AWS_CLOUDHSM")
        /// `EXTERNAL_KEY_STORE`.
        public static let externalKeyStore = Self(rawValue: "EXTERNAL_KEY_STORE")
    }

    /// Who manages a key (`KeyManager`).
    public struct KeyManager: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "AWS", "CUSTOMER",
        ]
        /// `AWS`.
        public static let aws = Self(rawValue: "AWS")
        /// `CUSTOMER`.
        public static let customer = Self(rawValue: "CUSTOMER")
    }

    /// An encryption algorithm (`EncryptionAlgorithm`, `EncryptionAlgorithms`).
    public struct EncryptionAlgorithm: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE",
        ]
        /// `SYMMETRIC_DEFAULT`.
        public static let symmetricDefault = Self(rawValue: "SYMMETRIC_DEFAULT")
        /// `RSAES_OAEP_SHA_1`.
        public static let rsaesOaepSha1 = Self(rawValue: "RSAES_OAEP_SHA_1")
        /// `RSAES_OAEP_SHA_256`.
        public static let rsaesOaepSha256 = Self(rawValue: "RSAES_OAEP_SHA_256")
        /// `SM2PKE`.
        public static let sm2pke = Self(rawValue: "SM2PKE")
    }

    /// A signing algorithm (`SigningAlgorithm`, `SigningAlgorithms`).
    public struct SigningAlgorithm: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256",
            "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512", "ECDSA_SHA_256", "ECDSA_SHA_384",
            "ECDSA_SHA_512", "SM2DSA", "ML_DSA_SHAKE_256", "ED25519_SHA_512", "ED25519_PH_SHA_512",
        ]
        /// `RSASSA_PSS_SHA_256`.
        public static let rsassaPssSha256 = Self(rawValue: "RSASSA_PSS_SHA_256")
        /// `RSASSA_PSS_SHA_384`.
        public static let rsassaPssSha384 = Self(rawValue: "RSASSA_PSS_SHA_384")
        /// `RSASSA_PSS_SHA_512`.
        public static let rsassaPssSha512 = Self(rawValue: "RSASSA_PSS_SHA_512")
        /// `RSASSA_PKCS1_V1_5_SHA_256`.
        public static let rsassaPkcs1V15Sha256 = Self(rawValue: "RSASSA_PKCS1_V1_5_SHA_256")
        /// `RSASSA_PKCS1_V1_5_SHA_384`.
        public static let rsassaPkcs1V15Sha384 = Self(rawValue: "RSASSA_PKCS1_V1_5_SHA_384")
        /// `RSASSA_PKCS1_V1_5_SHA_512`.
        public static let rsassaPkcs1V15Sha512 = Self(rawValue: "RSASSA_PKCS1_V1_5_SHA_512")
        /// `ECDSA_SHA_256`.
        public static let ecdsaSha256 = Self(rawValue: "ECDSA_SHA_256")
        /// `ECDSA_SHA_384`.
        public static let ecdsaSha384 = Self(rawValue: "ECDSA_SHA_384")
        /// `ECDSA_SHA_512`.
        public static let ecdsaSha512 = Self(rawValue: "ECDSA_SHA_512")
        /// `SM2DSA`.
        public static let sm2dsa = Self(rawValue: "SM2DSA")
        /// `ML_DSA_SHAKE_256`.
        public static let mlDsaShake256 = Self(rawValue: "ML_DSA_SHAKE_256")
        /// `ED25519_SHA_512`.
        public static let ed25519Sha512 = Self(rawValue: "ED25519_SHA_512")
        /// `ED25519_PH_SHA_512`.
        public static let ed25519PhSha512 = Self(rawValue: "ED25519_PH_SHA_512")
    }

    /// Whether Sign and Verify get the message itself or its digest (`MessageType`).
    public struct MessageType: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "RAW", "DIGEST", "EXTERNAL_MU",
        ]
        /// `RAW`.
        public static let raw = Self(rawValue: "RAW")
        /// `DIGEST`.
        public static let digest = Self(rawValue: "DIGEST")
        /// `EXTERNAL_MU`.
        public static let externalMu = Self(rawValue: "EXTERNAL_MU")
    }

    /// The length of a data key from GenerateDataKey (that operation's `KeySpec`).
    public struct DataKeySpec: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "AES_256", "AES_128",
        ]
        /// `AES_256`.
        public static let aes256 = Self(rawValue: "AES_256")
        /// `AES_128`.
        public static let aes128 = Self(rawValue: "AES_128")
    }

    /// The type of a data key pair from GenerateDataKeyPair (`KeyPairSpec`).
    public struct DataKeyPairSpec: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
            "ECC_SECG_P256K1", "SM2", "ECC_NIST_EDWARDS25519", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024",
        ]
        /// `RSA_2048`.
        public static let rsa2048 = Self(rawValue: "RSA_2048")
        /// `RSA_3072`.
        public static let rsa3072 = Self(rawValue: "RSA_3072")
        /// `RSA_4096`.
        public static let rsa4096 = Self(rawValue: "RSA_4096")
        /// `ECC_NIST_P256`.
        public static let eccNistP256 = Self(rawValue: "ECC_NIST_P256")
        /// `ECC_NIST_P384`.
        public static let eccNistP384 = Self(rawValue: "ECC_NIST_P384")
        /// `ECC_NIST_P521`.
        public static let eccNistP521 = Self(rawValue: "ECC_NIST_P521")
        /// `ECC_SECG_P256K1`.
        public static let eccSecgP256k1 = Self(rawValue: "ECC_SECG_P256K1")
        /// `SM2`.
        public static let sm2 = Self(rawValue: "SM2")
        /// `ECC_NIST_EDWARDS25519`.
        public static let eccNistEdwards25519 = Self(rawValue: "ECC_NIST_EDWARDS25519")
        /// `ML_KEM_512`.
        public static let mlKem512 = Self(rawValue: "ML_KEM_512")
        /// `ML_KEM_768`.
        public static let mlKem768 = Self(rawValue: "ML_KEM_768")
        /// `ML_KEM_1024`.
        public static let mlKem1024 = Self(rawValue: "ML_KEM_1024")
    }

    /// Whether imported key material expires (`ExpirationModel`).
    public struct ExpirationModel: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE",
        ]
        /// `KEY_MATERIAL_EXPIRES`.
        public static let keyMaterialExpires = Self(rawValue: "KEY_MATERIAL_EXPIRES")
        /// `KEY_MATERIAL_DOES_NOT_EXPIRE`.
        public static let keyMaterialDoesNotExpire = Self(rawValue: "KEY_MATERIAL_DOES_NOT_EXPIRE")
    }

    /// How a key was rotated (`RotationType`).
    public struct RotationType: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "AUTOMATIC", "ON_DEMAND",
        ]
        /// `AUTOMATIC`.
        public static let automatic = Self(rawValue: "AUTOMATIC")
        /// `ON_DEMAND`.
        public static let onDemand = Self(rawValue: "ON_DEMAND")
    }

    /// Whether a multi-Region key is the primary or a replica (`MultiRegionKeyType`).
    public struct MultiRegionKeyType: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "PRIMARY", "REPLICA",
        ]
        /// `PRIMARY`.
        public static let primary = Self(rawValue: "PRIMARY")
        /// `REPLICA`.
        public static let replica = Self(rawValue: "REPLICA")
    }

    /// Which key materials ListKeyRotations lists (`IncludeKeyMaterial`).
    public struct IncludeKeyMaterial: KMSEnumeration {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let knownValues: [String] = [
            "ALL_KEY_MATERIAL", "ROTATIONS_ONLY",
        ]
        /// `ALL_KEY_MATERIAL`.
        public static let allKeyMaterial = Self(rawValue: "ALL_KEY_MATERIAL")
        /// `ROTATIONS_ONLY`.
        public static let rotationsOnly = Self(rawValue: "ROTATIONS_ONLY")
    }
}
