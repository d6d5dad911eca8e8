/**
 * An INVITE dialog from the UAC side — RFC 3261 §12: created by a 2xx to our INVITE (§12.1.2: route
 * set = Record-Route reversed, remote target = Contact, remote tag = To tag), our ACK for the 2xx
 * (§13.2.2.4, sent outside the transaction and re-sent for every 2xx repeat), BYE (§15.1.1).
 * Requests the far end sends inside the dialog are answered by dialog-requests.ts; what they mean
 * for media goes to the `media` handler (RFC 3264), which the call's media unit provides.
 *
 * States and transitions (early dialogs from 1xx with a To tag are not kept):
 *
 * | state      | event                                | next       | action                                   |
 * | ---------- | ------------------------------------ | ---------- | ---------------------------------------- |
 * | confirmed  | ack()                                | confirmed  | send the ACK for the 2xx (§13.2.2.4)     |
 * | confirmed  | 2xx repeat with our remote tag       | confirmed  | re-send that ACK, count it (lost ACK)    |
 * | confirmed  | BYE received (dialog-requests.ts)    | terminated | 200 OK (§15.1.2), onRemoteBye            |
 * | confirmed  | re-INVITE/UPDATE offer (dialog-req.) | confirmed  | media.answerOffer → 200 with the answer  |
 * | confirmed  | re-INVITE without SDP                | confirmed  | media.offer → 200; answer due in the ACK |
 * | confirmed  | ACK with SDP (offer was ours)        | confirmed  | media.takeAnswer (RFC 3264 §5)           |
 * | confirmed  | bye()                                | terminated | BYE in a new transaction (§15.1.1)       |
 * | terminated | bye()                                | terminated | nothing to end (null)                    |
 * | any        | dispose() (UA closing)               | terminated | nothing sent                             |
 */
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { sleep } from '../clock/clock.ts';
import { buildRequest, newBranch } from './request-builder.ts';
import { sendRequest } from './request-sender.ts';
import { splitHeaderList, uriOfNameAddr, type SipResponse } from './sip-message.ts';
import type { UaCore } from './ua-core.ts';

/** What the media layer gives a dialog (the role of SIP.js's SessionDescriptionHandler). */
export interface DialogMedia {
  /**
   * An offer arrived in a re-INVITE or UPDATE (RFC 3264 §8, RFC 3311 §5.2): return our answer.
   * Throws (SdpError) when it cannot be answered: the request then gets 488 with the reason.
   */
  answerOffer(offer: string, method: 'INVITE' | 'UPDATE'): string;
  /** A re-INVITE without SDP asks for our offer (RFC 3261 §14.2); its answer comes in the ACK. */
  offer(): string;
  /** The answer to the offer in our 200, carried by the ACK. */
  takeAnswer(answer: string): void;
}

/** How our BYE went: a final response, or none within the wait (a finding: §15.1.1 failed). */
export interface ByeOutcome {
  ok: boolean;
  status: number | null;
  /** The reason phrase, or what happened instead. */
  reason: string;
}

type DialogState = 'confirmed' | 'terminated';

