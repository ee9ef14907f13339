#!/usr/bin/env python3
"""Encrypt and decrypt with the official AWS Encryption SDK for Python, for Sigil's interop tests.

Run it with the interpreter of the repository's .venv (tools/lib/venv.sh makes it):

    .venv/bin/python tools/interop/esdk.py encrypt --public-key pub.pem \
        --key-namespace NS --key-name NAME --padding oaep-sha256 \
        --suite 0478 --frame-size 4096 --context purpose=test -o message.bin plain.bin
    .venv/bin/python tools/interop/esdk.py decrypt --private-key key.pem \
        --key-id arn:aws:kms:us-east-1:111122223333:key/... -o plain.bin message.bin
    .venv/bin/python tools/interop/esdk.py batch jobs.json

Two keyrings, both from aws-cryptographic-material-providers:

- raw RSA (--key-namespace and --key-name): the public key wraps on encrypt, the private
  key unwraps on decrypt;
- AWS KMS RSA (--key-id ARN): the public key wraps on encrypt without calling KMS; on
  decrypt the keyring calls KMS Decrypt, which is answered here, with no network, by
  RSA-OAEP decryption under the given private key (see StandInKMS).

The commitment policy is always REQUIRE_ENCRYPT_REQUIRE_DECRYPT. `batch` runs a JSON list
of jobs in one process (the SDK takes a while to import) and prints one JSON line per job.
Any failure exits non-zero with the exception on stderr.
"""

import argparse
import json
import os
import sys
import tempfile
import traceback

import aws_encryption_sdk
import boto3
from aws_cryptographic_material_providers.mpl import AwsCryptographicMaterialProviders
from aws_cryptographic_material_providers.mpl.config import MaterialProvidersConfig
from aws_cryptographic_material_providers.mpl.models import (
    CreateAwsKmsRsaKeyringInput,
    CreateRawRsaKeyringInput,
    PaddingScheme,
)
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy
from botocore.awsrequest import AWSResponse
from botocore.validate import validate_parameters
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding

SUITES = {
    "0478": Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
    "0578": Algorithm.AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
}

# Sigil's --padding values, mapped to the raw RSA keyring's padding schemes.
RAW_RSA_PADDINGS = {
    "oaep-sha1": PaddingScheme.OAEP_SHA1_MGF1,
    "oaep-sha256": PaddingScheme.OAEP_SHA256_MGF1,
    "oaep-sha384": PaddingScheme.OAEP_SHA384_MGF1,
    "oaep-sha512": PaddingScheme.OAEP_SHA512_MGF1,
    # Old messages only: Sigil decrypts these under --padding insecure-pkcs1v15, never writes them.
    "insecure-pkcs1v15": PaddingScheme.PKCS1,
}

# ... and to KMS encryption algorithms, for the AWS KMS RSA keyring (KMS has only these two).
KMS_ALGORITHMS = {
    "oaep-sha1": "RSAES_OAEP_SHA_1",
    "oaep-sha256": "RSAES_OAEP_SHA_256",
}
KMS_ALGORITHM_HASHES = {
    "RSAES_OAEP_SHA_1": hashes.SHA1,
    "RSAES_OAEP_SHA_256": hashes.SHA256,
}

DEFAULT_FRAME_SIZE = 4096


class JobError(Exception):
    """A job that cannot run as asked (a missing key, an unknown option value)."""


class StandInKMS:
    """A boto3 KMS client whose Decrypt is answered locally from an RSA private key.

    Two botocore event hooks do what a Stubber does, except that the response is computed
    from the request: `before-parameter-build` keeps the request's parameters, and
    `before-call` returns the response in place of an HTTP exchange, so nothing leaves the
    machine. The response is checked against the KMS model's output shape as a Stubber
    would. A wrong key id, algorithm or ciphertext gets the error KMS itself would give.
    Any other operation fails.
    """

    def __init__(self, key_id, private_key_pem):
        self.key_id = key_id
        self.private_key = (
            serialization.load_pem_private_key(private_key_pem, password=None) if private_key_pem else None
        )
        self.calls = 0
        self.client = boto3.client(
            "kms",
            region_name="us-east-1",
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            # Unreachable on purpose: should a hook ever fail to answer, no request reaches AWS.
            endpoint_url="http://127.0.0.1:9",
        )
        events = self.client.meta.events
        events.register("before-parameter-build.kms", self._keep_parameters)
        events.register("before-call.kms", self._answer)

    @staticmethod
    def _keep_parameters(params, context, **_):
        context["stand_in_parameters"] = dict(params)

    def _answer(self, model, context, **_):
        self.calls += 1
        if model.name != "Decrypt":
            return self._error(400, "UnsupportedOperationException", f"{model.name} is not answered by this stand-in")
        params = context.get("stand_in_parameters", {})
        key_id = params.get("KeyId")
        algorithm = params.get("EncryptionAlgorithm", "SYMMETRIC_DEFAULT")
        if self.private_key is None:
            return self._error(400, "AccessDeniedException", "no private key was given to answer Decrypt")
        if key_id != self.key_id:
            return self._error(400, "IncorrectKeyException", f"asked for key {key_id!r}, holding {self.key_id!r}")
        if algorithm not in KMS_ALGORITHM_HASHES:
            return self._error(400, "InvalidCiphertextException", f"{algorithm} does not suit an RSA key")
        hash_type = KMS_ALGORITHM_HASHES[algorithm]
        try:
            plaintext = self.private_key.decrypt(
                params["CiphertextBlob"],
                rsa_padding.OAEP(mgf=rsa_padding.MGF1(algorithm=hash_type()), algorithm=hash_type(), label=None),
            )
        except ValueError:
            return self._error(400, "InvalidCiphertextException", "OAEP decryption failed")
        response = {"KeyId": self.key_id, "Plaintext": plaintext, "EncryptionAlgorithm": algorithm}
        validate_parameters(response, model.output_shape)
        response["ResponseMetadata"] = {"HTTPStatusCode": 200, "RequestId": "stand-in"}
        return AWSResponse(None, 200, {}, None), response

    @staticmethod
    def _error(status, code, message):
        parsed = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "stand-in"},
        }
        return AWSResponse(None, status, {}, None), parsed


