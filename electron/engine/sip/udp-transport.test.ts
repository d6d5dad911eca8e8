import { describe, expect, it } from 'vitest';
import { nodeNetwork } from '../net/node-network.ts';
import { ManualClock } from './test-fakes.ts';
import { MessageLog } from './message-log.ts';
import { TransactionLayer } from './transactions.ts';
import { SipUnreachableError } from './transport.ts';
import { udpSipTransport } from './udp-transport.ts';

const OPTIONS = (port: number) =>
  `OPTIONS sip:x@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKicmp1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: icmp@test\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;

describe('SIP over UDP: ICMP errors are transport errors (RFC 3261 §18.4)', () => {
  it('a port nobody listens on fails the transaction at once with "nothing listens on udp/PORT"', async () => {
    const probe = await nodeNetwork.bindUdp({ address: '127.0.0.1' });
    const closedPort = probe.local.port;
    await probe.close();
    const socket = await nodeNetwork.bindUdp({ address: '127.0.0.1' });
    const transport = udpSipTransport(socket, {
      openSentinel: () => nodeNetwork.bindUdp({ address: '127.0.0.1' }),
    });
    const layer = new TransactionLayer({
      transport,
      clock: new ManualClock(), // no timer ever fires: only the ICMP error can end the transaction
      log: new MessageLog(() => 0),
      userAgent: 'test',
    });
    const err = await new Promise<Error>((resolve) =>
      layer.sendRequest(
        {
          method: 'OPTIONS',
          branch: 'z9hG4bKicmp1',
          text: OPTIONS(closedPort),
          dest: { address: '127.0.0.1', port: closedPort },
        },
        { onResponse() {}, onTimeout() {}, onTransportError: resolve },
      ),
    );
    expect(err).toBeInstanceOf(SipUnreachableError);
    expect((err as SipUnreachableError).kind).toBe('port');
    expect(err.message).toBe(`nothing listens on udp/${closedPort} at 127.0.0.1 (ICMP port unreachable)`);
    layer.close();
    await transport.close();
  });

  it('host unreachable (silent for UDP on Linux) is learnt from the TCP probe: EHOSTUNREACH', async () => {
    const socket = await nodeNetwork.bindUdp({ address: '127.0.0.1' });
    const probed: string[] = [];
    const transport = udpSipTransport(socket, {
      openSentinel: () => nodeNetwork.bindUdp({ address: '127.0.0.1' }),
      probeHost: async (to) => {
        probed.push(`${to.address}:${to.port}`);
        throw Object.assign(new Error('connect EHOSTUNREACH'), { code: 'EHOSTUNREACH' });
      },
    });
    const sink = await nodeNetwork.bindUdp({ address: '127.0.0.1' }); // a port that exists: no ICMP
    const err = await new Promise<SipUnreachableError>((resolve) => {
      transport.onUnreachable!(resolve);
      void transport.send(OPTIONS(sink.local.port), sink.local);
    });
    expect(probed).toEqual([`127.0.0.1:${sink.local.port}`]);
    expect(err.kind).toBe('host');
    expect(err.message).toBe('host unreachable: 127.0.0.1 (ICMP host unreachable)');
    await Promise.all([transport.close(), sink.close()]);
  });

  it('the SIP socket stays unconnected: after the first answer, requests from anywhere arrive', async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => nodeNetwork.bindUdp({ address: '127.0.0.1' })));
    const transport = udpSipTransport(a!, {
      openSentinel: () => nodeNetwork.bindUdp({ address: '127.0.0.1' }),
    });
    const got: string[] = [];
    const arrived = new Promise<void>((resolve) =>
      transport.onMessage((text) => {
        got.push(text.split(' ')[0]!);
        if (got.length === 2) resolve();
      }),
    );
    const pings: string[] = [];
    b!.onMessage((d, from) => {
      const text = new TextDecoder().decode(d);
      if (text === '\r\n\r\n') return void pings.push(text);
      void b!.send(new TextEncoder().encode('SIP/2.0 200 OK\r\n\r\n'), from);
    });
    await transport.send(OPTIONS(b!.local.port), b!.local);
    await c!.send(new TextEncoder().encode('OPTIONS sip:a SIP/2.0\r\n\r\n'), a!.local);
    await arrived;
    expect(got.sort()).toEqual(['OPTIONS', 'SIP/2.0']);
    expect(pings.length).toBeLessThanOrEqual(1); // the sentinel's keep-alive, ignored by servers
    await Promise.all([transport.close(), b!.close(), c!.close()]);
  });
});
