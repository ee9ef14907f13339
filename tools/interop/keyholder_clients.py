#!/usr/bin/env python3
"""Drive a running Sigil key holder with real AWS clients, for Sigil's real-client tests.

Run it with the interpreter of the repository's .venv (tools/lib/venv.sh makes it), against
a key holder started with `sigil-keyholder serve --data-dir DIR --listen 127.0.0.1:PORT`:

    .venv/bin/python tools/interop/keyholder_clients.py FLOW \
        --endpoint http://127.0.0.1:PORT --credentials DIR/credentials \
        --aws .venv/bin/aws --sigil .build/debug/sigil --workdir /tmp/somewhere

Flows (each creates its own keys):

  offline-encryption  RSA_2048/3072/4096 ENCRYPT_DECRYPT keys made with the AWS CLI; the
                      public key from `aws kms get-public-key`; a 32-byte key (and a
                      plaintext of the largest size KMS allows) encrypted offline with
                      `cryptography` OAEP-SHA1/SHA-256; `aws kms decrypt` gives it back.
  sign-verify         boto3 Sign for every signing algorithm and key spec, RAW and DIGEST;
                      each signature verified offline by `cryptography` and by `sigil
                      verify`, and by boto3 Verify; a tampered signature makes Verify raise
                      KMSInvalidSignatureException and `sigil verify` exit 1.
  envelope            GenerateDataKey, local AES-GCM, Decrypt of the encrypted data key; a
                      different encryption context is InvalidCiphertextException; ReEncrypt
                      to another key. Reports "ready": false when the key holder answers
                      GenerateDataKey with UnsupportedOperationException.
  esdk                the Python Encryption SDK's AWS KMS RSA keyring, its boto3 client
                      pointed at the key holder, decrypts what `sigil encrypt --key-id`
                      wrote; `sigil decrypt --key-id` (through the key holder, no private
                      key) opens what the SDK wrote.

Progress goes to stderr; the last line on stdout is one JSON object:
{"flow", "ready", "passed", "failed", "counts": {case kind: passed}, "failures": [...], "notes": [...]}.
The exit status is 0 when nothing failed (a flow that is not ready is not a failure).
"""

import argparse
import base64
import configparser
import json
import os
import subprocess
import sys
import time
import traceback

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

REGION = "us-east-1"

HASHES = {"SHA_1": hashes.SHA1, "SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384, "SHA_512": hashes.SHA512}

# Every signing algorithm each key spec offers, as KMS defines them.
RSA_SIGNING = [
    "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
]
SIGNING_MATRIX = {
    "RSA_2048": RSA_SIGNING,
    "RSA_3072": RSA_SIGNING,
    "RSA_4096": RSA_SIGNING,
    "ECC_NIST_P256": ["ECDSA_SHA_256"],
    "ECC_NIST_P384": ["ECDSA_SHA_384"],
    "ECC_NIST_P521": ["ECDSA_SHA_512"],
    "ECC_SECG_P256K1": ["ECDSA_SHA_256"],
}

# The largest OAEP plaintext KMS accepts per key size and hash (ARCHITECTURE.md, "Algorithms").
OAEP_LIMITS = {
    ("RSA_2048", "RSAES_OAEP_SHA_1"): 214, ("RSA_2048", "RSAES_OAEP_SHA_256"): 190,
    ("RSA_3072", "RSAES_OAEP_SHA_1"): 342, ("RSA_3072", "RSAES_OAEP_SHA_256"): 318,
    ("RSA_4096", "RSAES_OAEP_SHA_1"): 470, ("RSA_4096", "RSAES_OAEP_SHA_256"): 446,
}

OAEP_HASHES = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}
SIGIL_PADDINGS = {"RSAES_OAEP_SHA_1": "oaep-sha1", "RSAES_OAEP_SHA_256": "oaep-sha256"}


def log(message):
    print(message, file=sys.stderr, flush=True)


