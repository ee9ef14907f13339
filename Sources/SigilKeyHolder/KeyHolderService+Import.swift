import Foundation
import SigilKMS
import SigilKeyStore

/// GetParametersForImport and ImportKeyMaterial. Every key of Sigil's has AWS_KMS origin (it
/// makes its own material; CreateKey refuses EXTERNAL), and KMS refuses both operations for
/// such a key: Sigil answers as KMS does, once the caller may know about the key.
extension KeyHolderService {
    func refuseImport(_ keyId: String, _ caller: Call) throws -> KMS.Empty {
        let key = try resolve(keyId, caller, aliases: false)
        throw KMSError.unsupportedOperation("\(key.arn) origin is AWS_KMS which is not valid for this operation.")
    }
}
