#!/usr/bin/env python3
"""Mixed writes and reads from boto3, retries on, to two key holders over one shared store,
as real clients send them while a test breaks things underneath (issue 11: a node killed,
PostgreSQL restarted).

    shared_store_load.py --endpoint URL --endpoint URL --credentials FILE --out FILE
                         [--region R] [--threads N] [--seconds S] [--stop-file PATH]

Each thread owns its keys and one alias: it alone tags them and points the alias, so the
last value it saw acknowledged is the one the store must hold, unless a later write of it
failed and may still have landed (those are listed as in doubt). Requests go round robin
to the endpoints. Runs until `--stop-file` exists, SIGTERM or SIGINT arrives, or
`--seconds` pass; then writes one JSON object to `--out` (and standard output):

    keys        every key id whose CreateKey was acknowledged
    tags        key id -> {"acknowledged": last acknowledged "step" value or null,
                           "inDoubt": values whose TagResource failed after it}
    aliases     alias -> {"acknowledged": key id, "inDoubt": [key ids]}
    outcomes    per endpoint, what the client surfaced after its retries: "ok", the
                KMS error code, or the exception class (EndpointConnectionError, ...)
    retried     per endpoint, the failed attempts botocore retried, by the same names
    gaveUpEarly per endpoint, the KMS errors surfaced before the last attempt: botocore
                stops retrying once a client's retry quota is spent (a circuit breaker
                that sustained failures trip)
    retries     RetryAttempts summed over the acknowledged requests
    requests    how many requests were made

Prints "ready" once every thread has made its first key and its alias, before the timed
load starts.
"""

import argparse
import configparser
import json
import os
import signal
import sys
import threading
import time

import boto3
import botocore.config
import botocore.exceptions

MAX_ATTEMPTS = 5


def error_name(error):
    """What a failed call surfaced as: the KMS error code, or the exception's class."""
    if isinstance(error, botocore.exceptions.ClientError):
        return error.response.get("Error", {}).get("Code", "ClientError")
    return type(error).__name__


class Tally:
    """Counts by endpoint and name, shared by the threads."""

    def __init__(self, endpoints):
        self.lock = threading.Lock()
        self.counts = [{} for _ in endpoints]

    def add(self, index, name):
        with self.lock:
            self.counts[index][name] = self.counts[index].get(name, 0) + 1


class Worker(threading.Thread):
    """One client thread: its own keys, its own alias, requests alternating endpoints."""

    def __init__(self, number, clients, outcomes, early, stop):
        super().__init__(name="load-%d" % number, daemon=True)
        self.number = number
        self.clients = clients
        self.outcomes = outcomes
        self.early = early
        self.stop = stop
        self.step = number  # threads start on different endpoints
        self.keys = []
        self.tags = {}
        self.alias = "alias/shared-store-load-%d" % number
        self.alias_state = {"acknowledged": None, "inDoubt": []}
        self.requests = 0
        self.retries = 0
        self.failure = None

    def call(self, operation, **parameters):
        """One request to the next endpoint; the response, or the exception it surfaced."""
        index = self.step % len(self.clients)
        self.step += 1
        self.requests += 1
        try:
            response = getattr(self.clients[index], operation)(**parameters)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            self.outcomes.add(index, error_name(error))
            if isinstance(error, botocore.exceptions.ClientError):
                attempts = error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1
                if attempts < MAX_ATTEMPTS:
                    self.early.add(index, error_name(error))
            return error
        self.outcomes.add(index, "ok")
        self.retries += response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        return response

    def create_key(self):
        made = self.call("create_key", Description="shared store load %d/%d" % (self.number, self.step))
        if isinstance(made, Exception):
            return None
        key = made["KeyMetadata"]["KeyId"]
        self.keys.append(key)
        self.tags[key] = {"acknowledged": None, "inDoubt": []}
        return key

    def tag(self, key):
        value = "t%d-%d" % (self.number, self.step)
        answer = self.call("tag_resource", KeyId=key, Tags=[{"TagKey": "step", "TagValue": value}])
        state = self.tags[key]
        if isinstance(answer, Exception):
            state["inDoubt"].append(value)
        else:
            state["acknowledged"] = value
            state["inDoubt"] = []

    def point_alias(self, key, create=False):
        answer = self.call("create_alias" if create else "update_alias", AliasName=self.alias, TargetKeyId=key)
        if isinstance(answer, Exception):
            self.alias_state["inDoubt"].append(key)
            return False
        self.alias_state = {"acknowledged": key, "inDoubt": []}
        return True

    def prepare(self):
        """The first key and the alias, before anything breaks: CreateAlias is the one write
        a retry cannot repeat (a second try of one that landed answers AlreadyExists)."""
        key = self.create_key()
        if key is None or not self.point_alias(key, create=True):
            raise RuntimeError("thread %d could not make its first key and alias: %s" % (self.number, self.outcomes.counts))

    def run(self):
        try:
            while not self.stop.is_set():
                own = self.keys[self.step % len(self.keys)]
                kind = self.step % 6
                if kind == 0:
                    self.create_key()
                elif kind in (1, 4):
                    self.tag(own)
                elif kind == 2:
                    self.call("list_keys", Limit=20)
                elif kind == 3:
                    self.call("describe_key", KeyId=own)
                else:
                    self.point_alias(own)
        except Exception as error:  # a bug here, not an outcome of the service
            self.failure = "%s: %s" % (type(error).__name__, error)


