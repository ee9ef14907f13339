@_exported public import SigilCrypto
