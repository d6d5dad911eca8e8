/**
 * Typed attribute access in the style of pion/stun's Setter/Getter: every attribute type has an
 * `AttributeCodec` (one file per type, RFC section in its header) that turns a value into the
 * attribute's bytes and back. Encode and decode are symmetric so the same codecs serve the client
 * and the companion STUN server.
 */
import { StunError } from './errors.ts';
import type { StunMessage } from './message.ts';

export interface AttributeCodec<T> {
  readonly type: number;
  readonly name: string;
  /** Value bytes (without the 4-byte TLV header or padding). Throws StunError('bad-value'). */
  encode(value: T, msg: StunMessage): Uint8Array;
  /** Parses value bytes. Throws StunError('bad-attribute') on malformed input. */
  decode(value: Uint8Array, msg: StunMessage): T;
  /** One-line text for the transaction log. */
  format(value: T): string;
}

export function addAttribute<T>(msg: StunMessage, codec: AttributeCodec<T>, value: T): StunMessage {
  msg.attributes.push({ type: codec.type, value: codec.encode(value, msg) });
  return msg;
}

/** The first attribute of this type, decoded; undefined when absent. Malformed → StunError. */
export function getAttribute<T>(msg: StunMessage, codec: AttributeCodec<T>): T | undefined {
  const a = msg.attributes.find((x) => x.type === codec.type);
  if (!a) return undefined;
  try {
    return codec.decode(a.value, msg);
  } catch (err) {
    if (err instanceof StunError) throw new StunError('bad-attribute', `${codec.name}: ${err.message}`);
    throw new StunError('bad-attribute', `${codec.name}: ${String(err)}`);
  }
}

/** Like getAttribute but a malformed attribute reads as undefined (for lenient consumers). */
export function tryGetAttribute<T>(msg: StunMessage, codec: AttributeCodec<T>): T | undefined {
  try {
    return getAttribute(msg, codec);
  } catch {
    return undefined;
  }
}

export function hasAttribute(msg: StunMessage, type: number): boolean {
  return msg.attributes.some((a) => a.type === type);
}

export function badAttribute(message: string): StunError {
  return new StunError('bad-attribute', message);
}
