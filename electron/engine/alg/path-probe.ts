/**
 * Runs the probe messages over one path — transport × destination port × source port — against
 * the reflector and collects the raw exchanges. UDP: retransmit at 500 ms then 1 s (RFC 3261
 * §17.1.1.2 Timer A) within the per-message wait; TCP: one connection, messages in turn,
 * RFC 3261 §18.3 framing. Every wait is bounded; every socket is closed.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { AlgMessageResult, AlgMethod, AlgPath, AlgTransport } from '../../../shared/contracts/alg.ts';
import { fromLatin1, latin1 } from '../../../shared/model/alg-reflect.ts';
import { firstHeader, parseSipText } from '../../../shared/model/alg-sip.ts';
import { messageResult } from '../../../shared/model/alg-analyze.ts';
import { summarizePath } from '../../../shared/model/alg-advice.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network, TcpConnection, UdpSocket } from '../net/network.ts';
import { SipStreamFramer } from '../companion/sip-framer.ts';
import { craftProbe, randomHex } from './crafted-messages.ts';

export const SIP_PORT = 5060;

export interface PathSpec {
  transport: AlgTransport;
  destinationPort: number;
  sourcePortKind: 'sip' | 'random';
}

export interface PathProbeOptions {
  network: Network;
  clock: Clock;
  target: string;
  /** The local address to bind and to write into the messages. */
  localAddress: string;
  methods: AlgMethod[];
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function probePath(spec: PathSpec, o: PathProbeOptions): Promise<AlgPath> {
  const empty: AlgPath = {
    transport: spec.transport,
    destinationPort: spec.destinationPort,
    sourcePort: null,
    sourcePortKind: spec.sourcePortKind,
    status: 'skipped',
    rewrittenFields: [],
    inboundRewrittenFields: [],
    writtenAddresses: [],
    messages: [],
    note: null,
  };
  const target: Endpoint = { address: o.target, port: spec.destinationPort };
  const localPort = spec.sourcePortKind === 'sip' ? SIP_PORT : 0;
  try {
    const r =
      spec.transport === 'UDP'
        ? await udpPath(spec, o, target, localPort)
        : await tcpPath(spec, o, target, localPort);
    return summarizePath({ ...empty, sourcePort: r.sourcePort, messages: r.messages, note: r.note });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/EADDRINUSE|address already in use/i.test(msg)) {
      return {
        ...empty,
        note: `local port ${localPort} is in use on this machine (a softphone?): this path was not tested`,
      };
    }
    if (/EACCES|permission/i.test(msg))
      return { ...empty, note: `not allowed to use local port ${localPort}: ${msg}` };
    if (o.signal?.aborted) throw err;
    return { ...empty, status: 'error', note: msg };
  }
}

interface PathRun {
  sourcePort: number;
  messages: AlgMessageResult[];
  note: string | null;
}

async function udpPath(
  spec: PathSpec,
  o: PathProbeOptions,
  target: Endpoint,
  localPort: number,
): Promise<PathRun> {
  const sock: UdpSocket = await o.network.bindUdp({ address: o.localAddress, port: localPort });
  const messages: AlgMessageResult[] = [];
  try {
    for (const method of o.methods) {
      o.signal?.throwIfAborted();
      const text = craft(method, spec, sock.local, target, false);
      messages.push(await udpExchange(sock, target, method, text, o));
    }
  } finally {
    await sock.close();
  }
  return { sourcePort: sock.local.port, messages, note: null };
}

function udpExchange(
  sock: UdpSocket,
  target: Endpoint,
  method: AlgMethod,
  text: string,
  o: PathProbeOptions,
): Promise<AlgMessageResult> {
  const start = o.clock.now();
  const bytes = fromLatin1(text);
  return new Promise((resolve) => {
    const timers: { cancel(): void }[] = [];
    const finish = (responseText: string | null, error: string | null = null) => {
      off();
      for (const t of timers) t.cancel();
      o.signal?.removeEventListener('abort', onAbort);
      resolve(
        messageResult({
          method,
          sentText: text,
          responseText,
          rttMs: responseText === null ? null : Math.round(o.clock.now() - start),
          error,
        }),
      );
    };
    const onAbort = () => finish(null, 'cancelled');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const off = sock.onMessage((data, from) => {
      if (from.address !== target.address) return;
      const t = latin1(data);
      if (isFinalFor(t, method)) finish(t);
    });
    const send = () => void sock.send(bytes, target).catch(() => {});
    send();
    for (const at of [500, 1500]) if (at < o.timeoutMs) timers.push(o.clock.setTimeout(send, at));
    timers.push(o.clock.setTimeout(() => finish(null), o.timeoutMs));
  });
}

