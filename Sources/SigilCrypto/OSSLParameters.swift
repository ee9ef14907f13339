internal import COpenSSL
import FoundationEssentials

/// An `OSSL_PARAM` array whose names and values live as long as the array.
///
/// `OSSL_PARAM` holds raw pointers to its key and value; built from Swift temporaries
/// (string literals, `&variable`) those pointers dangle once the building call returns.
/// This class copies every key and value into memory it owns, wipes the values and frees
/// everything when released.
final class OSSLParameters {
    private var allocations: [(pointer: UnsafeMutableRawPointer, count: Int)] = []
    private var parameters: [OSSL_PARAM] = []

    deinit {
        for (pointer, count) in allocations {
            Zeroize.buffer(UnsafeMutableRawBufferPointer(start: pointer, count: count))
            pointer.deallocate()
        }
    }

    private func own(_ bytes: UnsafeRawBufferPointer, extraZero: Bool = false) -> UnsafeMutableRawPointer {
        let count = bytes.count + (extraZero ? 1 : 0)
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
        if let base = bytes.baseAddress, bytes.count > 0 {
            pointer.copyMemory(from: base, byteCount: bytes.count)
        }
        allocations.append((pointer, max(count, 1)))
        return pointer
    }

    private func ownCString(_ string: String) -> UnsafeMutablePointer<CChar> {
        Array(string.utf8).withUnsafeBytes { own($0, extraZero: true) }.assumingMemoryBound(to: CChar.self)
    }

    func addUTF8String(_ key: String, _ value: String) {
        let value = ownCString(value)
        parameters.append(OSSL_PARAM_construct_utf8_string(ownCString(key), value, 0))
    }

    func addOctetString(_ key: String, _ value: UnsafeRawBufferPointer) {
        parameters.append(OSSL_PARAM_construct_octet_string(ownCString(key), own(value), value.count))
    }

    func addOctetString(_ key: String, _ value: [UInt8]) {
        value.withUnsafeBytes { addOctetString(key, $0) }
    }

    func addInt32(_ key: String, _ value: Int32) {
        let storage = withUnsafeBytes(of: value) { own($0) }.assumingMemoryBound(to: Int32.self)
        parameters.append(OSSL_PARAM_construct_int(ownCString(key), storage))
    }

    /// Lends the terminated array to `body`.
    func withUnsafeParameters<Result>(_ body: (UnsafeMutablePointer<OSSL_PARAM>) throws -> Result) rethrows -> Result {
        var terminated = parameters + [OSSL_PARAM_construct_end()]
        return try terminated.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}
