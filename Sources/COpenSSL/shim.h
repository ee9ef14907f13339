// COpenSSL: the system libcrypto of OpenSSL 3 (Debian: libssl-dev), seen by Swift.
//
// Why this shim exists: Swift imports C functions but not function-like macros, and a
// handful of the OpenSSL calls and constants SigilCrypto needs are macros (OPENSSL_free,
// BIO_get_mem_data, EVP_PKEY_PUBLIC_KEY, whose value is an expression).
// Each gets a one-line `static inline` forwarder here, named `sigil_<macro>`. Nothing else
// belongs in this file: all logic lives in Swift, in SigilCrypto.
#ifndef SIGIL_COPENSSL_SHIM_H
#define SIGIL_COPENSSL_SHIM_H

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

static inline void sigil_OPENSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

static inline long sigil_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline int sigil_EVP_PKEY_PUBLIC_KEY(void) {
    return EVP_PKEY_PUBLIC_KEY;
}

#endif
