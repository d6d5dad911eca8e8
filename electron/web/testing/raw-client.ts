/**
 * Raw TCP access to a web host for tests: arbitrary bytes as a request, and a WebSocket handshake
 * done by hand so malformed frames can follow it (a WebSocket library would refuse to send them).
 */
import net from 'node:net';
import { createHash } from 'node:crypto';

export interface RawExchange {
  /** Everything the server sent before it closed (or before the wait ended). */
  received: Buffer;
  /** True when the server closed the connection within the wait. */
  closed: boolean;
}

/** Sends `data`, then collects what comes back until the server closes or `waitMs` passes. */
export function rawExchange(port: number, data: Buffer | string, waitMs = 1000): Promise<RawExchange> {
  return exchange(port, data, waitMs);
}

/** rawExchange, with `react` seeing everything received so far (and the socket) after each chunk. */
function exchange(
  port: number,
  data: Buffer | string,
  waitMs: number,
  react?: (received: Buffer, s: net.Socket) => void,
): Promise<RawExchange> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const s = net.connect({ host: '127.0.0.1', port });
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ received, closed });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    s.on('data', (d) => {
      received = Buffer.concat([received, d]);
      react?.(received, s);
    });
    s.on('error', () => finish(true));
    s.on('close', () => finish(true));
    s.on('connect', () => s.write(data));
  });
}

/** The HTTP status code at the start of a response, or null. */
export function statusOf(b: Buffer): number | null {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(b.subarray(0, 20).toString('latin1'));
  return m ? Number(m[1]) : null;
}

const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export function upgradeRequest(port: number, target: string, extra: string[] = []): string {
  return [
    `GET ${target} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Origin: http://127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${WS_KEY}`,
    'Sec-WebSocket-Version: 13',
    ...extra,
    '',
    '',
  ].join('\r\n');
}

/** A client frame (RFC 6455 §5.2), masked unless told otherwise; lengths may lie on purpose. */
export function wsFrame(o: {
  opcode: number;
  payload?: Buffer;
  fin?: boolean;
  rsv?: number;
  masked?: boolean;
  /** Length to announce instead of the real one. */
  announce?: number;
}): Buffer {
  const payload = o.payload ?? Buffer.alloc(0);
  const len = o.announce ?? payload.length;
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | (o.opcode & 0x0f)];
  const maskBit = (o.masked ?? true) ? 0x80 : 0;
  if (len < 126) head.push(maskBit | len);
  else if (len < 65_536) head.push(maskBit | 126, len >> 8, len & 0xff);
  else {
    head.push(maskBit | 127);
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(len));
    head.push(...b);
  }
  if (!(o.masked ?? true)) return Buffer.concat([Buffer.from(head), payload]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload.map((x, i) => x ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from(head), mask, body]);
}

/**
 * Opens a WebSocket by hand, sends `frames`, and collects the server's bytes after the 101 until it
 * closes or `waitMs` passes. `accepted` is false when the handshake was refused.
 */
export async function wsExchange(
  port: number,
  token: string,
  frames: Buffer,
  waitMs = 1000,
): Promise<{ accepted: boolean; afterHandshake: Buffer; closed: boolean }> {
  let bodyAt = -1;
  const accept = createHash('sha1').update(`${WS_KEY}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  const r = await exchange(port, upgradeRequest(port, `/rpc?token=${token}`), waitMs, (all, s) => {
    if (bodyAt >= 0) return;
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = all.subarray(0, end).toString('latin1');
    if (!head.startsWith('HTTP/1.1 101') || !head.includes(accept)) return void s.destroy();
    bodyAt = end + 4;
    s.write(frames);
  });
  const accepted = bodyAt >= 0;
  return {
    accepted,
    afterHandshake: accepted ? r.received.subarray(bodyAt) : Buffer.alloc(0),
    closed: r.closed,
  };
}

/** The close code in a server's close frame (unmasked), or null when there is none. */
export function closeCodeOf(b: Buffer): number | null {
  let i = 0;
  while (i + 2 <= b.length) {
    const opcode = b[i]! & 0x0f;
    let len = b[i + 1]! & 0x7f;
    let off = i + 2;
    if (len === 126) {
      len = b.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      len = Number(b.readBigUInt64BE(off));
      off += 8;
    }
    if (opcode === 0x8) return len >= 2 ? b.readUInt16BE(off) : 1005;
    i = off + len;
  }
  return null;
}
