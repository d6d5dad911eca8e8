// Web mode must survive whatever a page in the browser (or anything on loopback) sends it:
// issue #18 items 5 and 6. Before the fix each of these ended the process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeCodeOf,
  rawExchange,
  statusOf,
  upgradeRequest,
  wsExchange,
  wsFrame,
} from './testing/raw-client.ts';
import { expectAlive, spawnTestHost, TEST_TOKEN, type HostProcess } from './testing/host-process.ts';

let host: HostProcess;
beforeAll(async () => {
  host = await spawnTestHost();
});
afterAll(() => host.stop());

const BAD_TARGETS = ['//[', 'http://[', '//%', '//x:99999', 'http://x:99999/', '*', '//', 'x'];

describe('web host: malformed request targets (issue #18 item 5)', () => {
  for (const target of BAD_TARGETS) {
    it(`GET ${target} (plain and as an upgrade) gets 400 and the host lives on`, async () => {
      const h = host;
      const r = await rawExchange(
        h.port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nConnection: close\r\n\r\n`,
      );
      expect(statusOf(r.received)).toBe(400);
      const up = await rawExchange(h.port, upgradeRequest(h.port, target));
      expect(statusOf(up.received)).toBe(400);
      await expectAlive(h);
    });
  }
  it('the UI path itself still works', () => expectAlive(host));
});

const text = (s: string) => Buffer.from(s, 'utf8');
const PROTOCOL_ERRORS: { name: string; frames: Buffer; code: number }[] = [
  { name: 'oversized frame', frames: wsFrame({ opcode: 1, announce: 64 << 20 }), code: 1009 },
  {
    name: 'bad UTF-8 in a text frame',
    frames: wsFrame({ opcode: 1, payload: Buffer.from([0xc3, 0x28]) }),
    code: 1007,
  },
  {
    name: 'unmasked client frame',
    frames: wsFrame({ opcode: 1, payload: text('{}'), masked: false }),
    code: 1002,
  },
  { name: 'reserved opcode', frames: wsFrame({ opcode: 3, payload: text('x') }), code: 1002 },
  {
    name: 'RSV bits without an extension',
    frames: wsFrame({ opcode: 1, rsv: 4, payload: text('{}') }),
    code: 1002,
  },
  { name: 'ping over 125 bytes', frames: wsFrame({ opcode: 9, payload: Buffer.alloc(126) }), code: 1002 },
  { name: 'fragmented ping', frames: wsFrame({ opcode: 9, fin: false, payload: text('x') }), code: 1002 },
  {
    name: 'continuation with nothing to continue',
    frames: wsFrame({ opcode: 0, payload: text('x') }),
    code: 1002,
  },
  {
    name: 'close code 999',
    frames: wsFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe7]) }),
    code: 1002,
  },
  {
    name: 'close with a 1-byte payload',
    frames: wsFrame({ opcode: 8, payload: Buffer.from([1]) }),
    code: 1002,
  },
];

describe('web host: WebSocket protocol errors (issue #18 item 6)', () => {
  for (const c of PROTOCOL_ERRORS) {
    it(`${c.name}: closed with ${c.code}, host lives on`, async () => {
      const h = host;
      const r = await wsExchange(h.port, TEST_TOKEN, c.frames);
      expect(r.accepted).toBe(true);
      expect(r.closed).toBe(true);
      expect(closeCodeOf(r.afterHandshake)).toBe(c.code);
      await expectAlive(h);
    });
  }

  it('a text frame that is not JSON gets an error frame, the socket stays open', async () => {
    const r = await wsExchange(host.port, TEST_TOKEN, wsFrame({ opcode: 1, payload: text('not json') }), 300);
    expect(r.closed).toBe(false);
    expect(r.afterHandshake.subarray(2).toString()).toContain('"bad-request"');
  });

  it('a 2 MiB frame (over the old 1 MiB limit) is read, not refused', async () => {
    const big = JSON.stringify({
      type: 'request',
      id: 'big',
      method: 'app.info',
      input: { pad: 'x'.repeat(2 << 20) },
    });
    const r = await wsExchange(host.port, TEST_TOKEN, wsFrame({ opcode: 1, payload: text(big) }), 1000);
    expect(closeCodeOf(r.afterHandshake)).toBeNull();
    expect(r.afterHandshake.toString()).toContain('"id":"big"');
  });
});
