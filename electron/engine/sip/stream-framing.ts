/**
 * Message framing on a byte stream — RFC 3261 §18.3: a message ends after its headers' blank
 * line plus Content-Length bytes of body; Content-Length is mandatory on streams. CRLF keep-alives
 * (RFC 5626 §3.5.1: "ping" = CRLFCRLF, "pong" = CRLF) between messages are reported separately.
 */
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;

export class StreamFramer {
  private buf = new Uint8Array(0);

  /**
   * Appends bytes; returns complete messages and how many keep-alive pings and pongs were seen.
   * `pongExpected` (we have a ping outstanding): a lone CRLF at the end is the pong, not the first
   * half of a ping still arriving.
   */
  push(chunk: Uint8Array, pongExpected = false): { messages: string[]; pings: number; pongs: number } {
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf);
    merged.set(chunk, this.buf.length);
    this.buf = merged;
    const messages: string[] = [];
    let pings = 0;
    let pongs = 0;
    for (;;) {
      // Leading CRLFs: CRLFCRLF is a ping, a lone CRLF a pong (or noise, RFC 3261 §7.5).
      let i = 0;
      while (i + 1 < this.buf.length && this.buf[i] === 13 && this.buf[i + 1] === 10) i += 2;
      const atEnd = i >= this.buf.length - (this.buf[i] === 13 ? 1 : 0);
      // A lone CRLF at the end may be the first half of a ping: wait for more bytes.
      const pairs = atEnd && !pongExpected ? i / 2 - ((i / 2) % 2) : i / 2;
      if (pairs > 0) {
        pings += Math.floor(pairs / 2);
        pongs += pairs % 2;
        this.buf = this.buf.subarray(pairs * 2);
      }
      if (atEnd) break;
      const end = indexOfBlankLine(this.buf);
      if (end < 0) {
        if (this.buf.length > MAX_HEADER_BYTES) throw new Error('SIP header section exceeds 64 KiB');
        break;
      }
      const head = new TextDecoder().decode(this.buf.subarray(0, end));
      const m = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im.exec(head);
      if (!m) throw new Error('SIP message on a stream transport has no Content-Length (RFC 3261 §18.3)');
      const bodyLen = Number(m[1]);
      if (bodyLen > MAX_BODY_BYTES) throw new Error(`Content-Length ${bodyLen} is too large`);
      const total = end + 4 + bodyLen;
      if (this.buf.length < total) break;
      messages.push(new TextDecoder().decode(this.buf.subarray(0, total)));
      this.buf = this.buf.subarray(total);
    }
    return { messages, pings, pongs };
  }
}

function indexOfBlankLine(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}
