#!/usr/bin/env python3
"""Sign and verify signature envelopes with the Python reference implementations, for
Sigil's interop tests (Tests/InteropTests/Envelopes).

Run it with the interpreter of the repository's .venv (tools/lib/venv.sh makes it):

    .venv/bin/python tools/interop/envelopes.py pyjwt sign --key key.pem --alg ES256 \
        --key-id k1 -o token.jwt claims.json
    .venv/bin/python tools/interop/envelopes.py jwcrypto verify --jwks jwks.json --alg PS256 \
        --issuer I --audience A token.jwt
    .venv/bin/python tools/interop/envelopes.py pycose verify --key pub.pem --aad 0a0b msg.cbor
    .venv/bin/python tools/interop/envelopes.py sslib verify --keys keys.json --threshold 2 env.json
    .venv/bin/python tools/interop/envelopes.py sigstore parse --key pub.pem --artifact a.bin bundle.json
    .venv/bin/python tools/interop/envelopes.py batch jobs.json

Libraries and operations:

- pyjwt (PyJWT) and jwcrypto: `sign` a JWT (compact) over the claims JSON in INPUT, `verify`
  one against a PEM public key (--key) or a JWKS (--jwks; the token's kid picks the key);
  jwcrypto also `export`s the JWKS of a PEM public key (--key, --key-id).
- pycose: `sign` COSE_Sign1 (tagged, every header protected, kid as bytes) over INPUT,
  optionally detached and with external AAD (--aad, hex); `verify` one.
- sslib (securesystemslib.dsse): `sign` a DSSE envelope over INPUT with every key of --keys;
  `verify` one with a threshold. --keys is a JSON list of {"path", "key_id", "scheme"},
  schemes as securesystemslib names them (ecdsa-sha2-nistp256, rsassa-pss-sha256, ...).
- intoto (the in-toto package): `run` records INPUT as the product of a step (--name) and
  signs the link as a DSSE envelope with the first key of --keys; `verify` checks such an
  envelope with the first key of --keys and reads its link.
- Keys in --keys may name a KMS key instead of a file: {"kms_key_id", "key_id", "scheme"}
  signs through securesystemslib's AWSSigner, whose boto3 client follows AWS_ENDPOINT_URL
  (the tests point it at the key holder).
- sigstore (sigstore-protobuf-specs, the bundle's model): `parse` a bundle, re-serialize it
  (-o) and, given --key, check its signature; `sign` builds a v0.3 key-mode bundle with the
  model around a signature made here: --kind message (over the artifact INPUT) or dsse (an
  in-toto statement naming INPUT as subject). Signatures are made and checked through
  securesystemslib's CryptoSigner and SSlibKey, with --scheme.

Each run prints one JSON object: {"ok", "valid", "error", "info"}. Exit codes: 0 done (for
verify: valid), 1 the signature or envelope was refused (invalid), 2 input that could not be
checked (bad options, unreadable files, keys that do not load). `batch` runs a JSON list of
jobs (the options as fields, INPUT as "input") in one process and prints one line per job.
"""

import argparse
import base64
import hashlib
import json
import os
import sys
import traceback
from collections.abc import Mapping

import betterproto
import cbor2
import jwt as pyjwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from jwcrypto import jwk as jc_jwk
from jwcrypto import jwt as jc_jwt
from pycose.algorithms import CoseAlgorithm
from pycose.headers import KID, Algorithm
from pycose.keys import CoseKey
from pycose.messages import Sign1Message
from securesystemslib.dsse import Envelope as DSSEEnvelope
from in_toto.models.metadata import Envelope as InTotoEnvelope
from in_toto.models.metadata import Metadata as InTotoMetadata
from in_toto.runlib import in_toto_run
from securesystemslib.signer import AWSSigner, CryptoSigner, Signature, SSlibKey
from sigstore_protobuf_specs.dev.sigstore.bundle.v1 import Bundle, VerificationMaterial
from sigstore_protobuf_specs.dev.sigstore.common.v1 import (
    HashAlgorithm,
    HashOutput,
    MessageSignature,
    PublicKeyIdentifier,
)
from sigstore_protobuf_specs.io import intoto

BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
HASHES = {"sha256": HashAlgorithm.SHA2_256, "sha384": HashAlgorithm.SHA2_384, "sha512": HashAlgorithm.SHA2_512}


class Refused(Exception):
    """The library refused the envelope: exit 1 (invalid), not 2."""


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def write(path, data):
    with open(path, "wb") as handle:
        handle.write(data if isinstance(data, bytes) else data.encode())


def refusing(call, *args, **kwargs):
    """Runs a library's verification; whatever it raises means it refused the input."""
    try:
        return call(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - every library has its own exceptions
        raise Refused(f"{type(error).__name__}: {error}") from error


# --- JWT: PyJWT and jwcrypto ---------------------------------------------------------------


def jwt_header(job):
    header = {"typ": "JWT"}
    if job.get("key_id"):
        header["kid"] = job["key_id"]
    return header


def pyjwt_sign(job):
    claims = json.loads(read(job["input"]))
    key = load_pem_private_key(read(job["key"]), None)
    headers = {k: v for k, v in jwt_header(job).items() if k != "typ"}
    token = pyjwt.encode(claims, key, algorithm=job["alg"], headers=headers or None)
    write(job["output"], token)
    return {"alg": job["alg"]}


def pyjwt_verify(job):
    token = read(job["input"]).decode().strip()
    alg = job["alg"]
    if job.get("jwks"):
        # What a service does with a JWKS: the token's kid picks the key, the service
        # names the algorithm it accepts.
        keys = json.loads(read(job["jwks"]))["keys"]
        kid = refusing(pyjwt.get_unverified_header, token).get("kid")
        matching = [k for k in keys if k.get("kid") == kid]
        if not matching:
            raise Refused(f"no key in the JWKS has kid {kid!r}")
        key = pyjwt.PyJWK(matching[0], algorithm=alg)
    else:
        key = load_pem_public_key(read(job["key"]))
    options = {"require": ["exp"]}
    claims = refusing(
        pyjwt.decode, token, key, algorithms=[alg], issuer=job.get("issuer"),
        audience=job.get("audience"), options=options)
    return {"claims": claims}


def jwcrypto_private_key(job):
    return jc_jwk.JWK.from_pem(read(job["key"]))


def jwcrypto_export(job):
    public = json.loads(jc_jwk.JWK.from_pem(read(job["key"])).export_public())
    public["kid"] = job["key_id"]
    keys = jc_jwk.JWKSet()
    keys.add(jc_jwk.JWK(**public))
    write(job["output"], keys.export(private_keys=False))
    return {"kid": job["key_id"]}


def jwcrypto_sign(job):
    claims = json.loads(read(job["input"]))
    token = jc_jwt.JWT(header={"alg": job["alg"], **jwt_header(job)}, claims=claims)
    token.make_signed_token(jwcrypto_private_key(job))
    write(job["output"], token.serialize())
    return {"alg": job["alg"]}


def jwcrypto_verify(job):
    token = read(job["input"]).decode().strip()
    if job.get("jwks"):
        key = jc_jwk.JWKSet.from_json(read(job["jwks"]))
    else:
        key = jc_jwk.JWK.from_pem(read(job["key"]))
    check = {"exp": None}
    if job.get("issuer"):
        check["iss"] = job["issuer"]
    if job.get("audience"):
        check["aud"] = job["audience"]
    verified = refusing(jc_jwt.JWT, jwt=token, key=key, algs=[job["alg"]], expected_type="JWS", check_claims=check)
    return {"claims": json.loads(verified.claims)}


# --- COSE_Sign1: pycose ----------------------------------------------------------------------


def cose_aad(job):
    return bytes.fromhex(job.get("aad") or "")


def pycose_sign(job):
    payload = read(job["input"])
    header = {Algorithm: CoseAlgorithm.from_id(int(job["alg"]))}
    if job.get("key_id"):
        header[KID] = job["key_id"].encode()
    key = CoseKey.from_pem_private_key(read(job["key"]).decode())
    detached = bool(job.get("detached"))
    message = Sign1Message(phdr=header, payload=None if detached else payload, external_aad=cose_aad(job), key=key)
    write(job["output"], message.encode(tag=True, detached_payload=payload if detached else None))
    return {"alg": header[Algorithm].fullname, "detached": detached}


def pycose_decode(data):
    """Sign1Message.decode, with what cbor2 6 reads made mutable: it reads arrays and maps
    inside a tag as tuples and frozen dicts, which pycose 1.1 refuses ("cannot be decoded
    as COSE message", "unprotected header should be of type 'dict'")."""
    item = cbor2.loads(data)
    if not isinstance(item, cbor2.CBORTag) or item.tag != Sign1Message.cbor_tag or not isinstance(item.value, (list, tuple)):
        raise ValueError("not a tagged COSE_Sign1 message")
    fields = list(item.value)
    if len(fields) == 4 and isinstance(fields[1], Mapping):
        fields[1] = dict(fields[1])
    return Sign1Message.from_cose_obj(fields, True)


def pycose_verify(job):
    key = CoseKey.from_pem_public_key(read(job["key"]).decode())
    message = refusing(pycose_decode, read(job["input"]))
    message.key = key
    message.external_aad = cose_aad(job)
    detached = read(job["payload"]) if job.get("payload") else None
    if not refusing(message.verify_signature, detached_payload=detached):
        raise Refused("the COSE_Sign1 signature does not verify")
    algorithm = message.get_attr(Algorithm)
    return {"alg": algorithm.fullname, "kid": (message.get_attr(KID) or b"").decode(errors="replace")}


# --- DSSE: securesystemslib ------------------------------------------------------------------


def sslib_key(entry):
    public = load_pem_public_key(read(entry["path"]))
    return SSlibKey.from_crypto(public, keyid=entry["key_id"], scheme=entry["scheme"])


def sslib_signer(entry):
    if "kms_key_id" in entry:
        # The public key comes from KMS GetPublicKey; the key id is the caller's (Sigil's
        # thumbprint), as a user would set it to match the verifier's trust store.
        _, imported = AWSSigner.import_(entry["kms_key_id"], entry["scheme"])
        public = SSlibKey(entry["key_id"], imported.keytype, imported.scheme, imported.keyval)
        return AWSSigner(entry["kms_key_id"], public)
    private = load_pem_private_key(read(entry["path"]), None)
    return CryptoSigner(private, SSlibKey.from_crypto(private.public_key(), keyid=entry["key_id"], scheme=entry["scheme"]))


def sslib_sign(job):
    envelope = DSSEEnvelope(payload=read(job["input"]), payload_type=job["payload_type"], signatures={})
    for entry in job["keys"]:
        envelope.sign(sslib_signer(entry))
    write(job["output"], json.dumps(envelope.to_dict()))
    return {"signatures": len(envelope.signatures)}


def sslib_verify(job):
    keys = [sslib_key(entry) for entry in job["keys"]]
    envelope = refusing(DSSEEnvelope.from_dict, json.loads(read(job["input"])))
    accepted = refusing(envelope.verify, keys, int(job.get("threshold") or 1))
    return {"keyids": sorted(accepted), "payload_type": envelope.payload_type}


# --- in-toto links -----------------------------------------------------------------------


def intoto_run(job):
    product = os.path.basename(job["input"])
    folder = os.path.dirname(os.path.abspath(job["input"]))
    here = os.getcwd()
    os.chdir(folder)  # the product is recorded under its name, not the test's path
    try:
        envelope = in_toto_run(
            job.get("name") or "build", material_list=[], product_list=[product], link_cmd_args=[],
            signer=sslib_signer(job["keys"][0]), use_dsse=True)
    finally:
        os.chdir(here)
    write(job["output"], json.dumps(envelope.to_dict()))
    return {"payload_type": envelope.payload_type, "keyids": sorted(envelope.signatures)}


def intoto_verify(job):
    key = sslib_key(job["keys"][0])
    metadata = refusing(InTotoMetadata.from_dict, json.loads(read(job["input"])))
    if not isinstance(metadata, InTotoEnvelope):
        raise Refused("not a DSSE envelope")
    refusing(metadata.verify_signature, {**key.to_dict(), "keyid": key.keyid})
    link = refusing(metadata.get_payload)
    return {"payload_type": metadata.payload_type, "keyids": [key.keyid], "name": link.name,
            "products": sorted(link.products)}


# --- Sigstore bundles: sigstore-protobuf-specs -----------------------------------------------


def scheme_hash(scheme):
    """The hash a securesystemslib scheme signs with (P-521 goes with SHA-512)."""
    return "sha512" if scheme.endswith("nistp521") else f"sha{scheme[-3:]}"


def in_toto_statement(artifact, name):
    digest = hashlib.sha256(artifact).hexdigest()
    return json.dumps({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": name, "digest": {"sha256": digest}}],
        "predicateType": "https://example.com/interop/v1",
        "predicate": {"producer": "envelopes.py"},
    }).encode()


def sigstore_sign(job):
    artifact = read(job["input"])
    entry = {"path": job["key"], "key_id": job["key_id"], "scheme": job["scheme"]}
    signer = sslib_signer(entry)
    material = VerificationMaterial(public_key=PublicKeyIdentifier(hint=job["key_id"]), tlog_entries=[])
    if job.get("kind", "message") == "message":
        hash_name = scheme_hash(job["scheme"])
        signature = bytes.fromhex(signer.sign(artifact).signature)
        content = MessageSignature(
            message_digest=HashOutput(algorithm=HASHES[hash_name], digest=hashlib.new(hash_name, artifact).digest()),
            signature=signature)
        bundle = Bundle(media_type=BUNDLE_MEDIA_TYPE, verification_material=material, message_signature=content)
    else:
        statement = in_toto_statement(artifact, job.get("name") or "artifact")
        dsse = DSSEEnvelope(payload=statement, payload_type=IN_TOTO_PAYLOAD_TYPE, signatures={})
        made = dsse.sign(signer)
        envelope = intoto.Envelope(
            payload=statement, payload_type=IN_TOTO_PAYLOAD_TYPE,
            signatures=[intoto.Signature(sig=bytes.fromhex(made.signature), keyid=job["key_id"])])
        bundle = Bundle(media_type=BUNDLE_MEDIA_TYPE, verification_material=material, dsse_envelope=envelope)
    write(job["output"], bundle.to_json())
    return {"kind": betterproto.which_one_of(bundle, "content")[0]}


def sigstore_parse(job):
    text = read(job["input"])
    bundle = refusing(Bundle.from_dict, json.loads(text))
    kind, content = betterproto.which_one_of(bundle, "content")
    material_kind, material = betterproto.which_one_of(bundle.verification_material, "content")
    again = Bundle.from_dict(json.loads(bundle.to_json()))
    if again != bundle:
        raise Refused("the bundle does not survive the model's own round trip")
    if job.get("output"):
        write(job["output"], bundle.to_json())
    info = {
        "media_type": bundle.media_type, "kind": kind, "material": material_kind,
        "hint": material.hint if material_kind == "public_key" else None,
        "tlog_entries": len(bundle.verification_material.tlog_entries),
    }
    if kind == "message_signature":
        info["digest_algorithm"] = HashAlgorithm(content.message_digest.algorithm).name
        info["digest"] = content.message_digest.digest.hex()
    else:
        info["payload_type"] = content.payload_type
        info["signatures"] = len(content.signatures)
    if job.get("key"):
        key = SSlibKey.from_crypto(load_pem_public_key(read(job["key"])), keyid="bundle", scheme=job["scheme"])
        if kind == "message_signature":
            artifact = read(job["artifact"])
            expected = hashlib.new(scheme_hash(job["scheme"]), artifact).digest()
            if content.message_digest.digest != expected:
                raise Refused("the artifact's digest is not the bundle's messageDigest")
            signed, signature = artifact, content.signature
        else:
            envelope = DSSEEnvelope(payload=content.payload, payload_type=content.payload_type, signatures={})
            signed, signature = envelope.pae(), content.signatures[0].sig
        refusing(key.verify_signature, Signature("bundle", signature.hex()), signed)
        info["verified"] = True
    return info


# --- driving ---------------------------------------------------------------------------------

OPERATIONS = {
    ("pyjwt", "sign"): pyjwt_sign, ("pyjwt", "verify"): pyjwt_verify,
    ("jwcrypto", "sign"): jwcrypto_sign, ("jwcrypto", "verify"): jwcrypto_verify,
    ("jwcrypto", "export"): jwcrypto_export,
    ("pycose", "sign"): pycose_sign, ("pycose", "verify"): pycose_verify,
    ("sslib", "sign"): sslib_sign, ("sslib", "verify"): sslib_verify,
    ("sigstore", "sign"): sigstore_sign, ("sigstore", "parse"): sigstore_parse,
    ("intoto", "run"): intoto_run, ("intoto", "verify"): intoto_verify,
}


def run_job(job):
    """Runs one job; returns (exit code, result object)."""
    result = {"id": job.get("id"), "ok": False, "valid": None, "error": None, "info": None}
    operation = OPERATIONS.get((job.get("lib"), job.get("op")))
    if operation is None:
        result["error"] = f"unknown operation {job.get('lib')} {job.get('op')}"
        return 2, result
    try:
        result["info"] = operation(job)
        result["ok"] = True
        result["valid"] = True
        return 0, result
    except Refused as refusal:
        result["ok"] = True
        result["valid"] = False
        result["error"] = str(refusal)
        return 1, result
    except Exception as error:  # noqa: BLE001 - reported, exit 2
        result["error"] = f"{type(error).__name__}: {error}"
        traceback.print_exc(file=sys.stderr)
        return 2, result


def run_batch(path):
    jobs = json.loads(read(path))
    for job in jobs:
        _, result = run_job(job)
        print(json.dumps(result, default=str), flush=True)
    return 0


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="sign and verify envelopes with the Python reference implementations")
    parser.add_argument("lib", choices=sorted({lib for lib, _ in OPERATIONS} | {"batch"}))
    parser.add_argument("op", nargs="?", help="sign, verify, export, parse or run (for batch: the jobs file)")
    parser.add_argument("input", nargs="?", help="the claims, payload, artifact or envelope")
    parser.add_argument("--key", help="PEM private key (sign) or public key (verify)")
    parser.add_argument("--jwks", help="JWKS to verify a JWT with")
    parser.add_argument("--keys", help="JSON file: list of {path, key_id, scheme} (sslib)")
    parser.add_argument("--alg", help="JOSE algorithm name, or COSE algorithm number")
    parser.add_argument("--scheme", help="securesystemslib scheme (sigstore)")
    parser.add_argument("--key-id", dest="key_id")
    parser.add_argument("--issuer")
    parser.add_argument("--audience")
    parser.add_argument("--aad", help="COSE external AAD, hex")
    parser.add_argument("--payload", help="COSE detached payload file (verify)")
    parser.add_argument("--detached", action="store_true")
    parser.add_argument("--payload-type", dest="payload_type", default=IN_TOTO_PAYLOAD_TYPE)
    parser.add_argument("--threshold", type=int, default=1)
    parser.add_argument("--kind", choices=["message", "dsse"], default="message")
    parser.add_argument("--artifact")
    parser.add_argument("--name")
    parser.add_argument("-o", "--output")
    return parser.parse_intermixed_args(argv)


def main(argv):
    arguments = parse_arguments(argv)
    if arguments.lib == "batch":
        return run_batch(arguments.op)
    job = {k: v for k, v in vars(arguments).items() if v is not None}
    if arguments.keys:
        job["keys"] = json.loads(read(arguments.keys))
    code, result = run_job(job)
    print(json.dumps(result, default=str))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
