#!/usr/bin/env python3
"""Prepares the load for `tools/bench keyholder`: creates the keys a workload needs on a
KMS endpoint (the key holder, or moto's KMS server), then writes one wrk script per
workload holding a request signed with SigV4 for that endpoint. A signed request stays
valid for five minutes, long enough to replay it for a benchmark run.

    keyholder_load.py --endpoint URL --credentials FILE --out DIR
    keyholder_load.py --endpoint URL --access-key ID --secret-key S --out DIR

Prints one JSON line: {"workload": "path/to/script.lua" or null (unsupported), ...}.
"""

import argparse
import base64
import hashlib
import json
import os
import sys

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.exceptions

REGION = "us-east-1"


def lua_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def signed_script(endpoint, credentials, operation, body):
    request = botocore.awsrequest.AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService." + operation},
    )
    botocore.auth.SigV4Auth(credentials, "kms", REGION).add_auth(request)
    prepared = request.prepare()
    lines = ['wrk.method = "POST"', "wrk.body = " + lua_string(prepared.body.decode())]
    for name, value in prepared.headers.items():
        if name.lower() in ("content-length",):
            continue
        lines.append("wrk.headers[%s] = %s" % (lua_string(name), lua_string(value)))
    return "\n".join(lines) + "\n"


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--credentials")
    parser.add_argument("--access-key")
    parser.add_argument("--secret-key")
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", action="append", metavar="WORKLOAD",
                        help="prepare only this workload (repeatable); every one when absent")
    args = parser.parse_args(argv)
    if args.credentials:
        session = boto3.session.Session(region_name=REGION)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = args.credentials
        session = boto3.session.Session(region_name=REGION)
    else:
        session = boto3.session.Session(
            aws_access_key_id=args.access_key, aws_secret_access_key=args.secret_key, region_name=REGION)
    frozen = session.get_credentials().get_frozen_credentials()
    credentials = botocore.credentials.Credentials(frozen.access_key, frozen.secret_key)
    kms = session.client("kms", endpoint_url=args.endpoint)
    digest = base64.b64encode(hashlib.sha256(b"sigil benchmark").digest()).decode()
    scripts = {}

    def workload(name, make):
        if args.only and name not in args.only:
            return
        try:
            operation, body = make()
            path = os.path.join(args.out, name + ".lua")
            with open(path, "w") as script:
                script.write(signed_script(args.endpoint, credentials, operation, body))
            scripts[name] = path
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, KeyError) as error:
            scripts[name] = None
            print("%s: unsupported by %s: %s" % (name, args.endpoint, error), file=sys.stderr)

    def sign(spec, algorithm):
        key = kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        kms.sign(KeyId=key, Message=base64.b64decode(digest), MessageType="DIGEST", SigningAlgorithm=algorithm)
        return "Sign", {"KeyId": key, "Message": digest, "MessageType": "DIGEST", "SigningAlgorithm": algorithm}

    def decrypt():
        key = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=key, Plaintext=os.urandom(32), EncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
        kms.decrypt(KeyId=key, CiphertextBlob=blob, EncryptionAlgorithm="RSAES_OAEP_SHA_256")
        return "Decrypt", {"KeyId": key, "CiphertextBlob": base64.b64encode(blob).decode(),
                           "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}

    def generate_data_key():
        key = kms.create_key(KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
        kms.generate_data_key(KeyId=key, KeySpec="AES_256")
        return "GenerateDataKey", {"KeyId": key, "KeySpec": "AES_256"}

    workload("sign-rsa2048-pss", lambda: sign("RSA_2048", "RSASSA_PSS_SHA_256"))
    workload("sign-ecdsa-p256", lambda: sign("ECC_NIST_P256", "ECDSA_SHA_256"))
    workload("decrypt-rsa2048-oaep", decrypt)
    workload("generate-data-key", generate_data_key)
    # Each replay makes a new key: the write path (sealing, the key row, its audit event).
    workload("create-key", lambda: ("CreateKey", {"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT"}))
    print(json.dumps(scripts))


if __name__ == "__main__":
    main(sys.argv[1:])