def credentials_from(path):
    """The default profile's access key and secret from a shared credentials file, passed
    explicitly so that nothing in the environment (AWS_ACCESS_KEY_ID, a profile) wins."""
    parser = configparser.ConfigParser()
    parser.read(path)
    section = parser["default"]
    return section["aws_access_key_id"], section["aws_secret_access_key"]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", action="append", required=True, help="a key holder's URL; give two")
    parser.add_argument("--credentials", required=True, help="an AWS shared credentials file ([default])")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=120, help="the longest the load runs")
    parser.add_argument("--stop-file", help="the load stops once this file exists")
    parser.add_argument("--connect-timeout", type=float, default=2)
    parser.add_argument("--read-timeout", type=float, default=10)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    stop = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())

    access_key, secret_key = credentials_from(args.credentials)
    session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=args.region)
    config = botocore.config.Config(
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
        connect_timeout=args.connect_timeout, read_timeout=args.read_timeout, max_pool_connections=args.threads)
    outcomes, retried, early = Tally(args.endpoint), Tally(args.endpoint), Tally(args.endpoint)

    def client(index, endpoint):
        kms = session.client("kms", endpoint_url=endpoint, config=config)

        # Sees every attempt before botocore's own handler decides on a retry: counts the
        # failed ones, leaves the decision alone.
        def note_attempt(response=None, caught_exception=None, **_):
            if caught_exception is not None:
                retried.add(index, type(caught_exception).__name__)
            elif response is not None and response[0].status_code >= 400:
                retried.add(index, response[1].get("Error", {}).get("Code", str(response[0].status_code)))
            return None

        kms.meta.events.register("needs-retry.kms", note_attempt)
        return kms

    # boto3 sessions are not thread-safe; clients are, but each thread has its own pair.
    workers = [
        Worker(number, [client(index, endpoint) for index, endpoint in enumerate(args.endpoint)], outcomes, early, stop)
        for number in range(args.threads)
    ]
    for worker in workers:
        worker.prepare()
    print("ready", flush=True)

    started = time.monotonic()
    for worker in workers:
        worker.start()
    while not stop.is_set() and time.monotonic() - started < args.seconds:
        if args.stop_file and os.path.exists(args.stop_file):
            break
        time.sleep(0.05)
    stop.set()
    for worker in workers:
        worker.join()

    # The acknowledged alias writes (and their outcomes) made in prepare() count too; the
    # retried counts include attempts whose final answer was an error.
    summary = {
        "keys": [key for worker in workers for key in worker.keys],
        "tags": {key: state for worker in workers for key, state in worker.tags.items()},
        "aliases": {worker.alias: worker.alias_state for worker in workers},
        "outcomes": outcomes.counts,
        "retried": retried.counts,
        "gaveUpEarly": early.counts,
        "retries": sum(worker.retries for worker in workers),
        "requests": sum(worker.requests for worker in workers),
        "seconds": round(time.monotonic() - started, 1),
        "failures": [worker.failure for worker in workers if worker.failure],
    }
    text = json.dumps(summary, sort_keys=True)
    with open(args.out + ".partial", "w") as out:
        out.write(text)
    os.replace(args.out + ".partial", args.out)
    print(text, flush=True)
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
