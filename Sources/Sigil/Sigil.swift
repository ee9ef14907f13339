// `Sigil` is `SigilCore` plus the few entry points that take Foundation's types, so that
// code written against `Sigil` before the lean core existed compiles unchanged. A build
// that must not link Foundation (a field device) imports `SigilCore` instead.
@_exported public import SigilCore
public import Foundation

extension PublicKey {
    /// Verifies a signature over everything that can be read from a file handle (a file,
    /// a pipe, standard input), streamed in constant memory.
    ///
    /// - Parameters:
    ///   - signature: The signature; for ECDSA in `format`.
    ///   - handle: The handle to read to its end.
    ///   - algorithm: The KMS signing algorithm; it must suit this key.
    ///   - format: The ECDSA signature encoding; ignored for RSA.
    /// - Returns: `true` when the signature is valid, `false` when it is not.
    /// - Throws: ``SigilError`` with code `ioFailure` when reading fails, and as the
    ///   in-memory variant does.
    public func isValidSignature(
        _ signature: some DataProtocol, readingFrom handle: FileHandle,
        algorithm: SigningAlgorithm, format: SignatureFormat = .der
    ) throws -> Bool {
        try isValidSignature(signature, readingFromDescriptor: handle.fileDescriptor, algorithm: algorithm, format: format)
    }
}
