/**
 * SIP over a byte stream — RFC 3261 §18.3: a message ends after the empty line plus
 * Content-Length bytes (mandatory on stream transports). Bounded: the header block and the body
 * have hard caps so a peer cannot make us buffer without limit. RFC 5626 §3.5.1 CRLF keep-alives
 * between messages are reported separately (the server answers a double CRLF with a single one).
 */
export interface SipFramerLimits {
  maxHeaderBytes: number;
  maxBodyBytes: number;
}

export const DEFAULT_FRAMER_LIMITS: SipFramerLimits = { maxHeaderBytes: 16 * 1024, maxBodyBytes: 64 * 1024 };

export type FrameEvent =
  { kind: 'message'; bytes: Uint8Array } | { kind: 'keepalive' } | { kind: 'error'; reason: string };

export class SipStreamFramer {
  private buf = new Uint8Array(0);
  private failed = false;
  private readonly limits: SipFramerLimits;

  constructor(limits: SipFramerLimits = DEFAULT_FRAMER_LIMITS) {
    this.limits = limits;
  }

  /** Feeds bytes; returns complete messages (and at most one error, after which it stops). */
  push(data: Uint8Array): FrameEvent[] {
    if (this.failed) return [];
    const merged = new Uint8Array(this.buf.length + data.length);
    merged.set(this.buf);
    merged.set(data, this.buf.length);
    this.buf = merged;
    const out: FrameEvent[] = [];
    for (;;) {
      // leading CRLFs: keep-alive ping (CRLFCRLF) or stray line ends
      let skip = 0;
      while (skip < this.buf.length && (this.buf[skip] === 13 || this.buf[skip] === 10)) skip++;
      if (skip > 0) {
        if (skip >= 4) out.push({ kind: 'keepalive' });
        this.buf = this.buf.subarray(skip);
      }
      if (this.buf.length === 0) break;
      const end = indexOfCrlfCrlf(this.buf, this.limits.maxHeaderBytes + 4);
      if (end < 0) {
        if (this.buf.length > this.limits.maxHeaderBytes)
          return this.fail(out, `header block over ${this.limits.maxHeaderBytes} bytes`);
        break;
      }
      const head = ascii(this.buf.subarray(0, end));
      const m = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im.exec(head);
      if (!m) return this.fail(out, 'no Content-Length on a stream transport (RFC 3261 §18.3)');
      const len = Number(m[1]);
      if (len > this.limits.maxBodyBytes)
        return this.fail(out, `Content-Length ${len} over ${this.limits.maxBodyBytes}`);
      const total = end + 4 + len;
      if (this.buf.length < total) break;
      out.push({ kind: 'message', bytes: this.buf.slice(0, total) });
      this.buf = this.buf.subarray(total);
    }
    return out;
  }

  get buffered(): number {
    return this.buf.length;
  }

  private fail(out: FrameEvent[], reason: string): FrameEvent[] {
    this.failed = true;
    this.buf = new Uint8Array(0);
    out.push({ kind: 'error', reason });
    return out;
  }
}

function indexOfCrlfCrlf(b: Uint8Array, limit: number): number {
  const n = Math.min(b.length, limit);
  for (let i = 0; i + 3 < n; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

function ascii(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}
