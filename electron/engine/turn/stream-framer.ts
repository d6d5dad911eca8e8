/**
 * Splitting a TURN-over-TCP/TLS byte stream into messages — RFC 8656 §12.5 and RFC 6062 §4: STUN
 * messages (length from the header, RFC 8489 §6.2.2) and ChannelData messages (length from their
 * header, padded to a multiple of 4) follow each other on one stream and are told apart by the
 * first byte (RFC 7983 §7). Reads may split a message anywhere or coalesce several; the framer
 * keeps the remainder. Anything else means the stream is out of step and must be dropped.
 */
import { HEADER_LENGTH } from '../stun/constants.ts';
import { CHANNEL_DATA_HEADER, ChannelDataError, isChannelNumber } from './channel-data.ts';

export type StreamFrame =
  { kind: 'stun'; bytes: Uint8Array } | { kind: 'channel'; channel: number; data: Uint8Array };

/** Bytes held while waiting for the rest of a message: one maximal STUN or ChannelData message. */
const MAX_PENDING = HEADER_LENGTH + 0xffff + 4;

export class TurnStreamFramer {
  private buf = new Uint8Array(0);

  /** Adds a chunk and returns every complete message in order. Throws ChannelDataError when out of step. */
  push(chunk: Uint8Array): StreamFrame[] {
    if (this.buf.length === 0) this.buf = chunk.slice();
    else {
      const b = new Uint8Array(this.buf.length + chunk.length);
      b.set(this.buf);
      b.set(chunk, this.buf.length);
      this.buf = b;
    }
    const out: StreamFrame[] = [];
    let off = 0;
    for (;;) {
      const rest = this.buf.length - off;
      if (rest < 4) break;
      const first = this.buf[off]!;
      const len = (this.buf[off + 2]! << 8) | this.buf[off + 3]!;
      if (first < 0x40) {
        if ((first & 0xc0) !== 0 || len % 4 !== 0)
          throw new ChannelDataError(`not a STUN message at stream byte ${off} (length ${len})`);
        const total = HEADER_LENGTH + len;
        if (rest < total) break;
        out.push({ kind: 'stun', bytes: this.buf.slice(off, off + total) });
        off += total;
      } else {
        const channel = (first << 8) | this.buf[off + 1]!;
        if (!isChannelNumber(channel))
          throw new ChannelDataError(`first byte 0x${first.toString(16)} is neither STUN nor ChannelData`);
        const total = CHANNEL_DATA_HEADER + ((len + 3) & ~3);
        if (rest < total) break;
        out.push({
          kind: 'channel',
          channel,
          data: this.buf.slice(off + CHANNEL_DATA_HEADER, off + CHANNEL_DATA_HEADER + len),
        });
        off += total;
      }
    }
    this.buf = off === 0 ? this.buf : this.buf.slice(off);
    if (this.buf.length > MAX_PENDING)
      throw new ChannelDataError('stream holds more than one maximal message');
    return out;
  }

  get pending(): number {
    return this.buf.length;
  }
}
