// The echo call over SIP over WebSocket (RFC 7118), end to end on loopback: a `ws` WebSocket server
// plays registrar + echo UAS and checks what RFC 7118 asks of a client (Via WS/.invalid, Contact
// transport=ws, one SIP message per WebSocket message); RTP is echoed over real UDP. Then the CLI's
// two ways of naming the WebSocket, and a refused upgrade as a result with websocket-blocked.
import dgram from 'node:dgram';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { CallResultSchema, type CallResult } from '../../../shared/contracts/call.ts';
import { systemClock } from '../../engine/clock/clock.ts';
import { nodeNetwork } from '../../engine/net/node-network.ts';
import { buildResponse } from '../../engine/sip/request-builder.ts';
import { parseSip } from '../../engine/sip/sip-message.ts';
import { callCommand } from '../../cli/commands/call.ts';
import { createCallService } from '../call-service.ts';
import type { Services } from '../services.ts';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Registrar + echo UAS over SIP/WebSocket; RTP echoed from a UDP socket. */
async function wsPbx() {
  const echo = dgram.createSocket('udp4');
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
  echo.on('message', (m, rinfo) => echo.send(m, rinfo.port, rinfo.address));
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
  await new Promise((r) => wss.once('listening', r));
  cleanup.push(
    () => new Promise((r) => wss.close(r)),
    () => echo.close(),
  );
  const requests: { method: string; text: string }[] = [];
  wss.on('connection', (sock, req) => {
    const peer = { address: req.socket.remoteAddress!, port: req.socket.remotePort! };
    sock.on('message', (data) => {
      const text = data.toString();
      const m = parseSip(text) as IncomingRequestMessage | null;
      if (!m || !('method' in m)) return;
      requests.push({ method: m.method, text });
      // RFC 3581 + RFC 7118 §5.2: the server records where the request really came from.
      const via = `${m.getHeader('via')};received=${peer.address};rport=${peer.port}`.replace(
        /;rport(?=;|$)/,
        '',
      );
      const reply = (
        status: number,
        reason: string,
        extra: Parameters<typeof buildResponse>[3] = { userAgent: 'ws-pbx' },
      ) => sock.send(buildResponse(m, status, reason, extra).replace(/^Via: .*$/m, `Via: ${via}`));
      if (m.method === 'REGISTER') reply(200, 'OK', { userAgent: 'ws-pbx', extra: [['Expires', '60']] });
      else if (m.method === 'INVITE') {
        const port = (echo.address() as AddressInfo).port;
        const sdp = `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
        reply(200, 'OK', {
          toTag: 'u1',
          contact: '<sip:echo@127.0.0.1;transport=ws>',
          userAgent: 'ws-pbx',
          body: { type: 'application/sdp', text: sdp },
        });
      } else if (m.method === 'BYE') reply(200, 'OK', { toTag: 'u1', userAgent: 'ws-pbx' });
    });
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/sip`, requests };
}

const deps = { network: nodeNetwork, clock: systemClock, routeSource: async () => '127.0.0.1' };

async function runCli(positionals: string[], values: Record<string, string | boolean>) {
  const outs: string[] = [];
  const code = await callCommand.run({
    services: { call: createCallService(deps) } as unknown as Services,
    io: { out: (t) => outs.push(t), err: () => {}, interactive: false },
    json: true,
    values,
    positionals,
    signal: new AbortController().signal,
  });
  return { code, result: CallResultSchema.parse(JSON.parse(outs[0]!)) as CallResult };
}

describe('echo call over SIP over WebSocket (RFC 7118)', () => {
  it('registers and calls through the WebSocket with Via WS and ".invalid" Via/Contact hosts', async () => {
    const pbx = await wsPbx();
    const { code, result } = await runCli([pbx.url, 'sip:echo@lab.test'], {
      user: 'alice',
      password: 'pw',
      duration: '1',
      'rtp-ports': '21000-21010',
    });
    expect(code).toBe(0);
    expect(result).toMatchObject({ transport: 'ws', answered: true, endReason: 'completed' });
    expect(result.registration).toMatchObject({ ok: true, unregistered: true });
    expect(result.rtp!.received).toBeGreaterThan(0);
    expect(result.websocket).toMatchObject({
      opened: true,
      httpStatus: 101,
      subprotocol: 'sip',
      url: pbx.url,
    });
    // What the server saw: RFC 7118 §5.2 Via and Contact; the REGISTER names the domain, not the URL's host.
    const register = pbx.requests.find((r) => r.method === 'REGISTER')!.text;
    expect(register).toMatch(/^REGISTER sip:lab\.test SIP\/2\.0\r\n/);
    const invalid = /\r\nVia: SIP\/2\.0\/WS ([0-9a-f]+\.invalid);rport;branch=z9hG4bK\w+\r\n/.exec(
      register,
    )?.[1];
    expect(invalid).toBeDefined();
    expect(register).toContain(`\r\nContact: <sip:alice@${invalid};transport=ws>`);
    expect(result.signaling.contact).toBe(invalid);
    // Via received/rport came back: the server saw the TCP connection's address.
    expect(result.signaling.viaReceived).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(pbx.requests.map((r) => r.method)).toEqual(
      expect.arrayContaining(['REGISTER', 'INVITE', 'ACK', 'BYE']),
    );
    expect(result.messages.every((m) => m.transport === 'WS')).toBe(true);
    expect(result.findings.map((f) => f.code)).not.toContain('private-contact');
  }, 20_000);

  it('--transport ws --ws-url is the same as giving the URL first; mismatches are refused', async () => {
    const pbx = await wsPbx();
    const { result } = await runCli(['sip:echo@lab.test'], {
      transport: 'ws',
      'ws-url': pbx.url,
      duration: '1',
      'rtp-ports': '21020-21030',
    });
    expect(result).toMatchObject({ transport: 'ws', answered: true });
    await expect(runCli(['sip:echo@lab.test'], { transport: 'wss', 'ws-url': pbx.url })).rejects.toThrow(
      /does not match/,
    );
    await expect(runCli(['sip:echo@lab.test'], { transport: 'wss' })).rejects.toThrow(/WebSocket URL/);
    await expect(runCli(['sip:echo@lab.test'], { transport: 'tcp', 'ws-url': pbx.url })).rejects.toThrow(
      /cannot be used with transport tcp/,
    );
  }, 20_000);

  it('a refused upgrade ends the call with websocket-blocked, the HTTP status and exit code 1', async () => {
    const server = net.createServer((s) =>
      s.once('data', () => s.end('HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n')),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => server.close(r)));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const { code, result } = await runCli([url, 'sip:echo@lab.test'], {});
    expect(code).toBe(1);
    expect(result).toMatchObject({ answered: false, endReason: 'transport-error' });
    expect(result.websocket).toMatchObject({ opened: false, failedAt: 'http-status', httpStatus: 502 });
    expect(result.findings).toEqual([
      expect.objectContaining({
        code: 'websocket-blocked',
        message: expect.stringMatching(/HTTP 502 Bad Gateway \(answered by Server: nginx\)/),
      }),
    ]);
  });
});