export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly core: UaCore;
  private state: DialogState = 'confirmed';
  private localCseq: number;
  /** Highest CSeq the far end used in this dialog (§12.2.2 ordering check). */
  remoteCseq: number | null = null;
  private readonly response: SipResponse;
  private readonly routeSet: string[];
  private readonly remoteTarget: string;
  private readonly defaultDest: Endpoint;
  private readonly forget: (d: Dialog) => void;
  private dest: Endpoint;
  private ackText: string | null = null;
  /** 2xx repeats after our ACK: the server is not getting the ACK (the classic 30-second drop). */
  okRetransmissions = 0;
  /** The remote side ended the call (BYE). */
  onRemoteBye: ((req: IncomingRequestMessage) => void) | null = null;
  /** Answers offers in re-INVITEs and UPDATEs; null: they are answered without SDP. */
  media: DialogMedia | null = null;
  /** Our 200 to an offerless re-INVITE carried an offer: its answer is due in the ACK. */
  answerDueInAck = false;

  constructor(
    core: UaCore,
    res: SipResponse,
    o: { callId: string; localCseq: number; defaultDest: Endpoint; forget: (d: Dialog) => void },
  ) {
    this.core = core;
    this.response = res;
    this.callId = o.callId;
    this.localTag = core.fromTag;
    this.remoteTag = res.toTag ?? '';
    this.localCseq = o.localCseq;
    this.defaultDest = o.defaultDest;
    this.dest = o.defaultDest;
    this.forget = o.forget;
    // §12.1.2: route set = Record-Route in reverse order; remote target = Contact.
    this.routeSet = res.getHeaders('record-route').flatMap(splitHeaderList).reverse();
    const contact = res.getHeaders('contact').flatMap(splitHeaderList)[0];
    this.remoteTarget =
      (contact && uriOfNameAddr(contact)) ||
      String(res.getHeader('to') ? uriOfNameAddr(res.getHeader('to')!) : '');
  }

  /** Resolves the in-dialog next hop: first Route (loose routing, §12.2.1.1) or the remote target. */
  async init(): Promise<void> {
    const first = this.routeSet[0];
    const hopUri = first ? uriOfNameAddr(first) : this.remoteTarget;
    const hop = hopUri ? await this.core.hopFor(hopUri).catch(() => null) : null;
    this.dest = hop ?? this.defaultDest;
  }

  get nextHop(): Endpoint {
    return this.dest;
  }

  get target(): string {
    return this.remoteTarget;
  }

  get isEnded(): boolean {
    return this.state === 'terminated';
  }

  private toHeader(): string {
    return this.response.getHeader('to') ?? '';
  }

  ack(): void {
    const branch = newBranch();
    this.ackText = buildRequest({
      method: 'ACK',
      ruri: this.remoteTarget,
      via: this.core.via(branch),
      from: this.core.fromHeader(),
      to: this.toHeader(),
      callId: this.callId,
      cseq: this.localCseq,
      routes: this.routeSet,
      userAgent: this.core.userAgent,
    });
    this.core.sendStateless(this.ackText, this.dest, false);
  }

  /** A 2xx repeat: our ACK did not arrive, send it again (§13.2.2.4). */
  reAck(res: SipResponse): void {
    if (res.toTag !== this.remoteTag || !this.ackText) return;
    this.okRetransmissions++;
    this.core.sendStateless(this.ackText, this.dest, true);
  }

  /** A response no transaction claimed: a 2xx repeat of our INVITE after Timer M (RFC 6026). */
  onStrayResponse(res: SipResponse): void {
    if (
      res.callId === this.callId &&
      res.method === 'INVITE' &&
      res.statusCode < 300 &&
      res.statusCode >= 200
    )
      this.reAck(res);
  }

  /** §12.2.2: a request belongs to this dialog by Call-ID, remote tag (From) and local tag (To). */
  matches(req: IncomingRequestMessage): boolean {
    return (
      req.callId === this.callId && req.fromTag === this.remoteTag && (req.toTag ?? '') === this.localTag
    );
  }

  /** The far end sent BYE (answered by dialog-requests.ts). */
  endedByRemote(req: IncomingRequestMessage): void {
    this.state = 'terminated';
    this.onRemoteBye?.(req);
    this.forget(this);
  }

  /** The ACK for our 2xx to a re-INVITE: when our 200 carried the offer, it carries the answer. */
  onAck(ack: IncomingRequestMessage): void {
    if (!this.answerDueInAck || !ack.body || !this.media) return;
    this.answerDueInAck = false;
    try {
      this.media.takeAnswer(ack.body);
    } catch {
      // an unusable answer in an ACK cannot be refused (§14.2); the media stays as it was
    }
  }

  /**
   * Ends the call with BYE (§15.1.1); resolves with how it went, waiting at most `maxWaitMs` for the
   * final response (Timer F would take 32 s). Null when the dialog had already ended.
   */
  async bye(maxWaitMs = 64 * this.core.layer.timers.T1): Promise<ByeOutcome | null> {
    if (this.state === 'terminated') return null;
    this.state = 'terminated';
    this.forget(this);
    const clock = this.core.layer.clock;
    const stop = new AbortController(); // the wait's timer must not outlive the BYE
    const r = await Promise.race([
      sendRequest(this.core, {
        method: 'BYE',
        ruri: this.remoteTarget,
        to: this.toHeader(),
        callId: this.callId,
        nextCseq: () => ++this.localCseq,
        dest: this.dest,
        routes: this.routeSet,
        contact: false,
      }),
      sleep(clock, maxWaitMs, stop.signal).then(
        () => null,
        () => null,
      ),
    ]);
    stop.abort();
    if (r === null)
      return { ok: false, status: null, reason: `no response within ${Math.round(maxWaitMs / 1000)} s` };
    if (!r.final)
      return {
        ok: false,
        status: null,
        reason:
          r.error === 'timeout'
            ? 'no response (Timer F)'
            : `transport error: ${r.transportError?.message ?? ''}`,
      };
    const status = r.final.statusCode;
    return { ok: status >= 200 && status < 300, status, reason: r.final.reasonPhrase };
  }

  dispose(): void {
    this.state = 'terminated';
  }
}
