#!/usr/bin/env python3
"""botocore's SigV4 as an oracle for Sigil's SigilKMS tests (Tests/SigilKMSTests).

Run with the interpreter of the repository's .venv. Reads a JSON list of jobs on stdin
and prints a JSON list of results, one per job, in order.

Two kinds of job:

- {"mode": "sign", "access_key", "secret_key", "token"?, "region", "service",
   "method", "url", "headers": [[name, value], ...], "body_b64", "timestamp": "20240102T030405Z"}
  signs the request with botocore.auth.SigV4Auth at that time and answers
  {"headers": [[name, value], ...], "canonical_request", "string_to_sign"}.

- {"mode": "capture", "access_key", "secret_key", "region", "endpoint", "operation",
   "params": {...}}
  calls the operation with a real boto3 KMS client and stops it just before the request
  leaves (no network), answering what it would have sent:
  {"method", "url", "headers": [[name, value], ...], "body_b64"}.
  In params, a string starting with "b64:" is turned into bytes (for blob members).
"""

import base64
import datetime
import json
import sys

import boto3
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(job):
    fixed = datetime.datetime.strptime(job["timestamp"], "%Y%m%dT%H%M%SZ")
    original = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *args, **kwargs: fixed
    try:
        request = AWSRequest(
            method=job["method"],
            url=job["url"],
            data=base64.b64decode(job["body_b64"]),
            headers=dict(job["headers"]),
        )
        credentials = Credentials(job["access_key"], job["secret_key"], job.get("token"))
        signer = botocore.auth.SigV4Auth(credentials, job["service"], job["region"])
        signer.add_auth(request)
        headers = [[name, value] for name, value in request.headers.items()]
        # The canonical forms, for reading a mismatch: recomputed without the
        # Authorization header that add_auth just added.
        del request.headers["Authorization"]
        canonical = signer.canonical_request(request)
        return {
            "headers": headers,
            "canonical_request": canonical,
            "string_to_sign": signer.string_to_sign(request, canonical),
        }
    finally:
        botocore.auth.get_current_datetime = original


class Captured(Exception):
    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def blobs(value):
    if isinstance(value, str) and value.startswith("b64:"):
        return base64.b64decode(value[4:])
    if isinstance(value, dict):
        return {key: blobs(item) for key, item in value.items()}
    if isinstance(value, list):
        return [blobs(item) for item in value]
    return value


def capture(job):
    client = boto3.client(
        "kms",
        region_name=job["region"],
        endpoint_url=job["endpoint"],
        aws_access_key_id=job["access_key"],
        aws_secret_access_key=job["secret_key"],
    )

    def stop(request, **kwargs):
        raise Captured(request)

    client.meta.events.register("before-send.kms", stop)
    method = getattr(client, botocore.xform_name(job["operation"]))
    try:
        method(**blobs(job["params"]))
    except Captured as captured:
        request = captured.request
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        return {
            "method": request.method,
            "url": request.url,
            "headers": [[name, value.decode() if isinstance(value, bytes) else value]
                        for name, value in request.headers.items()],
            "body_b64": base64.b64encode(body).decode(),
        }
    raise RuntimeError("the request was not captured")


def main():
    jobs = json.load(sys.stdin)
    results = []
    for job in jobs:
        results.append(sign(job) if job["mode"] == "sign" else capture(job))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
