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
 * | confirmed  | bye()                                | terminated | BYE in a new transaction (§15.1.1)       |
 * | terminated | bye()                                | terminated | nothing to end (null)                    |
 * | any        | dispose() (UA closing)               | terminated | nothing sent                             |
 */
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { buildRequest, newBranch } from './request-builder.ts';
import { sendRequest } from './request-sender.ts';
import { splitHeaderList, uriOfNameAddr, type SipResponse } from './sip-message.ts';
import type { UaCore } from './ua-core.ts';

/** What the media layer gives a dialog (the role of SIP.js's SessionDescriptionHandler). */
export interface DialogMedia {
  /** An offer arrived in a re-INVITE or UPDATE (RFC 3264 §8, RFC 3311 §5.2): return our answer. */
  answerOffer(offer: string): string;
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

  /** Ends the call; resolves with the BYE's final status (null on timeout). */
  async bye(): Promise<number | null> {
    if (this.state === 'terminated') return null;
    this.state = 'terminated';
    this.forget(this);
    const r = await sendRequest(this.core, {
      method: 'BYE',
      ruri: this.remoteTarget,
      to: this.toHeader(),
      callId: this.callId,
      nextCseq: () => ++this.localCseq,
      dest: this.dest,
      routes: this.routeSet,
      contact: false,
    });
    return r.final?.statusCode ?? null;
  }

  dispose(): void {
    this.state = 'terminated';
  }
}
