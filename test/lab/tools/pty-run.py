#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal (stdin, stdout and stderr are the terminal), types TEXT and
Enter once OUTPUT matching REGEX appears, and prints everything the terminal showed. Exit code =
the command's. For testing prompts that only appear on a terminal (e.g. a hidden password prompt).

    pty-run.py --expect 'password for' --send s3cret [--timeout 60] -- cmd args...
"""
import argparse
import os
import pty
import re
import select
import signal
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--expect", required=True)
ap.add_argument("--send", required=True)
ap.add_argument("--timeout", type=float, default=60.0)
ap.add_argument("cmd", nargs=argparse.REMAINDER)
a = ap.parse_args()
cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd

pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)

seen = b""
sent = False
deadline = time.time() + a.timeout
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
    if not sent and re.search(a.expect.encode(), seen):
        os.write(fd, a.send.encode() + b"\r")
        sent = True
else:
    os.kill(pid, signal.SIGKILL)

_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
