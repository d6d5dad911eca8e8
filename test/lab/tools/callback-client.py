#!/usr/bin/env python3
"""A minimal SIP UA for the companion's callback test (docs/companion-protocol.md), over UDP:
REGISTER with X-NatScope-Callback: N, answer the 401 return-routability challenge (MD5 digest as
natscope/natscope), expect 200, then wait for the server's INVITE, refuse it with 486 and expect
the ACK. Prints one JSON line: {"challenged", "registered", "invited", "acked"}.

    callback-client.py --server IP:PORT --bind IP:PORT [--delay N] [--timeout S]
"""
import argparse
import hashlib
import json
import re
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument("--server", required=True)
ap.add_argument("--bind", required=True)
ap.add_argument("--delay", type=int, default=1)
ap.add_argument("--timeout", type=float, default=15)
a = ap.parse_args()
host, port = a.server.rsplit(":", 1)
server = (host, int(port))
lhost, lport = a.bind.rsplit(":", 1)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((lhost, int(lport)))
sock.settimeout(0.5)
me = f"{lhost}:{sock.getsockname()[1]}"
uri = f"sip:{host}:{port}"
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()


def register(cseq, auth=None):
    lines = [
        f"REGISTER {uri} SIP/2.0",
        f"Via: SIP/2.0/UDP {me};branch=z9hG4bKcb{cseq};rport",
        "Max-Forwards: 70",
        "From: <sip:callback@natscope.lab>;tag=cb1",
        "To: <sip:callback@natscope.lab>",
        "Call-ID: callback-client-1",
        f"CSeq: {cseq} REGISTER",
        f"Contact: <sip:callback@{me}>",
        f"X-NatScope-Callback: {a.delay}",
    ]
    if auth:
        lines.append(auth)
    lines += ["Content-Length: 0", "", ""]
    sock.sendto("\r\n".join(lines).encode(), server)


def header(msg, name):
    m = re.search(rf"^{name}:\s*(.*)$", msg, re.I | re.M)
    return m.group(1).strip() if m else ""


state = {"challenged": False, "registered": False, "invited": False, "acked": False}
register(1)
deadline = time.time() + a.timeout
while time.time() < deadline and not state["acked"]:
    try:
        data, src = sock.recvfrom(65535)
    except socket.timeout:
        continue
    msg = data.decode("latin1")
    first = msg.split("\r\n", 1)[0]
    if first.startswith("SIP/2.0 401") and not state["challenged"]:
        state["challenged"] = True
        realm = re.search(r'realm="([^"]*)"', msg).group(1)
        nonce = re.search(r'nonce="([^"]*)"', msg).group(1)
        resp = md5(f"{md5(f'natscope:{realm}:natscope')}:{nonce}:{md5(f'REGISTER:{uri}')}")
        register(
            2,
            f'Authorization: Digest username="natscope", realm="{realm}", nonce="{nonce}", uri="{uri}", response="{resp}", algorithm=MD5',
        )
    elif first.startswith("SIP/2.0 200") and "REGISTER" in header(msg, "CSeq"):
        state["registered"] = True
    elif first.startswith("INVITE "):
        state["invited"] = True
        reply = [
            "SIP/2.0 486 Busy Here",
            *[f"{h}: {header(msg, h)}" for h in ("Via", "From")],
            f"To: {header(msg, 'To')};tag=cbx",
            *[f"{h}: {header(msg, h)}" for h in ("Call-ID", "CSeq")],
            "Content-Length: 0",
            "",
            "",
        ]
        sock.sendto("\r\n".join(reply).encode(), src)
    elif first.startswith("ACK "):
        state["acked"] = True
print(json.dumps(state))
