#!/usr/bin/env python3
"""TCP clients that misbehave toward a SIP server, reporting when the server closed each one.

    tcp-abuse.py noread    --dst IP:PORT --from IP[,IP...] --per-source N --seconds S [--rate R] [--body B]
        N connections per local address send OPTIONS with a B-byte body R times a second and never
        read (tiny receive buffer): the server must not queue answers without limit.
    tcp-abuse.py slowloris --dst IP:PORT --from IP --conns N --seconds S
        each connection sends one byte of a request per second.
    tcp-abuse.py keepalive --dst IP:PORT --from IP --seconds S
        one OPTIONS, then a CRLF CRLF keep-alive every second.
    tcp-abuse.py connect   --dst IP:PORT --from IP[,IP...] --seconds S
        one connection per local address, silent: how many did the server keep?
    tcp-abuse.py invites   --dst IP:PORT --from IP --conns N --seconds S
        one connection: N echo INVITEs (distinct Call-IDs, SDP offering PCMU), then close at once.

Prints one JSON line at the end: {"conns": N, "closedByServer": K, "closedAt": [seconds...], "open": M}.
"""
import argparse
import json
import select
import socket
import time


def invite(n: int, dst) -> bytes:
    sdp = "v=0\r\no=a 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"
    head = (
        f"INVITE sip:echo@{dst[0]}:{dst[1]};transport=tcp SIP/2.0\r\n"
        f"Via: SIP/2.0/TCP 0.0.0.0:5060;branch=z9hG4bKinv{n}\r\n"
        f"From: <sip:a@x>;tag={n}\r\nTo: <sip:echo@y>\r\nCall-ID: tcp-flood-{n}\r\nCSeq: 1 INVITE\r\n"
        f"Content-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n"
    )
    return (head + sdp).encode()


def endpoint(text: str):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def options(body: int) -> bytes:
    b = b"x" * body
    head = (
        "OPTIONS sip:natscope-reflect@server SIP/2.0\r\n"
        "Via: SIP/2.0/TCP 0.0.0.0:5060;branch=z9hG4bKabuse\r\n"
        "From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: abuse\r\nCSeq: 1 OPTIONS\r\n"
        f"Content-Type: text/plain\r\nContent-Length: {len(b)}\r\n\r\n"
    )
    return head.encode() + b


ap = argparse.ArgumentParser()
ap.add_argument("mode", choices=["noread", "slowloris", "keepalive", "connect", "invites"])
ap.add_argument("--dst", required=True)
ap.add_argument("--from", dest="src", required=True)
ap.add_argument("--per-source", type=int, default=1)
ap.add_argument("--conns", type=int, default=1)
ap.add_argument("--seconds", type=float, default=10)
ap.add_argument("--rate", type=float, default=20)
ap.add_argument("--body", type=int, default=60000)
a = ap.parse_args()

dst = endpoint(a.dst)
family = socket.AF_INET6 if ":" in dst[0] else socket.AF_INET
sources = a.src.split(",")
if a.mode == "invites":
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((a.src.split(",")[0], 0))
    s.connect(dst)
    s.sendall(b"".join(invite(n, dst) for n in range(a.conns)))
    time.sleep(a.seconds)
    s.close()
    print(json.dumps({"conns": 1, "invites": a.conns}))
    raise SystemExit(0)
count = a.conns if a.mode == "slowloris" else a.per_source
conns = []
for ip in sources:
    for _ in range(count if a.mode != "keepalive" else 1):
        s = socket.socket(family, socket.SOCK_STREAM)
        if a.mode == "noread":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind((ip, 0))
        s.settimeout(3)
        try:
            s.connect(dst)
        except OSError:
            s.close()
            continue
        s.setblocking(False)
        conns.append({"s": s, "closed": None, "pending": b""})

start = time.time()
request = options(a.body)
slow = options(0)
tick = 0


def poll_closed():
    # a peer that was closed by the server reads as EOF / reset (we only read after the fact)
    for c in conns:
        if c["closed"] is not None:
            continue
        if a.mode == "noread":
            # never read data; detect a reset through a failing send instead
            continue
        r, _, _ = select.select([c["s"]], [], [], 0)
        if r:
            try:
                data = c["s"].recv(65536)
                if not data:
                    c["closed"] = time.time() - start
            except (ConnectionResetError, BlockingIOError, OSError):
                c["closed"] = time.time() - start


while time.time() - start < a.seconds:
    for c in conns:
        if c["closed"] is not None:
            continue
        try:
            if a.mode == "noread":
                # whole requests only: what the kernel did not take is sent first next time
                if not c["pending"]:
                    c["pending"] = request
                c["pending"] = c["pending"][c["s"].send(c["pending"]) :]
            elif a.mode == "slowloris":
                if tick < len(slow) - 1:  # never the last byte: the request never completes
                    c["s"].send(slow[tick : tick + 1])
            elif a.mode == "keepalive":
                c["s"].send(slow if tick == 0 else b"\r\n\r\n")
        except BlockingIOError:
            pass  # the server stopped reading us: backpressure
        except OSError:
            c["closed"] = time.time() - start
    poll_closed()
    tick += 1
    time.sleep(1 / a.rate if a.mode == "noread" else 1)
poll_closed()
closed = [round(c["closed"], 1) for c in conns if c["closed"] is not None]
print(json.dumps({"conns": len(conns), "closedByServer": len(closed), "closedAt": sorted(closed), "open": len(conns) - len(closed)}))
for c in conns:
    c["s"].close()