def read_file(path):
    with open(path, "rb") as handle:
        return handle.read()


def make_keyring(job, encrypting):
    """The keyring a job names: AWS KMS RSA when it has a key_id, else raw RSA."""
    providers = AwsCryptographicMaterialProviders(config=MaterialProvidersConfig())
    padding = job.get("padding")
    public_key = read_file(job["public_key"]) if job.get("public_key") else None
    private_key = read_file(job["private_key"]) if job.get("private_key") else None
    if encrypting and public_key is None:
        raise JobError("encrypt needs --public-key")
    if not encrypting and private_key is None:
        raise JobError("decrypt needs --private-key")

    if job.get("key_id"):
        if job.get("key_namespace") or job.get("key_name"):
            raise JobError("give either --key-id or --key-namespace/--key-name, not both")
        padding = padding or "oaep-sha256"
        if padding not in KMS_ALGORITHMS:
            raise JobError(f"the AWS KMS RSA keyring takes --padding {' or '.join(KMS_ALGORITHMS)}, not {padding}")
        kms = StandInKMS(job["key_id"], private_key)
        keyring = providers.create_aws_kms_rsa_keyring(
            input=CreateAwsKmsRsaKeyringInput(
                kms_key_id=job["key_id"],
                encryption_algorithm=KMS_ALGORITHMS[padding],
                public_key=public_key,
                kms_client=kms.client,
            )
        )
        return keyring, kms

    if not job.get("key_namespace") or not job.get("key_name"):
        raise JobError("give --key-id, or both --key-namespace and --key-name")
    padding = padding or "oaep-sha256"
    if padding not in RAW_RSA_PADDINGS:
        raise JobError(f"the raw RSA keyring takes --padding {'|'.join(RAW_RSA_PADDINGS)}, not {padding}")
    keyring = providers.create_raw_rsa_keyring(
        input=CreateRawRsaKeyringInput(
            key_namespace=job["key_namespace"],
            key_name=job["key_name"],
            padding_scheme=RAW_RSA_PADDINGS[padding],
            public_key=public_key if encrypting else None,
            private_key=private_key if not encrypting else None,
        )
    )
    return keyring, None


def sdk_client():
    return aws_encryption_sdk.EncryptionSDKClient(
        commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
    )


