// Sigil's API is built from SigilCrypto's value types (KeySpec, HashFunction, SigilError,
// ECDSASignature…); re-exporting them means `import Sigil` is all a verifier writes.
@_exported public import SigilCrypto
