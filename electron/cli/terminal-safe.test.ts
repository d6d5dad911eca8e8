// Control characters from the network never reach the terminal raw (issue #18 item 7): router names,
// manufacturers, mapping descriptions and SIP reason phrases print with ESC & co. shown escaped.
import { describe, expect, it } from 'vitest';
import type { CallResult } from '../../shared/contracts/call.ts';
import type { RouterReport } from '../../shared/contracts/router.ts';
import type { Services } from '../services/services.ts';
import { runCli } from './main.ts';
import { cellSafe, jsonTerminalSafe, terminalSafe } from './terminal-safe.ts';

const EVIL = 'Evil\u001b]0;owned\u0007\u001b[2J\u009b31m\u202eRouter';
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

describe('terminal-safe strings', () => {
  it('shows controls escaped, keeps line feeds in text but not in cells', () => {
    expect(terminalSafe('a\u001b[2Jb\nc\r\nd\te')).toBe('a\\x1b[2Jb\nc\nd\te');
    expect(cellSafe('a\nb\rc\u0007')).toBe('a\\nb\\rc\\x07');
    expect(cellSafe(EVIL)).not.toMatch(RAW_CONTROL);
  });
  it('JSON stays JSON with the same values', () => {
    const doc = { name: EVIL, list: ['\u0085', '\u2028'] };
    const safe = jsonTerminalSafe(JSON.stringify(doc));
    expect(safe).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(safe)).toEqual(doc);
  });
});

const router = {
  gateway: '192.168.1.1',
  localAddress: '192.168.1.10',
  upnp: {
    found: true,
    location: 'http://192.168.1.1:5000/rootDesc.xml',
    igdVersion: 1,
    friendlyName: EVIL,
    manufacturer: EVIL,
    model: EVIL,
    modelNumber: null,
    server: EVIL,
    externalIp: '203.0.113.2',
    externalIpClass: 'documentation',
    connectionStatus: 'Connected',
    connectionType: 'IP_Routed',
    possibleConnectionTypes: null,
    uptimeSeconds: 5,
    lastConnectionError: null,
    services: [{ serviceType: EVIL, controlUrl: '/ctl', connectionStatus: EVIL, chosen: true, error: null }],
    mappings: [
      {
        via: 'upnp',
        protocol: 'udp',
        externalIp: null,
        externalPort: 5060,
        internalClient: '192.168.1.10',
        internalPort: 5060,
        remoteHost: null,
        description: `${EVIL}\nforged line`,
        enabled: true,
        leaseSeconds: 0,
        leaseRemainingSeconds: null,
        permanent: true,
        createdByNatScope: false,
        kept: false,
        ledgerId: null,
      },
    ],
    mappingsError: null,
    mappingsMethod: 'GetGenericPortMappingEntry',
    ssdp: [],
    errors: [EVIL],
  },
  natpmp: {
    supported: false,
    gateway: null,
    externalIp: null,
    externalIpClass: null,
    epoch: null,
    epochReset: false,
    resultCode: null,
    error: EVIL,
  },
  pcp: {
    supported: false,
    gateway: null,
    externalIp: null,
    epoch: null,
    epochReset: false,
    natPmpOnly: false,
    resultCode: null,
    error: EVIL,
  },
  findings: [],
  ownMappings: [],
  warnings: [EVIL],
} as unknown as RouterReport;

const call = {
  target: 'sip:echo@203.0.113.10',
  transport: 'udp',
  answered: false,
  sipStatus: 486,
  sipReason: EVIL,
  endReason: EVIL,
  registration: null,
  signaling: { local: '1.2.3.4:5060', server: '203.0.113.10:5060', viaReceived: EVIL },
  oneWayAudio: false,
  media: null,
  rtp: null,
  findings: [{ severity: 'problem', message: EVIL }],
  messages: [
    {
      index: 1,
      atMs: 1,
      direction: 'received',
      remote: '203.0.113.10:5060',
      summary: `486 ${EVIL}`,
      retransmission: false,
      raw: `SIP/2.0 486 ${EVIL}\r\n\r\n`,
    },
  ],
} as unknown as CallResult;

const services = {
  router: {
    cleanupStale: async () => ({ removed: [], failed: [], expired: 0 }),
    probe: async () => router,
    releaseSession: async () => ({ removed: 0, failed: [] }),
  },
  call: { echoTest: async () => call },
} as unknown as Services;

async function human(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  await runCli(
    argv,
    { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false },
    new AbortController().signal,
    () => services,
  );
  return { stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('human output of remote strings (issue #18 item 7)', () => {
  it('natscope router: friendly name, manufacturer, descriptions, errors', async () => {
    const r = await human(['router']);
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('Evil\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202eRouter');
    expect(r.stdout).toContain('\\nforged line');
  });
  it('natscope call: SIP reason phrase, findings and raw messages', async () => {
    const r = await human(['call', 'sip:echo@203.0.113.10', '--messages']);
    expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('Evil\\x1b]0;owned');
  });
  it('--json keeps the exact value, escaped', async () => {
    const out: string[] = [];
    await runCli(
      ['router', '--json'],
      { out: (t) => out.push(t), err: () => {}, interactive: false },
      new AbortController().signal,
      () => services,
    );
    expect(out.join('')).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(out.join('')).upnp.friendlyName).toBe(EVIL);
  });
});
