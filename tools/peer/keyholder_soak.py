#!/usr/bin/env python3
"""Drives `tools/bench soak`: a mixed KMS load on a running key holder at a fixed rate, in
one-minute wrk runs, sampling the server between runs.

    keyholder_soak.py --endpoint URL --credentials FILE --pid PID --minutes N --out DIR

First the capacity: the mix for --capacity-seconds as fast as wrk's connections go.
Then MINUTES one-minute runs at --load (0.8) of that rate. wrk paces its requests
itself: a Lua delay() keeps one schedule per wrk thread (the next send time, read from
CLOCK_MONOTONIC through LuaJIT's ffi), so the offered rate stays fixed whatever the
latency, as long as the connections suffice. wrk measures latency from the moment a
request is written, not from its scheduled time (wrk2 corrects that; it is not packaged).

The requests are signed with SigV4 (botocore) afresh for every run: a signature is only
accepted for five minutes. Each run reports throughput and p99; between runs the
server's RSS, open descriptors and threads are read from /proc, its CPU time and wrk's
(the load generator's) are turned into cores used, and the load average says how busy
the machine was with other work.

Prints the capacity line, one line per minute, and a summary with the ratios of the last
minute to the first.
"""

import argparse
import base64
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
import urllib.error
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.credentials

sys.dont_write_bytecode = True  # no __pycache__ beside the tools
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from keyholder_load import REGION, lua_string  # noqa: E402

# The mix, by weight (per mille): what a key holder serving devices and pipelines sees,
# with a trickle (1 %) of writes.
MIX = [
    ("Sign RSA-2048 PSS", 100),
    ("Sign ECDSA P-256", 150),
    ("Decrypt RSA-2048 OAEP", 50),
    ("Decrypt symmetric", 100),
    ("GenerateDataKey", 200),
    ("Encrypt", 200),
    ("DescribeKey", 190),
    ("TagResource", 8),
    ("CreateKey", 2),
]

PACING = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } sigil_soak_timespec;
int clock_gettime(int clock, sigil_soak_timespec *time);
]]
local clock = ffi.new("sigil_soak_timespec")
local function now_ms()
    ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
    return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local prepared, cumulative, total = {}, {}, 0
local interval, next_send = 0, nil

function init(args)
    for i, r in ipairs(REQUESTS) do
        prepared[i] = wrk.format("POST", "/", r.headers, r.body)
        total = total + r.weight
        cumulative[i] = total
    end
    if RATE > 0 then interval = THREADS * 1000 / RATE end
    math.randomseed(os.time())
end

if RATE > 0 then
    -- One schedule per thread: each send is due one interval after the previous one.
    function delay()
        local now = now_ms()
        if next_send == nil then next_send = now end
        local wait = next_send - now
        next_send = next_send + interval
        if wait < 0 then return 0 end
        return wait
    end
end

