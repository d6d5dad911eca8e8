/**
 * ChannelData messages — RFC 8656 §12.4: a 4-byte header (16-bit channel number 0x4000–0x4FFF,
 * 16-bit length of the application data) then the data. Over UDP one datagram is one message and
 * padding is optional; over TCP/TLS every message is padded to a multiple of 4 bytes (§12.5) so the
 * stream stays aligned. RFC 7983 §7: a first byte of 64–79 marks ChannelData, 0–3 marks STUN.
 */
import { CHANNEL_MAX, CHANNEL_MIN } from '../stun/attr-channel-number.ts';

export const CHANNEL_DATA_HEADER = 4;

export class ChannelDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelDataError';
  }
}

export function isChannelNumber(n: number): boolean {
  return Number.isInteger(n) && n >= CHANNEL_MIN && n <= CHANNEL_MAX;
}

/** RFC 7983 §7 demultiplexing: ChannelData starts with 0b01 in the two top bits (bytes 64–79). */
export function looksLikeChannelData(b: Uint8Array): boolean {
  return b.length >= CHANNEL_DATA_HEADER && b[0]! >= 0x40 && b[0]! <= 0x4f;
}

export function encodeChannelData(channel: number, data: Uint8Array, pad: boolean): Uint8Array {
  if (!isChannelNumber(channel))
    throw new ChannelDataError(`channel 0x${channel.toString(16)} outside 0x4000–0x4FFF`);
  if (data.length > 0xffff)
    throw new ChannelDataError(`${data.length} bytes do not fit one ChannelData message`);
  const total = CHANNEL_DATA_HEADER + (pad ? (data.length + 3) & ~3 : data.length);
  const out = new Uint8Array(total);
  out[0] = channel >> 8;
  out[1] = channel & 0xff;
  out[2] = data.length >> 8;
  out[3] = data.length & 0xff;
  out.set(data, CHANNEL_DATA_HEADER);
  return out;
}

/** One ChannelData datagram (UDP). Trailing padding is allowed; anything shorter than promised is not. */
export function decodeChannelData(b: Uint8Array): { channel: number; data: Uint8Array } {
  if (b.length < CHANNEL_DATA_HEADER)
    throw new ChannelDataError(`${b.length} bytes is shorter than the header`);
  const channel = (b[0]! << 8) | b[1]!;
  if (!isChannelNumber(channel))
    throw new ChannelDataError(`channel 0x${channel.toString(16)} outside 0x4000–0x4FFF`);
  const len = (b[2]! << 8) | b[3]!;
  if (CHANNEL_DATA_HEADER + len > b.length)
    throw new ChannelDataError(`header promises ${len} bytes, ${b.length - CHANNEL_DATA_HEADER} present`);
  if (b.length - CHANNEL_DATA_HEADER - len > 3)
    throw new ChannelDataError(
      `${b.length - CHANNEL_DATA_HEADER - len} bytes after the data (padding is at most 3)`,
    );
  return { channel, data: b.slice(CHANNEL_DATA_HEADER, CHANNEL_DATA_HEADER + len) };
}
