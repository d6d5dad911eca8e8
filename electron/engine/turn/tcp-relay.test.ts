// RFC 6062 ConnectionBind on the data connection: the answer split over reads and peer bytes
// coalesced behind it both come out right; a refusal is a TurnError with the server's code.
import { describe, expect, it } from 'vitest';
import { addAttribute } from '../stun/attribute.ts';
import { ErrorCode } from '../stun/attr-error-code.ts';
import { ConnectionId } from '../stun/attr-uint32.ts';
import { createMessage, decodeMessage, encodeMessage } from '../stun/message.ts';
import type { BytePipe } from '../sip/stream-transport.ts';
import type { TurnClient } from './client.ts';
import { connectPeer } from './tcp-relay.ts';

const peer = { address: '203.0.113.20', port: 4100 };

function fakeClient(): TurnClient {
  const connect = createMessage({ cls: 'success', method: 0x00a });
  addAttribute(connect, ConnectionId, 77);
  return {
    authenticated: async () => decodeMessage(encodeMessage(connect)),
    addCredentials: () => ({}),
    verify: () => true,
  } as unknown as TurnClient;
}

function fakePipe(answer: (requestTid: Uint8Array) => Uint8Array[]) {
  let onData: (d: Uint8Array) => void = () => {};
  const written: Uint8Array[] = [];
  const pipe: BytePipe = {
    local: { address: '192.168.1.10', port: 5000 },
    remote: { address: '203.0.113.10', port: 3478 },
    async write(d) {
      written.push(d);
      if (written.length === 1) {
        const req = decodeMessage(d);
        for (const chunk of answer(req.transactionId)) setTimeout(() => onData(chunk), 1);
      }
    },
    onData: (l) => void (onData = l),
    onClose: () => {},
    close: async () => {},
  };
  return { pipe, written };
}

describe('RFC 6062 ConnectionBind', () => {
  it('reads an answer split over reads, and peer bytes coalesced behind it', async () => {
    const { pipe, written } = fakePipe((tid) => {
      const ok = encodeMessage(createMessage({ cls: 'success', method: 0x00b, transactionId: tid }));
      const both = new Uint8Array([...ok, ...Buffer.from('hello')]);
      return [both.subarray(0, 3), both.subarray(3, 21), both.subarray(21)];
    });
    const conn = await connectPeer(fakeClient(), peer, async () => pipe);
    expect(conn.connectionId).toBe(77);
    const got: string[] = [];
    conn.onData((d) => got.push(Buffer.from(d).toString()));
    await new Promise((r) => setTimeout(r, 20)); // the last read is still queued
    expect(got.join('')).toBe('hello');
    await conn.write(Buffer.from('x'));
    expect(decodeMessage(written[0]!).method).toBe(0x00b);
    expect(Buffer.from(written[1]!).toString()).toBe('x');
  });

  it('a refused bind is the server error, named', async () => {
    const { pipe } = fakePipe((tid) => {
      const m = createMessage({ cls: 'error', method: 0x00b, transactionId: tid });
      addAttribute(m, ErrorCode, { code: 447, reason: 'Connection Timeout or Failure' });
      return [encodeMessage(m)];
    });
    await expect(connectPeer(fakeClient(), peer, async () => pipe)).rejects.toThrow(
      /ConnectionBind refused with 447 Connection Timeout or Failure/,
    );
  });
});