def hash_of(algorithm):
    """The hash class of a KMS signing or encryption algorithm name."""
    for suffix, hash_type in HASHES.items():
        if algorithm.endswith(suffix):
            return hash_type
    raise ValueError(f"no hash in {algorithm}")


class Tally:
    """Counts of passed cases by kind, and every failure with its reason."""

    def __init__(self, flow):
        self.flow = flow
        self.ready = True
        self.counts = {}
        self.failures = []
        self.notes = []

    def check(self, kind, label, condition, detail=""):
        if condition:
            self.counts[kind] = self.counts.get(kind, 0) + 1
        else:
            self.failures.append(f"{kind}: {label}: {detail}".rstrip(": "))
            log(f"FAIL {kind}: {label}: {detail}")
        return condition

    def run(self, kind, label, body):
        """Runs body(); an exception is a failure of this case, not of the flow."""
        try:
            outcome = body()
        except Exception as error:  # every failure is reported, then the next case runs
            traceback.print_exc(file=sys.stderr)
            return self.check(kind, label, False, f"{type(error).__name__}: {error}")
        if outcome is True or outcome is None:
            return self.check(kind, label, True)
        return self.check(kind, label, False, str(outcome))

    def summary(self):
        passed = sum(self.counts.values())
        return {
            "flow": self.flow,
            "ready": self.ready,
            "passed": passed,
            "failed": len(self.failures),
            "counts": self.counts,
            "failures": self.failures[:50],
            "notes": self.notes,
        }


class KeyHolder:
    """The key holder as boto3, the AWS CLI and `sigil` see it: one endpoint, one
    credentials file, and an environment with nothing else that could name credentials."""

    def __init__(self, arguments):
        self.endpoint = arguments.endpoint
        self.credentials_file = os.path.abspath(arguments.credentials)
        self.aws = arguments.aws
        self.sigil = arguments.sigil
        self.workdir = arguments.workdir
        os.makedirs(self.workdir, exist_ok=True)
        self.environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("AWS_") and name not in ("SIGIL_ENDPOINT_URL",)
        }
        self.environment.update(
            {
                "AWS_SHARED_CREDENTIALS_FILE": self.credentials_file,
                # No config file of the user's may change the region or add a profile.
                "AWS_CONFIG_FILE": os.path.join(self.workdir, "no-aws-config"),
                "AWS_DEFAULT_REGION": REGION,
                "AWS_PAGER": "",
                "SIGIL_ENDPOINT_URL": self.endpoint,
            }
        )
        # boto3 in this process reads the same credentials file.
        for name in [name for name in os.environ if name.startswith("AWS_")]:
            del os.environ[name]
        os.environ.update({name: value for name, value in self.environment.items() if name.startswith("AWS_")})
        self.session = boto3.session.Session()
        self.kms = self.client()

    def client(self):
        """A boto3 KMS client pointed at the key holder, credentials from its file."""
        return self.session.client(
            "kms",
            endpoint_url=self.endpoint,
            region_name=REGION,
            config=Config(retries={"max_attempts": 2, "mode": "standard"}),
        )

    def path(self, name):
        return os.path.join(self.workdir, name)

    def write(self, name, data):
        path = self.path(name)
        with open(path, "wb") as handle:
            handle.write(data)
        return path

    def aws_cli(self, *arguments):
        """Runs `aws kms ...`; returns (exit status, parsed JSON or None, stderr)."""
        command = [self.aws, "kms", *arguments, "--endpoint-url", self.endpoint, "--region", REGION, "--output", "json"]
        result = subprocess.run(command, env=self.environment, capture_output=True, timeout=120)
        parsed = None
        if result.returncode == 0 and result.stdout.strip():
            parsed = json.loads(result.stdout)
        return result.returncode, parsed, result.stderr.decode("utf-8", "replace")

    def aws_cli_ok(self, *arguments):
        status, parsed, stderr = self.aws_cli(*arguments)
        if status != 0:
            raise RuntimeError(f"aws kms {' '.join(arguments[:1])} exited {status}: {stderr.strip()}")
        return parsed

    def run_sigil(self, *arguments):
        return subprocess.run([self.sigil, *arguments], env=self.environment, capture_output=True, timeout=300)

    def create_key(self, spec, usage):
        return self.kms.create_key(KeySpec=spec, KeyUsage=usage, Description=f"keyholder_clients {spec}")[
            "KeyMetadata"
        ]["Arn"]


