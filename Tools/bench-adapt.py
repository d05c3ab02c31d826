#!/usr/bin/env python3
"""Adapt latency over HTTP, Postgres writes included (run by Tools/bench-api.sh).

Each of USERS users first gets 16 labelled comparisons (appended with adapt, not timed); then each
gets one new label with `"adapt": true` on one keep-alive connection, and that request is timed: the
append, the history read, the fit and the state write, as an annotation tool sees it. Labels follow
one random taste per user, so the fit has something to find. Prints one Markdown table row.

Usage: bench-adapt.py URL HEAD DIM [USERS=200]
"""
import base64
import http.client
import json
import random
import statistics
import struct
import sys
import time
import urllib.parse

url, head, dim = sys.argv[1], sys.argv[2], int(sys.argv[3])
users = int(sys.argv[4]) if len(sys.argv) > 4 else 200
parsed = urllib.parse.urlparse(url)
connection = http.client.HTTPConnection(parsed.hostname, parsed.port)
rng = random.Random(11)


def item():
    return [rng.gauss(0, 1) for _ in range(dim)]


def b64(vector):
    return base64.b64encode(struct.pack(f"<{dim}f", *vector)).decode()


def labelled(cid, taste):
    a, b = item(), item()
    if sum(x * w for x, w in zip(a, taste)) < sum(x * w for x, w in zip(b, taste)):
        a, b = b, a
    return {"id": cid, "chosen": {"features_b64": b64(a)}, "rejected": {"features_b64": b64(b)}}


def append(user, rows):
    body = json.dumps({"adapt": True, "comparisons": rows})
    connection.request("POST", f"/v1/users/{user}/comparisons?head={head}", body,
                       {"Content-Type": "application/json"})
    response = connection.getresponse()
    text = response.read()
    if response.status not in (200, 201) or "adapt" not in json.loads(text):
        sys.exit(f"append for {user}: {response.status} {text[:300]!r}")


tastes = {}
for u in range(users):
    tastes[u] = item()
    append(f"adapt-bench-{u}", [labelled(f"c{i}", tastes[u]) for i in range(16)])

latencies = []
for u in range(users):
    row = labelled("c16", tastes[u])  # built before the clock starts
    start = time.perf_counter()
    append(f"adapt-bench-{u}", [row])
    latencies.append((time.perf_counter() - start) * 1000)

latencies.sort()
p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
print(f"| append 1 label + adapt, user with 16 comparisons, {head} head (d={dim}), {users} users | "
      f"{statistics.median(latencies):.2f} ms | **{p99:.2f} ms** | {latencies[-1]:.2f} ms |")
