/**
 * How a UA in an inbound-call test answers a call that reaches it (UAS core, RFC 3261 §8.2): it
 * records the arrival (when, from which address, on which local socket), rings (180, §21.1.2) so a
 * person calling in hears that it arrived, then declines with 486 Busy Here (§21.4.24).
 *
 * Why not 200 + BYE: the test only has to prove that the INVITE arrived. Answering would set up a
 * session without media — a connected, possibly billed call of silence for someone dialling in
 * from a mobile — and would add the ACK and a BYE transaction, more inbound packets through a NAT
 * binding that may be closing, none of which the test needs. Why 486 and not 603 Decline: 486 is
 * about this device only ("Here"), so a forking PBX keeps ringing the user's other phones and may
 * offer its busy voicemail; 603 would end every branch (§16.7, 6xx is global).
 *
 * A CANCEL during the ring gets 200 and ends the INVITE with 487 (§9.2).
 */
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { IncomingRequestHandler } from './incoming-requests.ts';
import { buildResponse } from './request-builder.ts';
import { randomToken } from './sip-message.ts';
import type { ServerTransaction } from './transactions.ts';
import type { SipTransportProtocol } from './transport.ts';

export interface InviteArrival {
  /** Clock time it arrived. */
  at: number;
  /** The transport source: the address the call came from. */
  from: Endpoint;
  /** Our socket (UDP) or our end of the connection it arrived on. */
  local: Endpoint;
  transport: SipTransportProtocol;
  requestUri: string;
  fromHeader: string;
  callId: string;
}

export interface InboundCallOptions {
  clock: Clock;
  /** How long to ring before declining (a person calling in hears ringback meanwhile). */
  ringMs: number;
  onArrival(arrival: InviteArrival): void;
}

export interface InboundCallHandlers {
  INVITE: IncomingRequestHandler;
  CANCEL: IncomingRequestHandler;
  /** Stops pending rings (their INVITEs are declined at once). */
  close(): void;
  /** An INVITE we answered is still waiting for its ACK (close the flow only when this is false). */
  awaitingAck(): boolean;
}

export function inboundCallHandlers(o: InboundCallOptions): InboundCallHandlers {
  const answered: ServerTransaction[] = [];
  const ringing = new Map<
    string,
    { tx: ServerTransaction; toTag: string; timer: TimerHandle; decline: () => void }
  >();
  const reply = (
    tx: ServerTransaction,
    req: IncomingRequestMessage,
    status: number,
    reason: string,
    userAgent: string,
    toTag?: string,
  ) => tx.respond(buildResponse(req, status, reason, { toTag, userAgent }), status);

  return {
    INVITE(req, tx, core) {
      const transport = core.layer.transport;
      o.onArrival({
        at: o.clock.now(),
        from: tx.from,
        local: transport.local,
        transport: transport.protocol,
        requestUri: req.ruri?.toString() ?? '',
        fromHeader: req.getHeader('from') ?? '',
        callId: req.callId,
      });
      answered.push(tx);
      const toTag = randomToken(6);
      const ua = core.userAgent;
      reply(tx, req, 180, 'Ringing', ua, toTag);
      const decline = () => {
        ringing.delete(req.callId);
        reply(tx, req, 486, 'Busy Here', ua, toTag);
      };
      const timer = o.clock.setTimeout(decline, o.ringMs);
      ringing.set(req.callId, { tx, toTag, timer, decline });
    },
    CANCEL(req, tx, core) {
      const r = ringing.get(req.callId);
      reply(tx, req, r ? 200 : 481, r ? 'OK' : 'Call/Transaction Does Not Exist', core.userAgent);
      if (!r) return;
      r.timer.cancel();
      ringing.delete(req.callId);
      reply(r.tx, r.tx.request, 487, 'Request Terminated', core.userAgent, r.toTag);
    },
    close() {
      for (const r of [...ringing.values()]) {
        r.timer.cancel();
        r.decline();
      }
    },
    awaitingAck: () => answered.some((tx) => tx.state !== 'confirmed' && tx.state !== 'terminated'),
  };
}
