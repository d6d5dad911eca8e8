/**
 * TURN TCP allocations — RFC 6062: with REQUESTED-TRANSPORT TCP (§5.1) the relayed address is a
 * TCP one. To reach a peer the client sends Connect with XOR-PEER-ADDRESS on its control connection
 * (§4.3) and gets a CONNECTION-ID; it then opens a new connection to the server (same transport) and
 * sends ConnectionBind with that CONNECTION-ID and its credentials (§4.4). After the success
 * response that connection carries the peer's bytes unframed, both ways.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { addAttribute, tryGetAttribute } from '../stun/attribute.ts';
import { ErrorCode } from '../stun/attr-error-code.ts';
import { ConnectionId } from '../stun/attr-uint32.ts';
import { XorPeerAddress } from '../stun/attr-xor-address.ts';
import { HEADER_LENGTH, METHOD } from '../stun/constants.ts';
import { createMessage, decodeMessage, encodeMessage, transactionKey } from '../stun/message.ts';
import type { BytePipe } from '../sip/stream-transport.ts';
import type { TurnClient } from './client.ts';
import { TurnError, turnErrorFromResponse } from './errors.ts';

/** A peer TCP connection through the relay: the bytes the peer sends and receives. */
export interface RelayedTcpConnection {
  readonly peer: Endpoint;
  readonly connectionId: number;
  write(data: Uint8Array): Promise<void>;
  onData(l: (data: Uint8Array) => void): void;
  onClose(l: () => void): void;
  close(): Promise<void>;
}

/**
 * Connects the TCP allocation of `client` to `peer`. `openData` opens the second connection to the
 * server (a fresh TCP or TLS pipe, not yet framed). Bounded by `timeoutMs` for the bind answer.
 */
export async function connectPeer(
  client: TurnClient,
  peer: Endpoint,
  openData: () => Promise<BytePipe>,
  timeoutMs = 5000,
): Promise<RelayedTcpConnection> {
  const res = await client.authenticated(METHOD.CONNECT, (m) => addAttribute(m, XorPeerAddress, peer));
  const connectionId = tryGetAttribute(res, ConnectionId);
  if (connectionId === undefined) throw new TurnError('protocol', 'the Connect answer has no CONNECTION-ID');
  const pipe = await openData();
  const bind = createMessage({ cls: 'request', method: METHOD.CONNECTION_BIND });
  addAttribute(bind, ConnectionId, connectionId);
  const bytes = encodeMessage(bind, client.addCredentials(bind));
  const tid = transactionKey(bind.transactionId);
  const dataListeners: ((d: Uint8Array) => void)[] = [];
  const early: Uint8Array[] = [];
  const closeListeners: (() => void)[] = [];
  let bound = false;
  let buf = new Uint8Array(0);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void pipe.close();
      reject(new TurnError('timeout', `no answer to ConnectionBind for ${formatEndpoint(peer)}`));
    }, timeoutMs);
    const fail = (e: TurnError) => {
      clearTimeout(timer);
      void pipe.close();
      reject(e);
    };
    pipe.onClose(() => {
      if (!bound)
        fail(new TurnError('connection', 'the server closed the data connection before ConnectionBind'));
      else for (const l of closeListeners) l();
    });
    pipe.onData((chunk) => {
      if (bound) {
        if (dataListeners.length) for (const l of dataListeners) l(chunk);
        else early.push(chunk);
        return;
      }
      // Until the answer, the stream holds exactly one STUN message (§4.4); anything after it is peer data.
      const b = new Uint8Array(buf.length + chunk.length);
      b.set(buf);
      b.set(chunk, buf.length);
      buf = b;
      if (buf.length < HEADER_LENGTH) return;
      const total = HEADER_LENGTH + ((buf[2]! << 8) | buf[3]!);
      if (buf.length < total) return;
      let answer;
      try {
        answer = decodeMessage(buf.slice(0, total));
      } catch (err) {
        return fail(new TurnError('protocol', `bad ConnectionBind answer: ${(err as Error).message}`));
      }
      if (transactionKey(answer.transactionId) !== tid)
        return fail(new TurnError('protocol', 'ConnectionBind answer for another transaction'));
      if (answer.cls !== 'success') {
        const e = tryGetAttribute(answer, ErrorCode);
        return fail(turnErrorFromResponse('ConnectionBind', e?.code ?? 0, e?.reason ?? 'without ERROR-CODE'));
      }
      if (!client.verify(answer))
        return fail(new TurnError('protocol', 'the ConnectionBind answer does not verify'));
      bound = true;
      clearTimeout(timer);
      if (buf.length > total) early.push(buf.slice(total));
      resolve();
    });
    pipe.write(bytes).catch((err: unknown) => fail(new TurnError('connection', String(err))));
  });
  return {
    peer,
    connectionId,
    write: (d) => pipe.write(d),
    onData(l) {
      dataListeners.push(l);
      for (const c of early.splice(0)) l(c);
    },
    onClose: (l) => void closeListeners.push(l),
    close: () => pipe.close(),
  };
}
