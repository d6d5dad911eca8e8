#!/usr/bin/env python3
"""Measures what a server sends back for requests from a source that has proven nothing: each
request leaves from a fresh UDP socket; every datagram arriving on that socket within the window
counts (retransmissions included). Used by bench/amplification.ts.

    amp-probe.py --bind IP --window S --json '[{"name", "dst": "IP:PORT", "b64"}, ...]'
Prints one JSON line: {name: {"sent": bytes, "back": bytes, "packets": n}, ...}.
"""
import argparse
import base64
import json
import select
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument("--bind", required=True)
ap.add_argument("--window", type=float, default=5)
ap.add_argument("--json", required=True)
a = ap.parse_args()

jobs = json.loads(a.json)
socks = {}
result = {}
for job in jobs:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, 0))
    s.setblocking(False)
    host, port = job["dst"].rsplit(":", 1)
    payload = base64.b64decode(job["b64"])
    s.sendto(payload, (host, int(port)))
    socks[s] = job["name"]
    result[job["name"]] = {"sent": len(payload), "back": 0, "packets": 0}

end = time.time() + a.window
while time.time() < end:
    ready, _, _ = select.select(list(socks), [], [], max(0, end - time.time()))
    for s in ready:
        try:
            data = s.recv(65535)
        except OSError:
            continue
        r = result[socks[s]]
        r["back"] += len(data)
        r["packets"] += 1
print(json.dumps(result))