def error_code(error):
    return error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else None


def expect_client_error(call, code):
    """Runs call(); the outcome is True when it raised ClientError `code`, else a reason."""
    try:
        call()
    except ClientError as error:
        if error_code(error) == code:
            return True
        return f"raised {error_code(error)} ({error}), expected {code}"
    return f"succeeded, expected {code}"


# ---------------------------------------------------------------------------------------
# offline-encryption


def flow_offline_encryption(holder, tally):
    for spec in ("RSA_2048", "RSA_3072", "RSA_4096"):
        created = holder.aws_cli_ok("create-key", "--key-spec", spec, "--key-usage", "ENCRYPT_DECRYPT")
        arn = created["KeyMetadata"]["Arn"]
        public = holder.aws_cli_ok("get-public-key", "--key-id", arn)
        tally.check(
            "get-public-key",
            spec,
            public.get("KeySpec") == spec
            and public.get("KeyUsage") == "ENCRYPT_DECRYPT"
            and sorted(public.get("EncryptionAlgorithms", [])) == ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"],
            json.dumps({k: v for k, v in public.items() if k != "PublicKey"}),
        )
        public_key = serialization.load_der_public_key(base64.b64decode(public["PublicKey"]))
        for algorithm, hash_type in OAEP_HASHES.items():
            oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hash_type()), algorithm=hash_type(), label=None)
            for size in (32, OAEP_LIMITS[(spec, algorithm)]):
                label = f"{spec} {algorithm} {size} bytes"

                def roundtrip(size=size, oaep=oaep, algorithm=algorithm, label=label):
                    plaintext = os.urandom(size)
                    blob = holder.write(f"oaep-{spec}-{algorithm}-{size}.bin", public_key.encrypt(plaintext, oaep))
                    answer = holder.aws_cli_ok(
                        "decrypt", "--key-id", arn, "--encryption-algorithm", algorithm,
                        "--ciphertext-blob", f"fileb://{blob}",
                    )
                    if answer.get("KeyId") != arn:
                        return f"KeyId {answer.get('KeyId')} != {arn}"
                    if answer.get("EncryptionAlgorithm") != algorithm:
                        return f"EncryptionAlgorithm {answer.get('EncryptionAlgorithm')}"
                    return base64.b64decode(answer["Plaintext"]) == plaintext or "the plaintext differs"

                tally.run("aws decrypt of an offline OAEP ciphertext", label, roundtrip)

        def wrong_algorithm():
            sha256 = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
            blob = holder.write(f"oaep-{spec}-wrong.bin", public_key.encrypt(os.urandom(32), sha256))
            status, _, stderr = holder.aws_cli(
                "decrypt", "--key-id", arn, "--encryption-algorithm", "RSAES_OAEP_SHA_1",
                "--ciphertext-blob", f"fileb://{blob}",
            )
            return (status != 0 and "InvalidCiphertextException" in stderr) or f"exit {status}: {stderr.strip()}"

        tally.run("aws decrypt with the other OAEP hash refused", spec, wrong_algorithm)


# ---------------------------------------------------------------------------------------
# sign-verify


def cryptography_verify(public_key, algorithm, message_type, signature, data):
    """Verifies with `cryptography` alone; True or a reason."""
    hash_type = hash_of(algorithm)
    hash_argument = utils.Prehashed(hash_type()) if message_type == "DIGEST" else hash_type()
    try:
        if algorithm.startswith("ECDSA"):
            public_key.verify(signature, data, ec.ECDSA(hash_argument))
        elif algorithm.startswith("RSASSA_PSS"):
            pss = padding.PSS(mgf=padding.MGF1(hash_type()), salt_length=hash_type.digest_size)
            public_key.verify(signature, data, pss, hash_argument)
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), hash_argument)
    except InvalidSignature:
        return "cryptography: InvalidSignature"
    return True