async function tcpPath(
  spec: PathSpec,
  o: PathProbeOptions,
  target: Endpoint,
  localPort: number,
): Promise<PathRun> {
  let conn: TcpConnection;
  try {
    conn = await o.network.connectTcp({
      remote: target,
      localAddress: o.localAddress,
      localPort: localPort || undefined,
      timeoutMs: o.timeoutMs,
      signal: o.signal,
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (/EADDRINUSE|EACCES/i.test(msg)) throw err;
    // The connection itself failed: every message on this path counts as dropped.
    return {
      sourcePort: localPort,
      messages: o.methods.map((m) =>
        messageResult({
          method: m,
          sentText: craft(m, spec, { address: o.localAddress, port: localPort }, target, false),
          responseText: null,
          rttMs: null,
        }),
      ),
      note: `TCP connection to port ${target.port} failed: ${msg}`,
    };
  }
  const framer = new SipStreamFramer();
  const queue: string[] = [];
  let waiter: (() => void) | null = null;
  let closed = false;
  conn.onData((d) => {
    for (const ev of framer.push(d)) if (ev.kind === 'message') queue.push(latin1(ev.bytes));
    waiter?.();
  });
  conn.onClose(() => {
    closed = true;
    waiter?.();
  });
  const messages: AlgMessageResult[] = [];
  let note: string | null = null;
  try {
    for (let i = 0; i < o.methods.length; i++) {
      o.signal?.throwIfAborted();
      const method = o.methods[i]!;
      const text = craft(method, spec, conn.local, target, i === o.methods.length - 1);
      const start = o.clock.now();
      if (closed) {
        messages.push(messageResult({ method, sentText: text, responseText: null, rttMs: null }));
        note = 'the connection was closed before every message was answered';
        continue;
      }
      await conn.write(fromLatin1(text)).catch(() => {});
      const deadline = start + o.timeoutMs;
      let response: string | null = null;
      while (response === null && !closed && o.clock.now() < deadline) {
        const idx = queue.findIndex((t) => isFinalFor(t, method));
        if (idx >= 0) {
          response = queue.splice(idx, 1)[0]!;
          break;
        }
        await new Promise<void>((resolve) => {
          const t = o.clock.setTimeout(resolve, Math.max(1, deadline - o.clock.now()));
          waiter = () => {
            t.cancel();
            resolve();
          };
        });
        waiter = null;
      }
      if (response === null) {
        const idx = queue.findIndex((t) => isFinalFor(t, method));
        if (idx >= 0) response = queue.splice(idx, 1)[0]!;
      }
      messages.push(
        messageResult({
          method,
          sentText: text,
          responseText: response,
          rttMs: response ? Math.round(o.clock.now() - start) : null,
        }),
      );
    }
    // Give the server a moment to take the active close (see craftProbe `last`).
    if (!closed) {
      await new Promise<void>((resolve) => {
        const t = o.clock.setTimeout(resolve, 500);
        waiter = () => {
          if (closed) {
            t.cancel();
            resolve();
          }
        };
      });
    }
  } finally {
    await conn.close();
  }
  return { sourcePort: conn.local.port, messages, note };
}

function craft(method: AlgMethod, spec: PathSpec, local: Endpoint, target: Endpoint, last: boolean): string {
  return craftProbe({
    method,
    transport: spec.transport,
    local,
    target,
    probeId: `${spec.transport}-${spec.destinationPort}-${spec.sourcePortKind}-${method}`,
    last,
    rtpPort: 40000 + 2 * Math.floor(Math.random() * 5000),
    random: () => randomHex(4),
  });
}

/** A final (≥ 200) response whose CSeq method is ours. Call-ID is not used: an ALG may rewrite it. */
function isFinalFor(text: string, method: AlgMethod): boolean {
  const m = parseSipText(text);
  if (!m || m.kind !== 'response' || m.status === null || m.status < 200) return false;
  const cseq = firstHeader(m, 'CSeq') ?? '';
  return cseq.trim().toUpperCase().endsWith(` ${method}`);
}
