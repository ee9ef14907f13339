import Foundation
import Sigil
import SigilKMS
import SigilKeyStore

/// The symmetric half of KMS, aliases, tags and rotation.
extension KeyHolderService {
    func performMore(_ operation: KMSOperation, body: Data, caller: Principal) async throws -> Data {
        throw KMSError.unsupportedOperation("\(operation) is not implemented yet")
    }

    func encryptSymmetric(_ request: KMS.EncryptRequest, key: KeyRecord) throws -> KMS.EncryptResponse {
        throw KMSError.unsupportedOperation("symmetric Encrypt is not implemented yet")
    }

    func decryptSymmetric(_ request: KMS.DecryptRequest, blob: [UInt8], caller: Principal) throws -> KMS.DecryptResponse {
        throw KMSError.unsupportedOperation("symmetric Decrypt is not implemented yet")
    }
}
