// ChannelData framing (RFC 8656 §12.4/§12.5): datagrams, and a TCP stream of interleaved STUN and
// padded ChannelData messages read back whole whatever the read boundaries (split and coalesced).
import { describe, expect, it } from 'vitest';
import { addAttribute } from '../stun/attribute.ts';
import { Data } from '../stun/attr-data.ts';
import { XorPeerAddress } from '../stun/attr-xor-address.ts';
import { METHOD } from '../stun/constants.ts';
import { createMessage, decodeMessage, encodeMessage } from '../stun/message.ts';
import { decodeChannelData, encodeChannelData, looksLikeChannelData } from './channel-data.ts';
import { TurnStreamFramer, type StreamFrame } from './stream-framer.ts';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('ChannelData', () => {
  it('encodes the header and pads only on streams', () => {
    const d = encodeChannelData(0x4001, Uint8Array.of(1, 2, 3, 4, 5), false);
    expect(Buffer.from(d).toString('hex')).toBe('400100050102030405');
    const p = encodeChannelData(0x4001, Uint8Array.of(1, 2, 3, 4, 5), true);
    expect(Buffer.from(p).toString('hex')).toBe('4001000501020304050000' + '00');
    expect(decodeChannelData(p)).toEqual({ channel: 0x4001, data: Uint8Array.of(1, 2, 3, 4, 5) });
    expect(looksLikeChannelData(d)).toBe(true);
  });

  it('refuses channels outside 0x4000–0x4FFF, short data and over-long padding', () => {
    expect(() => encodeChannelData(0x3fff, new Uint8Array(1), false)).toThrow(/outside/);
    expect(() => decodeChannelData(Uint8Array.of(0x50, 0, 0, 0))).toThrow(/outside/);
    expect(() => decodeChannelData(Uint8Array.of(0x40, 0, 0, 8, 1, 2))).toThrow(/promises 8 bytes/);
    expect(() => decodeChannelData(Uint8Array.of(0x40, 0, 0, 0, 0, 0, 0, 0))).toThrow(/padding is at most 3/);
  });
});

describe('TURN stream framing over TCP', () => {
  // A Data indication, then ChannelData of every padding length (0–3) and an empty one.
  const ind = createMessage({ cls: 'indication', method: METHOD.DATA });
  addAttribute(ind, XorPeerAddress, { address: '203.0.113.20', port: 4000 });
  addAttribute(ind, Data, bytes(7, 1));
  const stunBytes = encodeMessage(ind);
  const payloads = [bytes(160, 2), bytes(161, 3), bytes(162, 4), bytes(163, 5), new Uint8Array(0)];
  const stream = new Uint8Array([
    ...stunBytes,
    ...payloads.flatMap((p, i) => [...encodeChannelData(0x4000 + i, p, true)]),
  ]);
  const check = (frames: StreamFrame[]) => {
    expect(frames).toHaveLength(6);
    expect(frames[0]!.kind).toBe('stun');
    expect(decodeMessage((frames[0] as { bytes: Uint8Array }).bytes).method).toBe(METHOD.DATA);
    frames
      .slice(1)
      .forEach((f, i) => expect(f).toEqual({ kind: 'channel', channel: 0x4000 + i, data: payloads[i] }));
  };

  it('reads one coalesced chunk holding every message', () => {
    const f = new TurnStreamFramer();
    check(f.push(stream));
    expect(f.pending).toBe(0);
  });

  it('reads byte by byte', () => {
    const f = new TurnStreamFramer();
    const out: StreamFrame[] = [];
    for (const b of stream) out.push(...f.push(Uint8Array.of(b)));
    check(out);
  });

  it('reads every split point of two messages, and random chunkings', () => {
    for (let cut = 1; cut < stream.length; cut += 7) {
      const f = new TurnStreamFramer();
      check([...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))]);
    }
    let seed = 7;
    for (let run = 0; run < 50; run++) {
      const f = new TurnStreamFramer();
      const out: StreamFrame[] = [];
      for (let off = 0; off < stream.length;) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const n = 1 + (seed % 300);
        out.push(...f.push(stream.subarray(off, off + n)));
        off += n;
      }
      check(out);
    }
  });

  it('throws when the stream is out of step (a byte that is neither STUN nor ChannelData)', () => {
    const f = new TurnStreamFramer();
    expect(() => f.push(Uint8Array.of(0x80, 1, 0, 4, 0, 0, 0, 0))).toThrow(/neither STUN nor ChannelData/);
    expect(() => new TurnStreamFramer().push(Uint8Array.of(0x00, 1, 0, 5, 0, 0))).toThrow(
      /not a STUN message/,
    );
  });
});