def write_atomically(output, produce):
    """Runs produce(handle) into a temporary file beside `output`; renames it into place
    only when produce returns, so a failed job leaves no output behind."""
    folder = os.path.dirname(os.path.abspath(output))
    descriptor, temporary = tempfile.mkstemp(prefix=".esdk-", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            result = produce(handle)
        os.replace(temporary, output)
        return result
    except BaseException:
        os.unlink(temporary)
        raise


def describe_header(header):
    return {
        "suite": f"{header.algorithm.algorithm_id:04x}",
        "frame_length": header.frame_length,
        "encryption_context": dict(header.encryption_context),
        "recipients": [
            {
                "provider_id": key.key_provider.provider_id,
                "provider_info": key.key_provider.key_info.decode("utf-8", "replace")
                if isinstance(key.key_provider.key_info, bytes)
                else str(key.key_provider.key_info),
            }
            for key in header.encrypted_data_keys
        ],
    }


def describe_error(error):
    """Every message in an exception's chain, outermost first: the SDK wraps keyring errors
    (CollectionOfErrors keeps them in .list) and its stream's close can raise over the cause."""
    messages, seen, pending = [], set(), [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        text = f"{type(current).__name__}: {current}"
        if text not in messages:
            messages.append(text)
        pending.extend(getattr(current, "list", None) or [])
        pending.extend(argument for argument in current.args if isinstance(argument, BaseException))
        pending.extend([current.__cause__, current.__context__])
    return " <- ".join(messages)


def run_job(job):
    """Runs one job (a dict shaped like the command-line options) and returns a summary."""
    operation = job.get("op")
    if operation not in ("encrypt", "decrypt"):
        raise JobError(f"unknown op {operation!r}")
    encrypting = operation == "encrypt"
    keyring, kms = make_keyring(job, encrypting)
    context = dict(job.get("context") or {})
    arguments = {"keyring": keyring}
    if context:
        arguments["encryption_context"] = context
    if encrypting:
        suite = str(job.get("suite") or "0478")
        if suite not in SUITES:
            raise JobError(f"unknown suite {suite}; use {' or '.join(SUITES)}")
        arguments["algorithm"] = SUITES[suite]
        arguments["frame_length"] = int(job.get("frame_size") or DEFAULT_FRAME_SIZE)

    def produce(output_handle):
        with open(job["input"], "rb") as source:
            with sdk_client().stream(mode="e" if encrypting else "d", source=source, **arguments) as stream:
                for chunk in stream:
                    output_handle.write(chunk)
                return stream.header

    header = write_atomically(job["output"], produce)
    summary = {"op": operation, "ok": True, "output": job["output"], "header": describe_header(header)}
    if kms is not None:
        summary["kms_calls"] = kms.calls
    return summary


def job_from_arguments(arguments):
    job = {
        "op": arguments.command,
        "public_key": getattr(arguments, "public_key", None),
        "private_key": getattr(arguments, "private_key", None),
        "key_id": arguments.key_id,
        "key_namespace": arguments.key_namespace,
        "key_name": arguments.key_name,
        "padding": arguments.padding,
        "context": {},
        "input": arguments.input,
        "output": arguments.output,
    }
    for pair in arguments.context:
        key, separator, value = pair.partition("=")
        if not separator or not key:
            raise JobError(f"--context takes KEY=VALUE, not {pair!r}")
        job["context"][key] = value
    if arguments.command == "encrypt":
        job["suite"] = arguments.suite
        job["frame_size"] = arguments.frame_size
    return job


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Encrypt or decrypt with the official AWS Encryption SDK for Python (message format v2, "
        "committing suites), as a peer for Sigil's interop tests."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def common(subcommand, key_option, key_help):
        subcommand.add_argument(key_option, required=True, metavar="FILE", help=key_help)
        subcommand.add_argument("--key-id", metavar="ARN", help="use the AWS KMS RSA keyring with this key ARN")
        subcommand.add_argument("--key-namespace", metavar="NS", help="raw RSA keyring: key namespace (provider id)")
        subcommand.add_argument("--key-name", metavar="NAME", help="raw RSA keyring: key name (provider info)")
        subcommand.add_argument(
            "--padding",
            choices=sorted(RAW_RSA_PADDINGS),
            help="RSA-OAEP hash (default oaep-sha256; the KMS RSA keyring takes sha1 or sha256)",
        )
        subcommand.add_argument(
            "--context", action="append", default=[], metavar="KEY=VALUE", help="an encryption context pair"
        )
        subcommand.add_argument("-o", "--output", required=True, metavar="OUT", help="where to write the result")
        subcommand.add_argument("input", metavar="INPUT", help="the file to read")

    encrypt = commands.add_parser("encrypt", help="encrypt a file")
    common(encrypt, "--public-key", "the recipient's public key (PEM SubjectPublicKeyInfo)")
    encrypt.add_argument("--suite", choices=sorted(SUITES), default="0478", help="algorithm suite (default 0478)")
    encrypt.add_argument("--frame-size", type=int, default=DEFAULT_FRAME_SIZE, metavar="N", help="frame length")

    decrypt = commands.add_parser("decrypt", help="decrypt a file")
    common(decrypt, "--private-key", "the recipient's private key (PEM PKCS#8)")

    batch = commands.add_parser(
        "batch",
        help="run a JSON list of jobs, each an object with op (encrypt|decrypt), input, output, public_key or "
        "private_key, key_id or key_namespace+key_name, and optionally padding, context (object), suite, "
        "frame_size; prints one JSON line per job",
    )
    batch.add_argument("jobs", metavar="JOBS.json", help="the job list ('-' for standard input)")
    return parser.parse_args(argv)


def run_batch(path):
    jobs = json.load(sys.stdin if path == "-" else open(path, "rb"))
    if not isinstance(jobs, list):
        raise JobError("the batch file must hold a JSON list of jobs")
    failures = 0
    for index, job in enumerate(jobs):
        try:
            summary = run_job(job)
        except Exception as error:  # every failure is reported, then the next job runs
            failures += 1
            summary = {"op": job.get("op"), "ok": False, "output": job.get("output"), "error": describe_error(error)}
            print(f"job {index} ({job.get('op')} {job.get('input')}) failed:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
        summary["index"] = index
        if "id" in job:
            summary["id"] = job["id"]
        print(json.dumps(summary), flush=True)
    return failures


def main(argv):
    arguments = parse_arguments(argv)
    try:
        if arguments.command == "batch":
            failures = run_batch(arguments.jobs)
            if failures:
                print(f"{failures} of the jobs failed", file=sys.stderr)
                return 1
            return 0
        print(json.dumps(run_job(job_from_arguments(arguments))))
        return 0
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        print(f"error: {describe_error(error)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
