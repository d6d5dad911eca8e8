/**
 * SIP over UDP — RFC 3261 §18.1/§18.2 on an injected UdpSocket. Datagrams that are not SIP
 * (e.g. a STUN response) are ignored; a datagram of CRLFs only is a keep-alive (RFC 5626 §4.4.1
 * defines the CRLF ping/pong for connections; phones send CRLFCRLF over UDP too): `sendPing` sends
 * one on the SIP socket itself (it refreshes the NAT binding of this flow), and a lone CRLF that
 * comes back is reported as a pong.
 *
 * ICMP errors (RFC 3261 §18.4 makes them transport errors): operating systems report "port
 * unreachable" / "host unreachable" for UDP only on a *connected* socket, and the SIP socket must
 * stay unconnected (answers and requests may come from anywhere; on Linux, dissolving a
 * connection also drops an ephemeral port). So each destination we send to and have not heard
 * from gets a sentinel: a small socket connected to it that sends a CRLF CRLF keep-alive
 * (RFC 5626 §3.5.1 ping, ignored by SIP servers) alongside each of our requests. An ICMP error on
 * the sentinel says the destination cannot be reached: a SipUnreachableError for the transactions
 * towards it, at once instead of at Timer B. The sentinel closes when the destination answers.
 *
 * Linux reports only the "hard" ICMP errors (port / protocol unreachable) to a UDP socket; host and
 * network unreachable are "soft" for UDP (RFC 1122 §4.1.3.3) and stay silent without IP_RECVERR,
 * which Node cannot set. TCP aborts a connection attempt on them (RFC 1122 §4.2.3.9 leaves it to
 * the stack; Linux does, in SYN-SENT). So a TCP connection attempt to the same host and port —
 * closed at once if it succeeds, its refusal ignored — tells "host unreachable" within a round trip.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { UdpSocket } from '../net/network.ts';
import { SipUnreachableError, unreachableKind, type SipTransport } from './transport.ts';

const MAX_DATAGRAM = 65507;
const PING = new TextEncoder().encode('\r\n\r\n');

const onlyCrlf = (d: Uint8Array) => d.length > 0 && d.every((b) => b === 13 || b === 10);

export interface UdpSipTransportOptions {
  /** Close the socket on close() (default true). */
  ownsSocket?: boolean;
  /** Opens a sentinel socket for ICMP detection (on the SIP socket's address); none: no detection. */
  openSentinel?: () => Promise<UdpSocket>;
  /** Tries a TCP connection to the destination (and closes it): rejects with EHOSTUNREACH etc. */
  probeHost?: (to: Endpoint) => Promise<void>;
}

export function udpSipTransport(
  socket: UdpSocket,
  options: UdpSipTransportOptions | boolean = {},
): SipTransport {
  // (a boolean is the older `ownsSocket` argument)
  const o: UdpSipTransportOptions = typeof options === 'boolean' ? { ownsSocket: options } : options;
  const listeners = new Set<(text: string, from: Endpoint) => void>();
  const unreachable = new Set<(e: SipUnreachableError) => void>();
  const pongListeners = new Set<() => void>();
  const decoder = new TextDecoder();
  const heardFrom = new Set<string>();
  const sentinels = new Map<string, Promise<UdpSocket | null>>();
  let closed = false;
  const report = (kind: 'port' | 'host' | 'network', to: Endpoint) => {
    if (closed || heardFrom.has(formatEndpoint(to))) return;
    const e = new SipUnreachableError(kind, to, 'UDP');
    for (const l of unreachable) l(e);
  };
  const dropSentinel = (key: string) => {
    const s = sentinels.get(key);
    if (!s) return;
    sentinels.delete(key);
    void s.then((x) => x?.close()).catch(() => {});
  };
  const sentinelFor = (to: Endpoint): Promise<UdpSocket | null> => {
    const key = formatEndpoint(to);
    let s = sentinels.get(key);
    if (s) return s;
    // The TCP probe goes first: on Linux a UDP socket connected to the same host before the SYN
    // leaves keeps the SYN's ICMP error from reaching TCP (seen in the lab, kernel 6.x).
    void o.probeHost?.(to).catch((err: { code?: string }) => {
      const kind = unreachableKind(err.code);
      // A refused or accepted connection says nothing about UDP: only host / network count.
      if (kind === 'host' || kind === 'network') report(kind, to);
    });
    const open = o.openSentinel;
    s = (async () => {
      if (!open) return null;
      const sock = await open();
      if (!sock.connect || !sock.onError) {
        await sock.close();
        return null;
      }
      sock.onError((err) => {
        const kind = unreachableKind(err.code);
        if (kind) report(kind, to);
      });
      await sock.connect(to);
      return sock;
    })().catch(() => null);
    sentinels.set(key, s);
    return s;
  };
  const unsubscribe = socket.onMessage((data, from) => {
    const key = formatEndpoint(from);
    if (!heardFrom.has(key)) {
      heardFrom.add(key);
      dropSentinel(key);
    }
    if (onlyCrlf(data)) {
      if (data.length === 2) for (const l of pongListeners) l();
      return;
    }
    // SIP starts with a method token or "SIP/2.0": an ASCII letter. STUN starts with 0x00/0x01.
    const first = data[0];
    if (first === undefined || first < 0x41 || first > 0x5a) return;
    const text = decoder.decode(data);
    for (const l of listeners) l(text, from);
  });
  return {
    protocol: 'UDP',
    reliable: false,
    local: socket.local,
    remote: null,
    async send(text, to) {
      const bytes = new TextEncoder().encode(text);
      if (bytes.length > MAX_DATAGRAM)
        throw new Error(`SIP message of ${bytes.length} bytes is too large for UDP`);
      if (!heardFrom.has(formatEndpoint(to)))
        void sentinelFor(to).then((s) => s?.send(PING, to).catch(() => {}));
      try {
        await socket.send(bytes, to);
      } catch (err) {
        const kind = unreachableKind((err as { code?: string }).code);
        throw kind ? new SipUnreachableError(kind, to, 'UDP') : err;
      }
    },
    onMessage(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onClose: () => () => {},
    onUnreachable(l) {
      unreachable.add(l);
      return () => unreachable.delete(l);
    },
    sendPing: (to) => socket.send(PING, to),
    onPong(l) {
      pongListeners.add(l);
      return () => pongListeners.delete(l);
    },
    async close() {
      closed = true;
      unsubscribe();
      listeners.clear();
      unreachable.clear();
      pongListeners.clear();
      for (const key of [...sentinels.keys()]) dropSentinel(key);
      if (o.ownsSocket !== false) await socket.close();
    },
  };
}
