// nodeNetwork's hot-path send (issue #19): sendNow delivers the first `length` bytes, to any
// address from an unconnected socket and only to the peer from a connected one; the buffer may be
// reused once it returns true.
import { afterEach, describe, expect, it } from 'vitest';
import type { UdpSocket } from './network.ts';
import { nodeNetwork } from './node-network.ts';

const open: UdpSocket[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
async function bind(): Promise<UdpSocket> {
  const s = await nodeNetwork.bindUdp({ address: '127.0.0.1', port: 0 });
  open.push(s);
  return s;
}
function next(s: UdpSocket): Promise<Uint8Array> {
  return new Promise((resolve) => {
    const off = s.onMessage((d) => {
      off();
      resolve(d.slice());
    });
  });
}

describe('nodeNetwork sendNow', () => {
  it('sends the first `length` bytes; the buffer is free again at once', async () => {
    const [a, b] = [await bind(), await bind()];
    const buf = new Uint8Array([1, 2, 3, 4, 5]);
    const got = next(b);
    expect(a.sendNow!(buf, 3, b.local.port, '127.0.0.1')).toBe(true);
    buf.fill(9); // reusing it must not change what was sent
    expect([...(await got)]).toEqual([1, 2, 3]);
  });

  it('a connected socket sends to its peer and drops anything addressed elsewhere', async () => {
    const [a, b, c] = [await bind(), await bind(), await bind()];
    await a.connect!(b.local);
    let toC = 0;
    c.onMessage(() => toC++);
    a.sendNow!(new Uint8Array([7]), 1, c.local.port, '127.0.0.1');
    const got = next(b);
    a.sendNow!(new Uint8Array([8]), 1, b.local.port, '127.0.0.1');
    expect([...(await got)]).toEqual([8]);
    // c's datagram, had it been sent, was sent first and would have arrived before b's
    await new Promise((r) => setTimeout(r, 50));
    expect(toC).toBe(0);
  });
});
