// The CLI's error contract (issue #18 item 9): every usage error exits 2 and, with --json, prints
// one {"error": {code: "bad-request", message}} document on stdout — never an empty stdout, a
// stack trace, a raw zod issue array or the code "internal". Each case fails before any network use.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './main.ts';
import { APP_VERSION } from '../version.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'natscope-cli-'));
const emptyFile = path.join(dir, 'empty');
beforeAll(() => {
  process.env.NATSCOPE_STATE_DIR = dir;
  delete process.env.NATSCOPE_SIP_PASSWORD;
  writeFileSync(emptyFile, '\n');
});

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false },
    new AbortController().signal,
  );
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const URI = 'sip:echo@203.0.113.10';
const USAGE_ERRORS: [string[], RegExp][] = [
  [[], /no command/],
  [['nope'], /unknown command "nope"/],
  [['nat', '--bogus'], /Unknown option '--bogus'/],
  [['nat', '--rto', '-5'], /--rto needs a whole number, got "-5"/],
  [['nat', '--family', '5'], /family/],
  [['nat', '--server', 'stun.example.org:0'], /port must be a number from 1 to 65535/],
  [['nat', '--transport', 'sctp'], /transport/],
  [['network', 'extra'], /Unexpected argument 'extra'/],
  [['call'], /give exactly one SIP URI/],
  [['call', URI, URI], /got 2/],
  [['call', 'sip:'], /has no host/],
  [['call', 'echo@host'], /is not a SIP URI/],
  [['call', 'sip:echo@host:0'], /port 0 is not a port/],
  [['call', 'sip:echo@host;transport=foo'], /unknown transport "foo"/],
  [
    ['call', 'sip:echo@host;transport=tcp', '--transport', 'udp'],
    /--transport udp contradicts sip:echo@host;transport=tcp/,
  ],
  [['call', 'sip:echo@host;transport=sctp'], /asks for transport sctp, which NatScope does not speak/],
  [['call', URI, '--rtp-ports', '30000-20000'], /end must be above start/],
  [['call', URI, '--rtp-ports', '1-2-3'], /--rtp-ports must look like/],
  [['call', URI, '--duration', '-5'], /--duration must be a number from 1 to 600, got "-5"/],
  [['call', URI, '--duration', 'abc'], /--duration must be a number/],
  [['call', URI, '--transport', 'sctp'], /--transport must be udp, tcp, tls, ws or wss/],
  [['call', 'ws://a.example/ws', 'ws://b.example/ws', URI], /give one WebSocket URL/],
  [['call', URI, '--transport', 'wss'], /needs the gateway's WebSocket URL/],
  [['call', 'wss://a.example/ws', URI, '--transport', 'tcp'], /cannot be used with transport tcp/],
  [['call', URI, '--ws-url', 'https://a.example/ws'], /--ws-url.*must be a ws:\/\/ or wss:\/\/ URL/],
  [
    ['call', 'wss://a.example/ws', URI, '--proxy', 'p.example'],
    /outbound proxy does not apply over a WebSocket/,
  ],
  [['webrtc'], /give the gateway and the echo extension/],
  [
    ['webrtc', '--ws-url', 'https://gw.example/ws', '--uri', URI],
    /--ws-url.*must be a ws:\/\/ or wss:\/\/ URL/,
  ],
  [
    ['webrtc', '--ws-url', 'wss://gw.example/ws', '--uri', URI, '--ice-server', 'http://stun.example'],
    /--ice-server.*stun:, stuns:, turn: or turns:/,
  ],
  [
    ['webrtc', '--ws-url', 'wss://gw.example/ws', '--uri', URI, '--relay-only'],
    /--relay-only needs a TURN server/,
  ],
  [
    ['webrtc', '--ws-url', 'wss://gw.example/ws', '--uri', URI, '--turn-user', 'u'],
    /--turn-user needs --turn-password-file/,
  ],
  [['webrtc', '--ws-url', 'wss://gw.example/ws', '--uri', URI, '--password', 'x'], /a password needs --user/],
  [
    ['webrtc', '--ws-url', 'wss://gw.example/ws', '--uri', URI, '--chromium', '/nonexistent/chromium'],
    /--chromium \/nonexistent\/chromium: no such file/,
  ],
  [
    ['webrtc', '--ws-url', 'wss://gw.example/ws', '--uri', URI, '--duration', '1'],
    /--duration must be a number from 2 to 120/,
  ],
  [['call', URI, '--registrar', 'pbx.example.com'], /--registrar and --user go together/],
  [['call', URI, '--password', 'x'], /a password needs --registrar and --user/],
  [['call', URI, '--registrar', 'r.example', '--user', 'u'], /needs a password: --password-file/],
  [
    ['call', URI, '--registrar', 'r.example', '--user', 'u', '--password', 'x', '--password-file', emptyFile],
    /exclude each other/,
  ],
  [
    ['call', URI, '--registrar', 'r.example', '--user', 'u', '--password-file', '/nonexistent/pw'],
    /cannot read --password-file/,
  ],
  [
    ['call', URI, '--registrar', 'r.example', '--user', 'u', '--password-file', emptyFile],
    /first line is empty/,
  ],
  [['call', URI, '--proxy', 'proxy.example:0'], /port must be a number from 1 to 65535/],
  [['call', URI, '--advertise', 'stun'], /--advertise stun needs --stun/],
  [['alg'], /give --reflector/],
  [
    ['alg', '--reflector', 'r.example', '--udp-only', '--tcp-only'],
    /--udp-only and --tcp-only exclude each other/,
  ],
  [
    ['alg', '--reflector', 'r.example', '--alt-port', '0'],
    /--alt-port must be a whole number from 1 to 65535/,
  ],
  [['alg', '--reflector', 'r.example', '--methods', 'FOO'], /methods/],
  [['alg', '--reflector', 'r.example:99999'], /port must be a number/],
  [['alg', '--reflector', 'r.example', '--timeout', 'abc'], /--timeout must be a whole number/],
  [['alg', '--reflector', 'r.example', '--stun', 's.example'], /leave out --sip-server and --stun/],
  [['diagnose', '--report', ''], /--report needs a file name/],
  [['diagnose', '--report', 'out.pdf'], /cannot tell the report format from ".pdf"/],
  [['diagnose', '--report', 'x.md', '--format', 'pdf'], /--format must be md, json or html/],
  [['diagnose', '--format', 'md'], /--format needs --report/],
  [['diagnose', '--call-seconds', 'abc'], /--call-seconds must be a number from 1 to 120/],
  [['diagnose', '--echo-uri', 'sip:x@y.example:0'], /port 0 is not a port/],
  [['diagnose', '--stun-server', 'h.example:0'], /port must be a number/],
  [['diagnose', '--transport', 'sctp'], /--transport must be udp, tcp, tls, ws or wss/],
  [['diagnose', '--registrar', 'r.example'], /--registrar and --user go together/],
  [['server'], /--address must be an IP address/],
  [['server', '--address', '192.0.2.1', '--stun-port', '0'], /--stun-port must be a port/],
  [['server', '--address', '192.0.2.1', '--log-level', 'loud'], /--log-level must be/],
  [['serve', '--port', '99999'], /--port must be a number from 0 to 65535/],
  [['serve', '--port', '-1'], /--port must be a number from 0 to 65535, got "-1"/],
  [['map'], /expected list, add, delete, verify or cleanup/],
  [['map', 'frob'], /got "frob"/],
  [['map', 'list', 'extra'], /unexpected argument "extra"/],
  [['router', '--gateway', 'not-an-ip'], /gateway/],
  [['router', '--igd-url', 'not a url'], /--igd-url/],
  [['demo', '--bogus'], /Unknown option '--bogus'/],
];

describe('usage errors: exit 2, one JSON error document with --json (issue #18 item 9)', () => {
  for (const [args, message] of USAGE_ERRORS) {
    it(`natscope ${args.map((a) => (a === '' ? "''" : a)).join(' ')}`, async () => {
      const r = await cli([...args, '--json']);
      expect(r.code, r.stderr).toBe(2);
      const doc = JSON.parse(r.stdout) as { error: { code: string; message: string } };
      expect(Object.keys(doc)).toEqual(['error']);
      expect(doc.error.code).toBe('bad-request');
      expect(doc.error.message).toMatch(message);
      expect(doc.error.message).not.toMatch(/^\s*\[|"code":|\n\s+at /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const human = await cli(args);
      expect(human.code).toBe(2);
      expect(human.stderr).toMatch(message);
    });
  }
});

describe('version and help', () => {
  it('-V --json is a JSON document; -V alone is the bare version', async () => {
    expect(JSON.parse((await cli(['-V', '--json'])).stdout)).toEqual({
      name: 'natscope',
      version: APP_VERSION,
    });
    expect(JSON.parse((await cli(['--json', '--version'])).stdout)).toEqual({
      name: 'natscope',
      version: APP_VERSION,
    });
    expect((await cli(['-V'])).stdout).toBe(APP_VERSION);
    expect(JSON.parse((await cli(['nat', '-V', '--json'])).stdout).version).toBe(APP_VERSION);
  });
  it('--help --json is a JSON document too, exit 0', async () => {
    const r = await cli(['call', '--help', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).help).toMatch(/^Usage: natscope call/);
  });
});
