/**
 * PASSWORD-ALGORITHMS — RFC 8489 §14.11: the list of algorithms a server offers (in its 401/438),
 * each a 16-bit algorithm number, a 16-bit parameter length and the parameters padded to 4 bytes.
 * PASSWORD-ALGORITHM — §14.12: the one the client picked, same layout, once. Algorithms: 0x0001 MD5,
 * 0x0002 SHA-256 (§18.5.1), both without parameters.
 */
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { getU16, setU16 } from './bytes.ts';
import { ATTR, PASSWORD_ALGORITHM } from './constants.ts';
import { StunError } from './errors.ts';

export interface PasswordAlgorithmValue {
  algorithm: number;
  parameters: Uint8Array;
}

const NAMES: Record<number, string> = {
  [PASSWORD_ALGORITHM.MD5]: 'MD5',
  [PASSWORD_ALGORITHM.SHA256]: 'SHA-256',
};
const nameOf = (a: number) => NAMES[a] ?? `0x${a.toString(16).padStart(4, '0')}`;

function encodeOne(v: PasswordAlgorithmValue): Uint8Array {
  if (!Number.isInteger(v.algorithm) || v.algorithm < 0 || v.algorithm > 0xffff)
    throw new StunError('bad-value', `algorithm ${v.algorithm} is not 16-bit`);
  if (v.parameters.length > 0xffff) throw new StunError('bad-value', 'algorithm parameters too long');
  const padded = (v.parameters.length + 3) & ~3;
  const out = new Uint8Array(4 + padded);
  setU16(out, 0, v.algorithm);
  setU16(out, 2, v.parameters.length);
  out.set(v.parameters, 4);
  return out;
}

/** Reads one entry at `off`; returns it and the offset after its padding. */
function decodeOne(b: Uint8Array, off: number): { value: PasswordAlgorithmValue; next: number } {
  if (b.length - off < 4) throw badAttribute(`algorithm entry truncated at byte ${off}`);
  const algorithm = getU16(b, off);
  const len = getU16(b, off + 2);
  if (off + 4 + len > b.length) throw badAttribute(`parameters of ${len} bytes overrun the value`);
  const parameters = b.slice(off + 4, off + 4 + len);
  return { value: { algorithm, parameters }, next: Math.min(b.length, off + 4 + ((len + 3) & ~3)) };
}

export const PasswordAlgorithms: AttributeCodec<PasswordAlgorithmValue[]> = {
  type: ATTR.PASSWORD_ALGORITHMS,
  name: 'PASSWORD-ALGORITHMS',
  encode: (list) => {
    const parts = list.map(encodeOne);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  },
  decode(b) {
    const out: PasswordAlgorithmValue[] = [];
    let off = 0;
    while (off < b.length) {
      const { value, next } = decodeOne(b, off);
      out.push(value);
      off = next;
    }
    if (out.length === 0) throw badAttribute('empty algorithm list');
    return out;
  },
  format: (list) => list.map((v) => nameOf(v.algorithm)).join(', '),
};

export const PasswordAlgorithm: AttributeCodec<PasswordAlgorithmValue> = {
  type: ATTR.PASSWORD_ALGORITHM,
  name: 'PASSWORD-ALGORITHM',
  encode: encodeOne,
  decode(b) {
    const { value, next } = decodeOne(b, 0);
    if (next !== b.length) throw badAttribute(`${b.length - next} bytes after the algorithm`);
    return value;
  },
  format: (v) => nameOf(v.algorithm),
};
