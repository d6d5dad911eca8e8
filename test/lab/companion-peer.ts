// `natscope server` as a lab peer, and what its clients send it: the server on the lab server's
// address(es); SIPp calling its echo UAS through its return-routability challenge; plain SIP
// requests for the abuse tests and the amplification benchmark.
import { NATSCOPE_CLI, type Lab, type Peer } from './lab.ts';

type Ready = { proto: 'udp' | 'tcp'; port: number }[];

/** `natscope server --address <server's primary> …args`, ready once the `ready` sockets are bound. */
export async function startNatscopeServer(
  lab: Lab,
  args: string[],
  o: { ready?: Ready; address?: string; name?: string } = {},
): Promise<Peer> {
  const p = lab.spawn('server', o.name ?? 'natscope-server', [
    process.execPath,
    NATSCOPE_CLI,
    'server',
    '--address',
    o.address ?? lab.addr.serverPrimary,
    ...args,
  ]);
  await lab.waitReady(p, o.ready ?? [{ proto: 'udp', port: 5060 }], 20_000);
  return p;
}

/** On both server addresses, STUN on coturn's ports (coturn not started), SIP on 5060 and 5062. */
export function startCompanion(lab: Lab, extra: string[] = []): Promise<Peer> {
  return startNatscopeServer(
    lab,
    [
      '--alternate-address',
      lab.addr.serverSecondary,
      '--stun-port',
      String(lab.ports.coturn),
      '--stun-alt-port',
      String(lab.ports.coturnAlt),
      ...extra,
    ],
    {
      ready: [
        { proto: 'udp', port: lab.ports.coturn },
        { proto: 'udp', port: 5060 },
      ],
    },
  );
}

/**
 * SIPp (uac-rtp-auth.xml) calls the echo UAS on the server's port 5060, answering the companion's
 * challenge (-au/-ap natscope), and plays g711a.pcap for `durationMs`.
 */
export function sippEchoCall(
  lab: Lab,
  o: { port: number; durationMs: number; args?: string[]; name?: string },
) {
  return lab.runSipp('client', {
    scenario: 'uac-rtp-auth.xml',
    port: o.port,
    remote: `${lab.addr.serverPrimary}:5060`,
    name: o.name ?? `sipp-uac-echo-${o.port}`,
    args: [
      '-s',
      'echo',
      '-au',
      'natscope',
      '-ap',
      'natscope',
      '-m',
      '1',
      ...(o.args ?? []),
      '-d',
      String(o.durationMs),
      '-timeout',
      '20s',
      '-timeout_error',
    ],
    timeoutMs: 30_000,
  });
}

/** A SIP request over UDP from `from` ("ip:port") to `to` ("ip:port"), with the headers RFC 3261 §8.1.1 asks for. */
export function sipRequest(
  method: string,
  o: { from: string; to: string; callId: string; extra?: string[]; body?: string },
): Buffer {
  const body = o.body ?? '';
  return Buffer.from(
    [
      `${method} sip:echo@${o.to} SIP/2.0`,
      `Via: SIP/2.0/UDP ${o.from};branch=z9hG4bK${o.callId.replace(/\W/g, '')}`,
      'Max-Forwards: 70',
      'From: <sip:a@natscope.lab>;tag=1',
      'To: <sip:echo@natscope.lab>',
      `Call-ID: ${o.callId}`,
      `CSeq: 1 ${method}`,
      ...(o.extra ?? []),
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${body.length}`,
      '',
      body,
    ].join('\r\n'),
    'latin1',
  );
}

/** A minimal PCMU/PCMA offer from `address`. */
export function offerFrom(address: string): string {
  return [
    'v=0',
    `o=a 1 1 IN IP4 ${address}`,
    's=-',
    `c=IN IP4 ${address}`,
    't=0 0',
    'm=audio 40000 RTP/AVP 0 8',
    '',
  ].join('\r\n');
}

/** The server's JSON log lines with this event name. */
export function companionEvents(p: Peer, event: string): Record<string, unknown>[] {
  return p
    .log()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((e) => e.event === event);
}