def flow_sign_verify(holder, tally):
    for spec, algorithms in SIGNING_MATRIX.items():
        arn = holder.create_key(spec, "SIGN_VERIFY")
        public = holder.kms.get_public_key(KeyId=arn)
        tally.check(
            "GetPublicKey signing algorithms", spec, sorted(public["SigningAlgorithms"]) == sorted(algorithms),
            f"{public['SigningAlgorithms']}",
        )
        der = public["PublicKey"]
        key_file = holder.write(f"sign-{spec}.der", der)
        public_key = serialization.load_der_public_key(der)
        for algorithm in algorithms:
            hash_type = hash_of(algorithm)
            for message_type in ("RAW", "DIGEST"):
                label = f"{spec} {algorithm} {message_type}"
                message = os.urandom(1 + int.from_bytes(os.urandom(2), "big") % 4096)
                hasher = hashes.Hash(hash_type())
                hasher.update(message)
                digest = hasher.finalize()
                data = digest if message_type == "DIGEST" else message
                try:
                    signature = holder.kms.sign(
                        KeyId=arn, Message=data, MessageType=message_type, SigningAlgorithm=algorithm
                    )["Signature"]
                except Exception as error:
                    tally.check("boto3 Sign", label, False, f"{type(error).__name__}: {error}")
                    continue
                tally.check("boto3 Sign", label, True)
                tally.run(
                    "verified by cryptography", label,
                    lambda: cryptography_verify(public_key, algorithm, message_type, signature, data),
                )
                tag = f"{spec}-{algorithm}-{message_type}"
                data_file = holder.write(f"{tag}.data", data)
                signature_file = holder.write(f"{tag}.sig", signature)
                common = ["verify", "--public-key", key_file, "--algorithm", algorithm, "--message-type", message_type]

                def sigil_verifies():
                    result = holder.run_sigil(*common, "--signature", signature_file, data_file)
                    return (result.returncode == 0 and result.stdout == b"valid\n") or (
                        f"exit {result.returncode}: {result.stdout!r} {result.stderr!r}")

                tally.run("verified by sigil verify", label, sigil_verifies)

                def kms_verifies():
                    answer = holder.kms.verify(
                        KeyId=arn, Message=data, MessageType=message_type, Signature=signature,
                        SigningAlgorithm=algorithm,
                    )
                    return answer.get("SignatureValid") is True or f"SignatureValid {answer.get('SignatureValid')}"

                tally.run("boto3 Verify of the signature", label, kms_verifies)

                tampered = bytearray(signature)
                tampered[len(tampered) // 2] ^= 0x01
                tampered = bytes(tampered)
                tally.run(
                    "boto3 Verify of a tampered signature raises KMSInvalidSignatureException", label,
                    lambda: expect_client_error(
                        lambda: holder.kms.verify(
                            KeyId=arn, Message=data, MessageType=message_type, Signature=tampered,
                            SigningAlgorithm=algorithm,
                        ),
                        "KMSInvalidSignatureException",
                    ),
                )
                tampered_file = holder.write(f"{tag}.tampered.sig", tampered)

                def sigil_refuses():
                    result = holder.run_sigil(*common, "--signature", tampered_file, data_file)
                    # 1: invalid. A tampered ECDSA DER may no longer parse: 2, with a reason.
                    ok = result.returncode == 1 or (algorithm.startswith("ECDSA") and result.returncode == 2)
                    return ok or f"exit {result.returncode}: {result.stdout!r} {result.stderr!r}"

                tally.run("sigil verify refuses a tampered signature", label, sigil_refuses)


# ---------------------------------------------------------------------------------------
# envelope


def flow_envelope(holder, tally):
    context = {"purpose": "envelope", "tenant": "42"}
    try:
        first = holder.create_key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
        holder.kms.generate_data_key(KeyId=first, KeySpec="AES_256", EncryptionContext=context)
    except ClientError as error:
        if error_code(error) == "UnsupportedOperationException":
            tally.ready = False
            tally.notes.append(f"the key holder does not do envelope encryption yet: {error}")
            log(tally.notes[-1])
            return
        raise
    second = holder.create_key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
    payload = os.urandom(100_000)

    for key_spec, size in (("AES_256", 32), ("AES_128", 16)):
        label = key_spec

        def generate_encrypt_decrypt(key_spec=key_spec, size=size):
            generated = holder.kms.generate_data_key(KeyId=first, KeySpec=key_spec, EncryptionContext=context)
            if len(generated["Plaintext"]) != size:
                return f"data key of {len(generated['Plaintext'])} bytes"
            if generated.get("KeyId") != first:
                return f"KeyId {generated.get('KeyId')}"
            nonce = os.urandom(12)
            sealed = AESGCM(generated["Plaintext"]).encrypt(nonce, payload, b"sigil envelope")
            opened = holder.kms.decrypt(CiphertextBlob=generated["CiphertextBlob"], EncryptionContext=context)
            if opened.get("KeyId") != first:
                return f"Decrypt KeyId {opened.get('KeyId')}"
            if opened["Plaintext"] != generated["Plaintext"]:
                return "Decrypt returned another data key"
            return AESGCM(opened["Plaintext"]).decrypt(nonce, sealed, b"sigil envelope") == payload or "payload differs"

        tally.run("GenerateDataKey, AES-GCM, Decrypt", label, generate_encrypt_decrypt)

    generated = holder.kms.generate_data_key(KeyId=first, KeySpec="AES_256", EncryptionContext=context)
    blob = generated["CiphertextBlob"]
    for label, other in (
        ("another value", {"purpose": "envelope", "tenant": "43"}),
        ("a pair fewer", {"purpose": "envelope"}),
        ("no context", None),
    ):
        arguments = {"CiphertextBlob": blob}
        if other is not None:
            arguments["EncryptionContext"] = other
        tally.run(
            "Decrypt under a different encryption context: InvalidCiphertextException", label,
            lambda arguments=arguments: expect_client_error(
                lambda: holder.kms.decrypt(**arguments), "InvalidCiphertextException"),
        )
    tally.run(
        "Decrypt naming the wrong key: IncorrectKeyException", "KeyId of the other key",
        lambda: expect_client_error(
            lambda: holder.kms.decrypt(CiphertextBlob=blob, EncryptionContext=context, KeyId=second),
            "IncorrectKeyException"),
    )

    new_context = {"purpose": "re-encrypted"}

    def re_encrypt():
        moved = holder.kms.re_encrypt(
            CiphertextBlob=blob, SourceEncryptionContext=context, DestinationKeyId=second,
            DestinationEncryptionContext=new_context,
        )
        if moved.get("SourceKeyId") != first or moved.get("KeyId") != second:
            return f"SourceKeyId {moved.get('SourceKeyId')} KeyId {moved.get('KeyId')}"
        opened = holder.kms.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext=new_context)
        if opened.get("KeyId") != second or opened["Plaintext"] != generated["Plaintext"]:
            return "the re-encrypted data key does not decrypt to the same key under the destination key"
        return expect_client_error(
            lambda: holder.kms.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext=context),
            "InvalidCiphertextException")

    tally.run("ReEncrypt to another key", "then Decrypt under the new key and context", re_encrypt)

    def without_plaintext():
        generated = holder.kms.generate_data_key_without_plaintext(
            KeyId=first, KeySpec="AES_256", EncryptionContext=context)
        if "Plaintext" in generated:
            return "GenerateDataKeyWithoutPlaintext returned a plaintext"
        opened = holder.kms.decrypt(CiphertextBlob=generated["CiphertextBlob"], EncryptionContext=context)
        return len(opened["Plaintext"]) == 32 or f"{len(opened['Plaintext'])} bytes"

    tally.run("GenerateDataKeyWithoutPlaintext, Decrypt", "AES_256", without_plaintext)

    def aws_cli_envelope():
        context_text = ",".join(f"{name}={value}" for name, value in sorted(context.items()))
        generated = holder.aws_cli_ok(
            "generate-data-key", "--key-id", first, "--key-spec", "AES_256", "--encryption-context", context_text)
        blob_file = holder.write("cli-envelope.blob", base64.b64decode(generated["CiphertextBlob"]))
        opened = holder.aws_cli_ok(
            "decrypt", "--ciphertext-blob", f"fileb://{blob_file}", "--encryption-context", context_text)
        return opened["Plaintext"] == generated["Plaintext"] or "the AWS CLI's Decrypt gave another key"

    tally.run("aws generate-data-key, aws decrypt", "AES_256", aws_cli_envelope)


