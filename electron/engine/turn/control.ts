/**
 * The client's connection to the TURN server — RFC 8656 §3.1: UDP, TCP or TLS-over-TCP between
 * client and server. Carries STUN transactions (UDP: RFC 8489 §6.2.1 retransmissions; TCP/TLS:
 * §6.2.2 one send, one wait), indications and ChannelData, demultiplexed by first byte (RFC 7983).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { UdpSocket } from '../net/network.ts';
import type { BytePipe } from '../sip/stream-transport.ts';
import {
  decodeMessage,
  encodeMessage,
  transactionKey,
  type DecodedStunMessage,
  type EncodeOptions,
  type StunMessage,
} from '../stun/message.ts';
import { StunUdpPort, udpTransaction, type TransactionOutcome } from '../stun/transaction.ts';
import { decodeChannelData, encodeChannelData, looksLikeChannelData } from './channel-data.ts';
import { TurnStreamFramer } from './stream-framer.ts';

export type TurnTransport = 'udp' | 'tcp' | 'tls';

export interface TurnControl {
  readonly transport: TurnTransport;
  readonly local: Endpoint;
  readonly server: Endpoint;
  /** One client transaction; never rejects (failures are outcomes). */
  request(msg: StunMessage, enc: EncodeOptions, signal?: AbortSignal): Promise<TransactionOutcome>;
  /** A Send indication or other message without an answer. */
  sendMessage(msg: StunMessage, enc?: EncodeOptions): Promise<void>;
  sendChannelData(channel: number, data: Uint8Array): Promise<void>;
  /** Indications from the server (Data, ConnectionAttempt). */
  onIndication(l: (msg: DecodedStunMessage) => void): () => void;
  onChannelData(l: (channel: number, data: Uint8Array) => void): () => void;
  /** The stream closed or broke (never fires for UDP). */
  onClose(l: (error: string) => void): () => void;
  close(): Promise<void>;
}

export interface ControlTiming {
  /** UDP initial RTO (RFC 8489: 500 ms; default here 250 ms, as STUN clients on known paths use). */
  rtoMs: number;
  /** Give up a transaction after this long. */
  timeoutMs: number;
}

export function udpControl(
  socket: UdpSocket,
  server: Endpoint,
  clock: Clock,
  timing: ControlTiming,
): TurnControl {
  const port = new StunUdpPort(socket);
  const indications = new Set<(m: DecodedStunMessage) => void>();
  const channels = new Set<(c: number, d: Uint8Array) => void>();
  port.onAny((m, from) => {
    if (m.cls === 'indication' && from.port === server.port) for (const l of indications) l(m);
  });
  const unsubscribe = socket.onMessage((data, from) => {
    if (from.port !== server.port || !looksLikeChannelData(data)) return;
    let cd;
    try {
      cd = decodeChannelData(data);
    } catch {
      return; // a malformed datagram is dropped (RFC 8656 §12.6)
    }
    for (const l of channels) l(cd.channel, cd.data);
  });
  return {
    transport: 'udp',
    local: socket.local,
    server,
    request: (message, encode, signal) =>
      udpTransaction({
        port,
        to: server,
        message,
        encode,
        clock,
        signal,
        policy: {
          rtoMs: timing.rtoMs,
          maxTransmissions: 7,
          lastWaitFactor: 16,
          deadlineMs: timing.timeoutMs,
        },
      }),
    sendMessage: (m, enc) => socket.send(encodeMessage(m, enc), server),
    sendChannelData: (c, d) => socket.send(encodeChannelData(c, d, false), server),
    onIndication: (l) => (indications.add(l), () => void indications.delete(l)),
    onChannelData: (l) => (channels.add(l), () => void channels.delete(l)),
    onClose: () => () => {},
    async close() {
      unsubscribe();
      await port.close();
    },
  };
}

type Waiter = (m: DecodedStunMessage) => void;

export function streamControl(
  pipe: BytePipe,
  transport: 'tcp' | 'tls',
  clock: Clock,
  timing: ControlTiming,
): TurnControl {
  const framer = new TurnStreamFramer();
  const waiters = new Map<string, Waiter>();
  const indications = new Set<(m: DecodedStunMessage) => void>();
  const channels = new Set<(c: number, d: Uint8Array) => void>();
  const closers = new Set<(e: string) => void>();
  let closedWith: string | null = null;
  const fail = (why: string) => {
    if (closedWith !== null) return;
    closedWith = why;
    for (const l of closers) l(why);
  };
  pipe.onData((chunk) => {
    let frames;
    try {
      frames = framer.push(chunk);
    } catch (err) {
      fail(`stream out of step: ${(err as Error).message}`);
      void pipe.close();
      return;
    }
    for (const f of frames) {
      if (f.kind === 'channel') {
        for (const l of channels) l(f.channel, f.data);
        continue;
      }
      let m: DecodedStunMessage;
      try {
        m = decodeMessage(f.bytes);
      } catch {
        continue; // a malformed but well-framed message is dropped
      }
      if (m.cls === 'indication') for (const l of indications) l(m);
      else waiters.get(transactionKey(m.transactionId))?.(m);
    }
  });
  pipe.onClose((e) => fail(e?.message ?? 'connection closed by the server'));
  return {
    transport,
    local: pipe.local,
    server: pipe.remote,
    request(message, encode, signal) {
      const bytes = encodeMessage(message, encode);
      const request = decodeMessage(bytes);
      const key = transactionKey(request.transactionId);
      const startedAt = clock.now();
      return new Promise<TransactionOutcome>((resolve) => {
        let done = false;
        const base = { request, transmissions: 1, startedAt, strays: [], receivedOn: null };
        const finish = (o: Pick<TransactionOutcome, 'outcome' | 'response' | 'from' | 'rttMs' | 'error'>) => {
          if (done) return;
          done = true;
          timer.cancel();
          waiters.delete(key);
          closers.delete(onClose);
          signal?.removeEventListener('abort', onAbort);
          resolve({ ...base, ...o, receivedOn: o.response ? pipe.local : null });
        };
        const none = { response: null, from: null, rttMs: null };
        const timer = clock.setTimeout(
          () => finish({ outcome: 'timeout', ...none, error: null }),
          timing.timeoutMs,
        );
        const onAbort = () => finish({ outcome: 'cancelled', ...none, error: null });
        const onClose = (why: string) => finish({ outcome: 'error', ...none, error: why });
        closers.add(onClose);
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.set(key, (m) => {
          if (m.cls === 'success' || m.cls === 'error')
            finish({
              outcome: 'response',
              response: m,
              from: pipe.remote,
              rttMs: clock.now() - startedAt,
              error: null,
            });
        });
        if (signal?.aborted) return onAbort();
        if (closedWith !== null) return onClose(closedWith);
        pipe.write(bytes).catch((err: unknown) => onClose(String(err)));
      });
    },
    sendMessage: (m, enc) => pipe.write(encodeMessage(m, enc)),
    sendChannelData: (c, d) => pipe.write(encodeChannelData(c, d, true)),
    onIndication: (l) => (indications.add(l), () => void indications.delete(l)),
    onChannelData: (l) => (channels.add(l), () => void channels.delete(l)),
    onClose: (l) => (closers.add(l), () => void closers.delete(l)),
    async close() {
      fail('closed');
      await pipe.close();
    },
  };
}
