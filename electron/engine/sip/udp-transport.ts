/**
 * SIP over UDP — RFC 3261 §18.1/§18.2 on an injected UdpSocket. Datagrams that are not SIP
 * (e.g. a STUN response, or a CRLF keep-alive per RFC 5626 §3.5.1) are ignored.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { UdpSocket } from '../net/network.ts';
import type { SipTransport } from './transport.ts';

const MAX_DATAGRAM = 65507;

export function udpSipTransport(socket: UdpSocket, ownsSocket = true): SipTransport {
  const listeners = new Set<(text: string, from: Endpoint) => void>();
  const decoder = new TextDecoder();
  const unsubscribe = socket.onMessage((data, from) => {
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
      await socket.send(bytes, to);
    },
    onMessage(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onClose: () => () => {},
    async close() {
      unsubscribe();
      listeners.clear();
      if (ownsSocket) await socket.close();
    },
  };
}
