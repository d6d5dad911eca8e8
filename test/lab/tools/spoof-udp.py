#!/usr/bin/env python3
"""Sends UDP datagrams with a forged source address (raw socket, IP_HDRINCL), for testing that a
server answering them does not become an amplifier or steer traffic to the forged address (the
"victim"). Lab namespaces only.

    spoof-udp.py --src IP:PORT --dst IP:PORT --b64 PAYLOAD [--count N] [--interval-ms MS]
                 [--src-count K]   # K sources: the address counts up from --src's
    spoof-udp.py --batch JSON      # [{"src", "dst", "b64", "count"?, "srcCount"?}, ...] in one go
Prints one JSON line: {"sent": N}.
"""
import argparse
import base64
import ipaddress
import json
import socket
import struct
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def datagram(src: str, sport: int, dst: str, dport: int, payload: bytes) -> bytes:
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    udp_len = 8 + len(payload)
    pseudo = s + d + struct.pack("!BBH", 0, socket.IPPROTO_UDP, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    csum = checksum(pseudo + udp) or 0xFFFF
    udp = struct.pack("!HHHH", sport, dport, udp_len, csum) + payload
    total = 20 + udp_len
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 0x1234, 0, 64, socket.IPPROTO_UDP, 0, s, d)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + udp


def endpoint(text: str):
    host, port = text.rsplit(":", 1)
    return host, int(port)


ap = argparse.ArgumentParser()
ap.add_argument("--src")
ap.add_argument("--dst")
ap.add_argument("--b64")
ap.add_argument("--batch")
ap.add_argument("--count", type=int, default=1)
ap.add_argument("--interval-ms", type=float, default=0)
ap.add_argument("--src-count", type=int, default=1)
a = ap.parse_args()

jobs = (
    json.loads(a.batch)
    if a.batch
    else [{"src": a.src, "dst": a.dst, "b64": a.b64, "count": a.count, "srcCount": a.src_count}]
)
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)  # IPPROTO_RAW implies IP_HDRINCL
sock.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
sent = 0
for job in jobs:
    src, sport = endpoint(job["src"])
    dst, dport = endpoint(job["dst"])
    payload = base64.b64decode(job["b64"])
    for i in range(job.get("count", 1)):
        for k in range(job.get("srcCount", 1)):
            s = str(ipaddress.IPv4Address(src) + k)
            sock.sendto(datagram(s, sport, dst, dport, payload), (dst, 0))
            sent += 1
        if a.interval_ms:
            time.sleep(a.interval_ms / 1000)
print(json.dumps({"sent": sent}))
