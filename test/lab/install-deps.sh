#!/bin/sh
# Install the Debian packages the NatScope network lab needs (idempotent; Debian 12), and what
# build/build-native.ts compiles natscope server's batched-UDP addon with (gcc, libc6-dev, libuv1-dev).
# Called by .ci/run before `npm run test:lab`.
set -eu
PKGS="iproute2 iputils-ping nftables procps openssl coturn stun-server stun-client miniupnpd-nftables miniupnpc natpmpc sip-tester tcpdump conntrack python3 kamailio kamailio-tls-modules rtpengine-daemon baresip-core kamailio-websocket-modules chromium gcc libc6-dev libuv1-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "lab dependencies already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "need root to install:$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# miniupnpd's postinst asks questions / may try to start the daemon: keep it quiet and off.
echo "miniupnpd miniupnpd/start_daemon boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
# The packaged services are not wanted in the root namespace (the lab starts its own copies).
for svc in coturn miniupnpd stun-server kamailio rtpengine-daemon; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done
echo "installed:$missing"
