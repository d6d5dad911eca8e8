// Round trips for every attribute codec, and robustness: random, truncated and bit-flipped input
// only ever fails with the codec's own StunError.
import { describe, expect, it } from 'vitest';
import {
  ChangeRequestAttr,
  ChangedAddress,
  ErrorCode,
  MappedAddress,
  OtherAddress,
  Padding,
  ResponseOrigin,
  ResponsePort,
  Software,
  SourceAddress,
  StunError,
  UnknownAttributes,
  XorMappedAddress,
  addAttribute,
  bytesToIp,
  createMessage,
  decodeMessage,
  decodeMessageType,
  describeAttributes,
  encodeMessage,
  encodeMessageType,
  getAttribute,
  ipToBytes,
  normalizeIp,
  type AttributeCodec,
} from './codec.ts';

function roundTrip<T>(codec: AttributeCodec<T>, value: T): T | undefined {
  const m = createMessage({ cls: 'success' });
  addAttribute(m, codec, value);
  const decoded = decodeMessage(encodeMessage(m, { fingerprint: true }));
  return getAttribute(decoded, codec);
}

describe('message type (RFC 8489 §5)', () => {
  it('encodes the four classes of Binding', () => {
    expect(encodeMessageType(1, 'request')).toBe(0x0001);
    expect(encodeMessageType(1, 'indication')).toBe(0x0011);
    expect(encodeMessageType(1, 'success')).toBe(0x0101);
    expect(encodeMessageType(1, 'error')).toBe(0x0111);
    expect(decodeMessageType(0x0111)).toEqual({ method: 1, cls: 'error' });
    expect(decodeMessageType(encodeMessageType(0xabc, 'success'))).toEqual({ method: 0xabc, cls: 'success' });
  });
});

describe('attribute round trips', () => {
  const v4 = { address: '203.0.113.7', port: 5060 };
  const v6 = { address: '2001:db8::1', port: 65535 };
  it.each([MappedAddress, XorMappedAddress, ResponseOrigin, OtherAddress, SourceAddress, ChangedAddress])(
    '$name',
    (codec) => {
      expect(roundTrip(codec, v4)).toEqual(v4);
      expect(roundTrip(codec, v6)).toEqual(v6);
    },
  );
  it('CHANGE-REQUEST', () => {
    for (const changeIp of [false, true])
      for (const changePort of [false, true])
        expect(roundTrip(ChangeRequestAttr, { changeIp, changePort })).toEqual({ changeIp, changePort });
  });
  it('RESPONSE-PORT, PADDING, SOFTWARE, ERROR-CODE, UNKNOWN-ATTRIBUTES', () => {
    expect(roundTrip(ResponsePort, 40000)).toBe(40000);
    expect(roundTrip(Padding, 1021)).toBe(1021);
    expect(roundTrip(Software, 'NatScope ✓')).toBe('NatScope ✓');
    expect(roundTrip(ErrorCode, { code: 420, reason: 'Unknown Attribute' })).toEqual({
      code: 420,
      reason: 'Unknown Attribute',
    });
    expect(roundTrip(UnknownAttributes, [0x0003, 0x0027])).toEqual([0x0003, 0x0027]);
  });
  it('rejects an out-of-range error code at encode time', () => {
    expect(() => roundTrip(ErrorCode, { code: 200, reason: '' })).toThrow(StunError);
  });
  it('describes attributes for the log', () => {
    const m = createMessage({ cls: 'request' });
    addAttribute(m, ChangeRequestAttr, { changeIp: true, changePort: true });
    m.attributes.push({ type: 0x7777, value: new Uint8Array(3) });
    expect(describeAttributes(m)).toEqual([
      { name: 'CHANGE-REQUEST', value: 'change IP + change port' },
      { name: '0x7777', value: '3 bytes' },
    ]);
  });
});

describe('IP text', () => {
  it('formats IPv6 per RFC 5952', () => {
    expect(bytesToIp(ipToBytes('2001:0db8:0000:0000:0001:0000:0000:0001'))).toBe('2001:db8::1:0:0:1');
    expect(bytesToIp(ipToBytes('::'))).toBe('::');
    expect(bytesToIp(ipToBytes('::1'))).toBe('::1');
    expect(bytesToIp(ipToBytes('fe80::1%eth0'))).toBe('fe80::1');
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(bytesToIp(ipToBytes('64:ff9b::192.0.2.33'))).toBe('64:ff9b::c000:221');
  });
  it('rejects garbage', () => {
    for (const s of ['1.2.3', '1.2.3.256', '1::2::3', 'abc', '1:2:3:4:5:6:7:8:9'])
      expect(() => ipToBytes(s)).toThrow(StunError);
  });
});

describe('malformed input', () => {
  const good = (() => {
    const m = createMessage({ cls: 'success' });
    addAttribute(m, XorMappedAddress, { address: '192.0.2.1', port: 1 });
    addAttribute(m, OtherAddress, { address: '198.51.100.1', port: 3479 });
    addAttribute(m, Software, 'x');
    return encodeMessage(m, { fingerprint: true });
  })();

  function decodeAll(b: Uint8Array): void {
    const m = decodeMessage(b);
    for (const c of [
      XorMappedAddress,
      OtherAddress,
      Software,
      MappedAddress,
      ErrorCode,
    ] as AttributeCodec<unknown>[])
      getAttribute(m, c);
    describeAttributes(m);
  }

  function onlyStunErrors(b: Uint8Array): void {
    try {
      decodeAll(b);
    } catch (err) {
      if (!(err instanceof StunError))
        throw new Error(`non-codec error for ${Buffer.from(b).toString('hex')}: ${String(err)}`, {
          cause: err,
        });
    }
  }

  it('every truncation fails with a specific code', () => {
    for (let n = 0; n < good.length; n++) {
      let code: string | undefined;
      try {
        decodeMessage(good.slice(0, n));
      } catch (err) {
        expect(err).toBeInstanceOf(StunError);
        code = (err as StunError).code;
      }
      expect(code).toBe('truncated');
    }
  });
  it('names the problem', () => {
    const notStun = good.slice();
    notStun[0] = 0x80;
    expect(() => decodeMessage(notStun)).toThrow(expect.objectContaining({ code: 'not-stun' }));
    const trailing = new Uint8Array([...good, 0, 0, 0, 0]);
    expect(() => decodeMessage(trailing)).toThrow(expect.objectContaining({ code: 'length-mismatch' }));
    const overrun = good.slice();
    overrun[23] = 0xff; // first attribute's length
    expect(() => decodeMessage(overrun)).toThrow(expect.objectContaining({ code: 'bad-attribute' }));
    const family = createMessage({ cls: 'success' });
    family.attributes.push({ type: 0x0001, value: new Uint8Array([0, 3, 0, 1, 1, 2, 3, 4]) });
    expect(() => getAttribute(decodeMessage(encodeMessage(family)), MappedAddress)).toThrow(
      expect.objectContaining({ code: 'bad-attribute' }),
    );
  });
  it('random buffers and bit flips never throw anything but StunError', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(rnd() * 80);
      const b = new Uint8Array(len).map(() => Math.floor(rnd() * 256));
      if (len >= 4 && rnd() < 0.5) {
        b[0] = 0;
        b[1] = 1;
        const body = Math.max(0, len - 20) & ~3;
        b[2] = body >> 8;
        b[3] = body & 0xff;
      }
      onlyStunErrors(b);
      const flipped = good.slice();
      flipped[Math.floor(rnd() * good.length)]! ^= 1 << Math.floor(rnd() * 8);
      onlyStunErrors(flipped);
    }
  });
});
