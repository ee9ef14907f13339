#!/usr/bin/env python3
"""Times the official AWS Encryption SDK for Python on one file, for `tools/bench encrypt`.

    .venv/bin/python tools/interop/esdk_bench.py --frame-size 65536 FILE

Encrypts FILE with a raw RSA keyring (a fresh RSA-2048 key, OAEP SHA-256) under suite 0478
into a temporary file, then decrypts that to a second one (or to nothing with --discard),
checks the result matches FILE's length, and prints one JSON line: MB/s (10^6 bytes per
second of wall time) for each direction and the process's peak RSS (getrusage): before
any work (the interpreter and the SDK imported), after encrypting, and at the end.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time

import aws_encryption_sdk
from aws_cryptographic_material_providers.mpl import AwsCryptographicMaterialProviders
from aws_cryptographic_material_providers.mpl.config import MaterialProvidersConfig
from aws_cryptographic_material_providers.mpl.models import CreateRawRsaKeyringInput, PaddingScheme
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CHUNK = 1 << 20


def keyrings():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    providers = AwsCryptographicMaterialProviders(config=MaterialProvidersConfig())

    def make(**key_material):
        return providers.create_raw_rsa_keyring(
            input=CreateRawRsaKeyringInput(
                key_namespace="sigil-bench",
                key_name="rsa-2048",
                padding_scheme=PaddingScheme.OAEP_SHA256_MGF1,
                **key_material,
            )
        )

    return make(public_key=public_pem), make(private_key=private_pem)


def stream_through(client, mode, source_path, sink, **arguments):
    """Streams source_path through the SDK in `mode` into sink (a file or None); returns
    the number of bytes produced."""
    produced = 0
    with open(source_path, "rb") as source:
        with client.stream(mode=mode, source=source, **arguments) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                produced += len(chunk)
                if sink is not None:
                    sink.write(chunk)
    return produced


def peak_rss_bytes():
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main(argv):
    parser = argparse.ArgumentParser(description="Encrypt then decrypt FILE with the Python Encryption SDK; print MB/s.")
    parser.add_argument("--frame-size", type=int, default=65536, metavar="N", help="frame length (default 65536)")
    parser.add_argument("--temporary-directory", metavar="DIR", help="where the ciphertext goes (default: beside FILE)")
    parser.add_argument("--discard", action="store_true", help="throw the decrypted bytes away instead of writing them")
    parser.add_argument("file", metavar="FILE")
    arguments = parser.parse_args(argv)

    size = os.path.getsize(arguments.file)
    encrypt_keyring, decrypt_keyring = keyrings()
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    folder = arguments.temporary_directory or os.path.dirname(os.path.abspath(arguments.file))

    with tempfile.TemporaryDirectory(prefix="esdk-bench-", dir=folder) as scratch:
        ciphertext_path = os.path.join(scratch, "message")
        plaintext_path = os.path.join(scratch, "plaintext")

        baseline_rss = peak_rss_bytes()
        start = time.perf_counter()
        with open(ciphertext_path, "wb") as sink:
            stream_through(
                client, "e", arguments.file, sink,
                keyring=encrypt_keyring,
                algorithm=Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
                frame_length=arguments.frame_size,
                source_length=size,
            )
        encrypt_seconds = time.perf_counter() - start
        encrypt_rss = peak_rss_bytes()
        ciphertext_size = os.path.getsize(ciphertext_path)

        start = time.perf_counter()
        if arguments.discard:
            decrypted = stream_through(client, "d", ciphertext_path, None, keyring=decrypt_keyring)
        else:
            with open(plaintext_path, "wb") as sink:
                decrypted = stream_through(client, "d", ciphertext_path, sink, keyring=decrypt_keyring)
        decrypt_seconds = time.perf_counter() - start
        total_rss = peak_rss_bytes()

    if decrypted != size:
        print(f"decrypted {decrypted} bytes, expected {size}", file=sys.stderr)
        return 1

    def rate(seconds):
        return round(size / seconds / 1e6, 1) if seconds > 0 else None

    print(json.dumps({
        "implementation": "aws-encryption-sdk-python",
        "version": aws_encryption_sdk.__version__,
        "suite": "0478",
        "frame_size": arguments.frame_size,
        "bytes": size,
        "ciphertext_bytes": ciphertext_size,
        "baseline_peak_rss_bytes": baseline_rss,
        "encrypt_seconds": round(encrypt_seconds, 3),
        "encrypt_mb_per_s": rate(encrypt_seconds),
        "encrypt_peak_rss_bytes": encrypt_rss,
        "decrypt_seconds": round(decrypt_seconds, 3),
        "decrypt_mb_per_s": rate(decrypt_seconds),
        "peak_rss_bytes": total_rss,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
