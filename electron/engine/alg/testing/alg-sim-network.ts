/**
 * Test double: wraps a real `Network` and behaves like a (kernel nf_nat_sip-style) SIP ALG on UDP
 * datagrams to the given ports — outbound it rewrites the private address in Via, Contact and SDP
 * o=/c= to `publicIp` and fixes Content-Length; inbound it rewrites `publicIp` in Via back to the
 * private address. Used by unit tests only.
 */
import type { Network, UdpSocket } from '../../net/network.ts';
import { fromLatin1, latin1 } from '../../../../shared/model/alg-reflect.ts';

export function algSimNetwork(
  base: Network,
  o: { privateIp: string; publicIp: string; ports: number[] },
): Network {
  return {
    ...base,
    connectTcp: (x) => base.connectTcp(x),
    resolve: (h, f) => base.resolve(h, f),
    async bindUdp(opts) {
      const s = await base.bindUdp(opts);
      const wrapped: UdpSocket = {
        local: s.local,
        send: (data, to) =>
          s.send(o.ports.includes(to.port) ? fromLatin1(outbound(latin1(data), o)) : data, to),
        onMessage: (l) =>
          s.onMessage((data, from) =>
            l(o.ports.includes(from.port) ? fromLatin1(inbound(latin1(data), o)) : data, from),
          ),
        close: () => s.close(),
      };
      return wrapped;
    },
  };
}

function outbound(text: string, o: { privateIp: string; publicIp: string }): string {
  const i = text.indexOf('\r\n\r\n');
  if (i < 0) return text;
  let head = text.slice(0, i);
  let body = text.slice(i + 4);
  head = head.replace(/^(Via|Contact):.*$/gim, (line) => line.split(o.privateIp).join(o.publicIp));
  body = body.replace(/^(o|c)=.*$/gm, (line) => line.split(o.privateIp).join(o.publicIp));
  head = head.replace(/^Content-Length:.*$/im, `Content-Length: ${body.length}`);
  return `${head}\r\n\r\n${body}`;
}

function inbound(text: string, o: { privateIp: string; publicIp: string }): string {
  const i = text.indexOf('\r\n\r\n');
  if (i < 0) return text;
  const head = text.slice(0, i).replace(/^Via:.*$/gim, (line) => line.split(o.publicIp).join(o.privateIp));
  return `${head}${text.slice(i)}`;
}
