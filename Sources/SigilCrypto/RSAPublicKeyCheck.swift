internal import COpenSSL

/// A deterministic validity check of an RSA public key: the same key always gets the same
/// verdict.
///
/// OpenSSL's `EVP_PKEY_public_check` for RSA (SP 800-56B's public key check) ends with a
/// Miller-Rabin test whose bases are *random*: a crafted modulus with a small factor just
/// above its trial-division bound (751) is refused on some imports and accepted on others
/// (the fuzz finding `Fuzz/crashes/public-key-rsa-modulus-factor-853`). This check makes the
/// same decisions with fixed inputs:
///
/// 1. The modulus is odd, and the exponent odd and greater than 1 (OpenSSL's rule).
/// 2. The modulus has no prime factor below 2^14, by trial division (OpenSSL's bound is 752).
/// 3. For fixed bases b = 2, 3, 5, …: x = b^(n-1) mod n. A base with x ≠ 1 shows n composite;
///    then gcd(x - 1, n) > 1 exposes a factor — always the case for a prime power, whose
///    every prime p has b^(n-1) ≡ 1 (mod p) — and the key is refused; gcd 1 means a composite
///    that is not a prime power, which is what a real RSA modulus is, and the check passes
///    (one modular exponentiation, as OpenSSL's test costs for a real key). A modulus for
///    which every base gives 1 is prime (or a pseudoprime to all of them): refused.
enum RSAPublicKeyCheck {
    /// The fixed Miller-Rabin/Fermat bases.
    private static let bases: [UInt] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]

    /// The odd primes below 2^14, for trial division.
    private static let smallPrimes: [UInt] = {
        let limit = 1 << 14
        var composite = [Bool](repeating: false, count: limit)
        var primes: [UInt] = []
        for candidate in 3..<limit where !composite[candidate] && candidate % 2 == 1 {
            primes.append(UInt(candidate))
            var multiple = candidate * candidate
            while multiple < limit {
                composite[multiple] = true
                multiple += candidate
            }
        }
        return primes
    }()

    /// Throws unless `key` (an RSA `EVP_PKEY`) passes the check.
    ///
    /// - Throws: ``SigilError`` with code `malformedKey` naming what is wrong.
    static func validate(_ key: OpaquePointer) throws {
        let modulus = try parameter(key, OSSL_PKEY_PARAM_RSA_N)
        defer { BN_free(modulus) }
        let exponent = try parameter(key, OSSL_PKEY_PARAM_RSA_E)
        defer { BN_free(exponent) }

        guard BN_is_odd(modulus) == 1 else {
            throw SigilError(.malformedKey, "the RSA public key is not valid: its modulus is even")
        }
        guard BN_is_odd(exponent) == 1, BN_is_one(exponent) == 0 else {
            throw SigilError(.malformedKey, "the RSA public key is not valid: its public exponent must be odd and greater than 1")
        }
        for prime in smallPrimes {
            let remainder = BN_mod_word(modulus, prime)
            guard remainder != UInt.max else {
                throw OpenSSLErrorQueue.error(.cryptoFailure, "BN_mod_word failed")
            }
            guard remainder != 0 else {
                throw SigilError(.malformedKey, "the RSA public key is not valid: its modulus has the small factor \(prime)")
            }
        }
        try checkCompositeNotPrimePower(modulus)
    }

    private static func checkCompositeNotPrimePower(_ modulus: OpaquePointer) throws {
        let context = try checkOpenSSL(BN_CTX_new(), .cryptoFailure, "BN_CTX_new")
        defer { BN_CTX_free(context) }
        let nMinusOne = try checkOpenSSL(BN_dup(modulus), .cryptoFailure, "BN_dup")
        defer { BN_free(nMinusOne) }
        let base = try checkOpenSSL(BN_new(), .cryptoFailure, "BN_new")
        defer { BN_free(base) }
        let power = try checkOpenSSL(BN_new(), .cryptoFailure, "BN_new")
        defer { BN_free(power) }
        let divisor = try checkOpenSSL(BN_new(), .cryptoFailure, "BN_new")
        defer { BN_free(divisor) }
        guard BN_sub_word(nMinusOne, 1) == 1 else {
            throw OpenSSLErrorQueue.error(.cryptoFailure, "BN_sub_word failed")
        }
        for value in bases {
            guard BN_set_word(base, value) == 1,
                  BN_mod_exp(power, base, nMinusOne, modulus, context) == 1
            else {
                throw OpenSSLErrorQueue.error(.cryptoFailure, "the RSA modulus check's modular exponentiation failed")
            }
            if BN_is_one(power) == 1 {
                continue  // b is a Fermat liar (or n is prime): the next base decides.
            }
            guard BN_sub_word(power, 1) == 1, BN_gcd(divisor, power, modulus, context) == 1 else {
                throw OpenSSLErrorQueue.error(.cryptoFailure, "the RSA modulus check's gcd failed")
            }
            guard BN_is_one(divisor) == 1 else {
                throw SigilError(.malformedKey, "the RSA public key is not valid: its modulus is a prime power or has an exposed factor")
            }
            return
        }
        throw SigilError(.malformedKey, "the RSA public key is not valid: its modulus is prime")
    }

    private static func parameter(_ key: OpaquePointer, _ name: String) throws -> OpaquePointer {
        var value: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(key, name, &value) == 1, let value else {
            throw OpenSSLErrorQueue.error(.malformedKey, "the RSA public key has no readable '\(name)'")
        }
        return value
    }
}
