/*
 * The OpenSSL peer for tools/bench verify: the same verification Sigil performs
 * (EVP_PKEY_verify over a SHA-256 digest, with the same padding and salt), driven
 * from C the way `openssl speed` drives its own loop: one context, initialised once.
 * `openssl speed` has no RSA-PSS figure; this gives one, measured in the same run.
 *
 * Usage: openssl-verify-loop WORKLOAD SECONDS
 *   WORKLOAD: rsa2048-pss | rsa2048-pkcs1 | rsa4096-pkcs1 | p256-ecdsa
 * Prints: WORKLOAD <verifications per second>
 */
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fail(const char *what) {
    fprintf(stderr, "openssl-verify-loop: %s failed\n", what);
    exit(1);
}

static EVP_PKEY *generate(const char *workload) {
    int ec = strncmp(workload, "p256", 4) == 0;
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, ec ? "EC" : "RSA", NULL);
    EVP_PKEY *key = NULL;
    if (context == NULL || EVP_PKEY_keygen_init(context) != 1) fail("keygen init");
    if (ec && EVP_PKEY_CTX_set_group_name(context, "P-256") != 1) fail("curve");
    if (!ec && EVP_PKEY_CTX_set_rsa_keygen_bits(context, strncmp(workload, "rsa4096", 7) == 0 ? 4096 : 2048) != 1)
        fail("modulus size");
    if (EVP_PKEY_generate(context, &key) != 1) fail("keygen");
    EVP_PKEY_CTX_free(context);
    return key;
}

static void configure(EVP_PKEY_CTX *context, const char *workload) {
    if (strstr(workload, "pss") != NULL) {
        if (EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) != 1) fail("PSS padding");
        if (EVP_PKEY_CTX_set_rsa_pss_saltlen(context, 32) != 1) fail("salt length");
        if (EVP_PKEY_CTX_set_rsa_mgf1_md(context, EVP_sha256()) != 1) fail("MGF1 hash");
    } else if (strstr(workload, "pkcs1") != NULL) {
        if (EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) != 1) fail("PKCS#1 padding");
    }
    if (EVP_PKEY_CTX_set_signature_md(context, EVP_sha256()) != 1) fail("signature hash");
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: openssl-verify-loop rsa2048-pss|rsa2048-pkcs1|rsa4096-pkcs1|p256-ecdsa SECONDS\n");
        return 2;
    }
    const char *workload = argv[1];
    double seconds = atof(argv[2]);
    EVP_PKEY *key = generate(workload);
    unsigned char digest[32];
    for (int i = 0; i < 32; i++) digest[i] = (unsigned char)(i * 7 + 1);
    unsigned char signature[1024];
    size_t length = sizeof signature;

    EVP_PKEY_CTX *signer = EVP_PKEY_CTX_new(key, NULL);
    if (signer == NULL || EVP_PKEY_sign_init(signer) != 1) fail("sign init");
    configure(signer, workload);
    if (EVP_PKEY_sign(signer, signature, &length, digest, sizeof digest) != 1) fail("sign");

    EVP_PKEY_CTX *verifier = EVP_PKEY_CTX_new(key, NULL);
    if (verifier == NULL || EVP_PKEY_verify_init(verifier) != 1) fail("verify init");
    configure(verifier, workload);

    long operations = 0;
    double start = now(), elapsed;
    do {
        for (int i = 0; i < 64; i++) {
            if (EVP_PKEY_verify(verifier, signature, length, digest, sizeof digest) != 1) fail("verify");
        }
        operations += 64;
        elapsed = now() - start;
    } while (elapsed < seconds);
    printf("%s %.0f\n", workload, (double)operations / elapsed);
    EVP_PKEY_CTX_free(signer);
    EVP_PKEY_CTX_free(verifier);
    EVP_PKEY_free(key);
    return 0;
}