function request()
    local pick = math.random() * total
    for i = 1, #cumulative do
        if pick < cumulative[i] then return prepared[i] end
    end
    return prepared[#prepared]
end

function done(summary, latency, requests)
    local out = io.open(OUTPUT, "w")
    out:write(string.format(
        '{"requests": %d, "duration_us": %d, "status_errors": %d, "connect_errors": %d, "read_errors": %d, '
        .. '"write_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\\n',
        summary.requests, summary.duration, summary.errors.status, summary.errors.connect, summary.errors.read,
        summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
    out:close()
end
"""


class Load:
    """The keys of the mix and its requests, signed on demand."""

    def __init__(self, endpoint, credentials_file):
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = credentials_file
        session = boto3.session.Session(region_name=REGION)
        frozen = session.get_credentials().get_frozen_credentials()
        self.credentials = botocore.credentials.Credentials(frozen.access_key, frozen.secret_key)
        self.endpoint = endpoint
        kms = session.client("kms", endpoint_url=endpoint)

        def key(spec, usage):
            return kms.create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]

        rsa_sign, ecc_sign = key("RSA_2048", "SIGN_VERIFY"), key("ECC_NIST_P256", "SIGN_VERIFY")
        rsa_decrypt, symmetric = key("RSA_2048", "ENCRYPT_DECRYPT"), key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
        tagged = key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
        oaep = kms.encrypt(KeyId=rsa_decrypt, Plaintext=os.urandom(32), EncryptionAlgorithm="RSAES_OAEP_SHA_256")
        sealed = kms.encrypt(KeyId=symmetric, Plaintext=os.urandom(32), EncryptionContext={"soak": "yes"})
        digest = base64.b64encode(hashlib.sha256(b"sigil soak").digest()).decode()
        blob = lambda response: base64.b64encode(response["CiphertextBlob"]).decode()  # noqa: E731
        self.bodies = {
            "Sign RSA-2048 PSS": [("Sign", {"KeyId": rsa_sign, "Message": digest, "MessageType": "DIGEST",
                                            "SigningAlgorithm": "RSASSA_PSS_SHA_256"})],
            "Sign ECDSA P-256": [("Sign", {"KeyId": ecc_sign, "Message": digest, "MessageType": "DIGEST",
                                           "SigningAlgorithm": "ECDSA_SHA_256"})],
            "Decrypt RSA-2048 OAEP": [("Decrypt", {"KeyId": rsa_decrypt, "CiphertextBlob": blob(oaep),
                                                   "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"})],
            "Decrypt symmetric": [("Decrypt", {"CiphertextBlob": blob(sealed), "EncryptionContext": {"soak": "yes"}})],
            "GenerateDataKey": [("GenerateDataKey", {"KeyId": symmetric, "KeySpec": "AES_256"})],
            "Encrypt": [("Encrypt", {"KeyId": symmetric, "Plaintext": base64.b64encode(os.urandom(64)).decode()})],
            "DescribeKey": [("DescribeKey", {"KeyId": key_id}) for key_id in (rsa_sign, ecc_sign, symmetric)],
            # Each TagResource changes the tag's value: eight values in turn.
            "TagResource": [("TagResource", {"KeyId": tagged, "Tags": [{"TagKey": "soak", "TagValue": "v%d" % n}]})
                            for n in range(8)],
            "CreateKey": [("CreateKey", {"KeySpec": "SYMMETRIC_DEFAULT", "Description": "soak"})],
        }
        # Check every body once before the load: a refusal would otherwise show only as
        # wrk's non-2xx count.
        for name, requests in self.bodies.items():
            for operation, body in requests:
                status = self.send(operation, body)
                if status != 200:
                    raise SystemExit("soak: %s answered HTTP %d" % (name, status))

    def signed(self, operation, body):
        request = botocore.awsrequest.AWSRequest(
            method="POST", url=self.endpoint + "/", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService." + operation})
        botocore.auth.SigV4Auth(self.credentials, "kms", REGION).add_auth(request)
        return request.prepare()

    def send(self, operation, body):
        prepared = self.signed(operation, body)
        request = urllib.request.Request(prepared.url, data=prepared.body, headers=dict(prepared.headers), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            print("soak: %s: %s" % (operation, error.read().decode(errors="replace")), file=sys.stderr)
            return error.code

    def script(self, path, output, rate, threads):
        """Writes a wrk script with freshly signed requests; rate 0 means unpaced."""
        entries = []
        for name, weight in MIX:
            variants = self.bodies[name]
            for operation, body in variants:
                prepared = self.signed(operation, body)
                headers = ", ".join("[%s] = %s" % (lua_string(k), lua_string(v))
                                    for k, v in prepared.headers.items() if k.lower() != "content-length")
                entries.append("  {weight = %r, headers = {%s}, body = %s}"
                               % (weight / len(variants), headers, lua_string(prepared.body.decode())))
        with open(path, "w") as script:
            script.write("REQUESTS = {\n%s\n}\n" % ",\n".join(entries))
            script.write("RATE = %r\nTHREADS = %d\nOUTPUT = %s\n" % (float(rate), threads, lua_string(output)))
            script.write(PACING)


class Server:
    """The key holder process, seen through /proc."""

    def __init__(self, pid, data_directory):
        self.pid = pid
        self.data_directory = data_directory
        self.ticks = os.sysconf("SC_CLK_TCK")

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.ticks  # utime + stime

    def sample(self):
        status = {}
        with open("/proc/%d/status" % self.pid) as lines:
            for line in lines:
                name, _, value = line.partition(":")
                status[name] = value.split()
        store = sum(os.path.getsize(os.path.join(self.data_directory, name))
                    for name in os.listdir(self.data_directory) if name.startswith("keyholder.sqlite"))
        return {"rss_mib": int(status["VmRSS"][0]) / 1024, "fds": len(os.listdir("/proc/%d/fd" % self.pid)),
                "threads": int(status["Threads"][0]), "store_mib": store / 1048576}


def load_average():
    with open("/proc/loadavg") as average:
        return float(average.read().split()[0])


def run_wrk(args, load, server, seconds, rate, label):
    """One wrk run; returns its figures and the server's and wrk's CPU over it."""
    script = os.path.join(args.out, "soak.lua")
    output = os.path.join(args.out, "soak-result.json")
    load.script(script, output, rate, args.threads)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu, started = server.cpu_seconds(), time.monotonic()
    wrk = subprocess.Popen(
        [args.wrk, "-t%d" % args.threads, "-c%d" % args.connections, "-d%ds" % seconds, "--timeout", "10s",
         "-s", script, args.endpoint + "/"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(seconds / 2)
    during = server.sample()  # under load: wrk's connections are open
    transcript, _ = wrk.communicate()
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = server.cpu_seconds() - server_cpu
    if wrk.returncode != 0 or not os.path.exists(output):
        raise SystemExit("soak: wrk failed during %s:\n%s" % (label, transcript))
    with open(output) as result:
        figures = json.load(result)
    os.remove(output)
    figures.update(during)
    time.sleep(1)  # the server closes wrk's connections
    figures["fds_after"] = server.sample()["fds"]
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = sum(figures[k] for k in ("status_errors", "connect_errors", "read_errors",
                                                 "write_errors", "timeouts"))
    figures["server_cores"] = server_cpu / elapsed
    figures["wrk_cores"] = (after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime) / elapsed
    figures["load_average"] = load_average()
    return figures


# Column heading, width and decimals of the per-minute table.
COLUMNS = [("minute", 6, 0), ("req/s", 8, 0), ("p50 ms", 7, 2), ("p99 ms", 7, 2), ("errors", 6, 0),
           ("RSS MiB", 8, 1), ("fds", 5, 0), ("fds after", 9, 0), ("threads", 7, 0), ("server cores", 12, 2),
           ("wrk cores", 9, 2), ("load avg", 8, 2), ("store MiB", 9, 1)]


def heading():
    return "  ".join("%*s" % (width, name) for name, width, _ in COLUMNS)


def row(label, figures):
    values = [label, figures["rate"], figures["p50_us"] / 1000, figures["p99_us"] / 1000, figures["errors"],
              figures["rss_mib"], figures["fds"], figures["fds_after"], figures["threads"], figures["server_cores"],
              figures["wrk_cores"], figures["load_average"], figures["store_mib"]]
    return "  ".join("%*s" % (width, value) if isinstance(value, str) else "%*.*f" % (width, decimals, value)
                     for (_, width, decimals), value in zip(COLUMNS, values))


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--credentials", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--capacity-seconds", type=int, default=15)
    parser.add_argument("--load", type=float, default=0.8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk", default="wrk")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    load = Load(args.endpoint, args.credentials)
    server = Server(args.pid, args.data_dir)
    idle = server.sample()
    print("mix (per mille): " + ", ".join("%s %d" % entry for entry in MIX))
    print("before any load: RSS %.1f MiB, %d descriptors, %d threads" % (idle["rss_mib"], idle["fds"], idle["threads"]))
    capacity = run_wrk(args, load, server, args.capacity_seconds, 0, "the capacity run")
    print("capacity: %.0f requests/s unpaced for %d s (%d connections, %d wrk thread), p99 %.2f ms, %d errors, "
          "server %.2f cores, wrk %.2f cores"
          % (capacity["rate"], args.capacity_seconds, args.connections, args.threads, capacity["p99_us"] / 1000,
             capacity["errors"], capacity["server_cores"], capacity["wrk_cores"]))
    rate = capacity["rate"] * args.load
    print("soak: %d minutes at %.0f requests/s (%.0f %% of capacity), one wrk run per minute, freshly signed"
          % (args.minutes, rate, args.load * 100))
    print("RSS, fds (open descriptors) and threads are read half-way through each minute, under load; 'fds after'"
          " one second after wrk closed its connections; cores are CPU seconds per second over the minute")
    print(heading(), flush=True)
    minutes = []
    for minute in range(1, args.minutes + 1):
        figures = run_wrk(args, load, server, 60, rate, "minute %d" % minute)
        minutes.append(figures)
        print(row(str(minute), figures), flush=True)
    first, last = minutes[0], minutes[-1]
    print("end/start (minute %d / minute 1): " % len(minutes) + ", ".join(
        "%s %.2f" % (name, last[key] / first[key] if first[key] else float("nan"))
        for name, key in [("RSS", "rss_mib"), ("descriptors", "fds"), ("descriptors after the run", "fds_after"),
                          ("threads", "threads"), ("p99", "p99_us"),
                          ("throughput", "rate"), ("server CPU", "server_cores"), ("wrk CPU", "wrk_cores")]))
    rss = [m["rss_mib"] for m in minutes]
    fds = [m["fds"] for m in minutes]
    p99 = [m["p99_us"] / 1000 for m in minutes]
    print("over the soak: RSS %.1f-%.1f MiB, descriptors %d-%d, p99 %.2f-%.2f ms, errors %d, load average %.2f-%.2f"
          % (min(rss), max(rss), min(fds), max(fds), min(p99), max(p99), sum(m["errors"] for m in minutes),
             min(m["load_average"] for m in minutes), max(m["load_average"] for m in minutes)))


if __name__ == "__main__":
    main(sys.argv[1:])