# ---------------------------------------------------------------------------------------
# esdk


def flow_esdk(holder, tally):
    import aws_encryption_sdk
    from aws_cryptographic_material_providers.mpl import AwsCryptographicMaterialProviders
    from aws_cryptographic_material_providers.mpl.config import MaterialProvidersConfig
    from aws_cryptographic_material_providers.mpl.models import CreateAwsKmsRsaKeyringInput
    from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy

    arn = holder.create_key("RSA_3072", "ENCRYPT_DECRYPT")
    other = holder.create_key("RSA_3072", "ENCRYPT_DECRYPT")
    der = holder.kms.get_public_key(KeyId=arn)["PublicKey"]
    pem = serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    public_key_file = holder.write("esdk-public.pem", pem)

    providers = AwsCryptographicMaterialProviders(config=MaterialProvidersConfig())
    sdk = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    decrypt_calls = {"count": 0}

    def count_decrypt(**_):
        decrypt_calls["count"] += 1

    def keyring(key_arn, algorithm, public_key=None):
        client = holder.client()
        client.meta.events.register("after-call.kms.Decrypt", count_decrypt)
        return providers.create_aws_kms_rsa_keyring(
            input=CreateAwsKmsRsaKeyringInput(
                kms_key_id=key_arn, encryption_algorithm=algorithm, public_key=public_key, kms_client=client))

    keyrings = {algorithm: keyring(arn, algorithm, pem) for algorithm in OAEP_HASHES}
    contexts = [{}, {"purpose": "interop", "device": "sensor-42"}]
    sizes = [0, 1, 3 * 4096 + 5, 200_000]

    for algorithm, sigil_padding in SIGIL_PADDINGS.items():
        for size in sizes:
            for context in contexts:
                slug = f"{sigil_padding}-{size}-{'ctx' if context else 'noctx'}"
                plaintext = os.urandom(size)
                plain_file = holder.write(f"{slug}.plain", plaintext)

                def sigil_to_sdk(slug=slug, context=context, plaintext=plaintext, plain_file=plain_file,
                                 algorithm=algorithm, sigil_padding=sigil_padding):
                    message_file = holder.path(f"{slug}.sigil")
                    arguments = ["encrypt", "--public-key", public_key_file, "--key-id", arn, "--padding", sigil_padding]
                    for name, value in sorted(context.items()):
                        arguments += ["--context", f"{name}={value}"]
                    result = holder.run_sigil(*arguments, "-o", message_file, plain_file)
                    if result.returncode != 0:
                        return f"sigil encrypt exited {result.returncode}: {result.stderr.decode().strip()}"
                    before = decrypt_calls["count"]
                    with open(message_file, "rb") as handle:
                        decrypted, header = sdk.decrypt(source=handle.read(), keyring=keyrings[algorithm])
                    if decrypt_calls["count"] == before:
                        return "the SDK did not call the key holder's Decrypt"
                    if any(header.encryption_context.get(name) != value for name, value in context.items()):
                        return f"encryption context {dict(header.encryption_context)}"
                    return decrypted == plaintext or "the SDK's plaintext differs"

                tally.run("sigil encrypt -> SDK AWS KMS RSA keyring decrypts via the key holder", slug, sigil_to_sdk)

                def sdk_to_sigil(slug=slug, context=context, plaintext=plaintext, algorithm=algorithm,
                                 sigil_padding=sigil_padding):
                    arguments = {
                        "source": plaintext, "keyring": keyrings[algorithm],
                        "algorithm": Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY, "frame_length": 4096,
                    }
                    if context:
                        arguments["encryption_context"] = context
                    message, _ = sdk.encrypt(**arguments)
                    message_file = holder.write(f"{slug}.sdk", message)
                    output_file = holder.path(f"{slug}.sdk.out")
                    result = holder.run_sigil(
                        "decrypt", "--key-id", arn, "--padding", sigil_padding, "-o", output_file, message_file)
                    if result.returncode != 0:
                        return f"sigil decrypt exited {result.returncode}: {result.stderr.decode().strip()}"
                    with open(output_file, "rb") as handle:
                        return handle.read() == plaintext or "sigil's plaintext differs"

                tally.run("SDK encrypts -> sigil decrypt --key-id via the key holder", slug, sdk_to_sigil)

    # Refusals: the other OAEP hash, and a keyring for another key.
    message, _ = sdk.encrypt(
        source=b"refusals", keyring=keyrings["RSAES_OAEP_SHA_256"],
        algorithm=Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
    message_file = holder.write("refusal.sdk", message)

    def sigil_wrong_padding():
        result = holder.run_sigil("decrypt", "--key-id", arn, "--padding", "oaep-sha1", message_file)
        return (result.returncode == 1 and b"InvalidCiphertextException" in result.stderr) or (
            f"exit {result.returncode}: {result.stderr.decode().strip()}")

    tally.run("refused", "sigil decrypt --padding oaep-sha1 of an OAEP-SHA-256 data key exits 1", sigil_wrong_padding)

    def sigil_wrong_key():
        result = holder.run_sigil("decrypt", "--key-id", other, message_file)
        return result.returncode == 1 or f"exit {result.returncode}: {result.stderr.decode().strip()}"

    tally.run("refused", "sigil decrypt --key-id of another key exits 1", sigil_wrong_key)

    def sdk_wrong_key():
        try:
            sdk.decrypt(source=message, keyring=keyring(other, "RSAES_OAEP_SHA_256"))
        except Exception:  # the SDK wraps the keyring's refusal in its own error types
            return True
        return "the SDK decrypted with a keyring for another key"

    tally.run("refused", "the SDK with a keyring for another key", sdk_wrong_key)


FLOWS = {
    "offline-encryption": flow_offline_encryption,
    "sign-verify": flow_sign_verify,
    "envelope": flow_envelope,
    "esdk": flow_esdk,
}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("flow", choices=sorted(FLOWS))
    parser.add_argument("--endpoint", required=True, help="the key holder's URL, http://127.0.0.1:PORT")
    parser.add_argument("--credentials", required=True, help="the key holder's DIR/credentials")
    parser.add_argument("--aws", required=True, help="the AWS CLI to run (the venv's .venv/bin/aws)")
    parser.add_argument("--sigil", required=True, help="the built sigil binary")
    parser.add_argument("--workdir", required=True, help="a scratch folder")
    arguments = parser.parse_args(argv)

    tally = Tally(arguments.flow)
    started = time.monotonic()
    try:
        holder = KeyHolder(arguments)
        FLOWS[arguments.flow](holder, tally)
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        tally.failures.append(f"the flow stopped: {type(error).__name__}: {error}")
    summary = tally.summary()
    summary["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(summary, sort_keys=True), flush=True)
    return 1 if summary["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
