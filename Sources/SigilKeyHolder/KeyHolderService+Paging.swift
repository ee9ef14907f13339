import Foundation
import Sigil
import SigilKMS
import SigilKeyStore

/// The page limits and opaque markers of the List operations.
extension KeyHolderService {
    func pageLimit(_ limit: Int?, maximum: Int, default defaultLimit: Int) throws -> Int {
        guard let limit else { return defaultLimit }
        guard (1...maximum).contains(limit) else {
            throw KMSError.validation(
                "1 validation error detected: Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value between 1 and \(maximum)")
        }
        return limit
    }

    /// Markers are opaque to clients: base64 of where the previous page ended.
    func encodeMarker(_ position: String) -> String {
        Data(position.utf8).base64EncodedString()
    }

    func decodeMarker(_ marker: String) -> String? {
        guard let blob = Base64Blob(base64Encoded: marker), !blob.bytes.isEmpty else { return nil }
        return String(bytes: blob.bytes, encoding: .utf8)
    }
}
