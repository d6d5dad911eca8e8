/**
 * A minimal SIP user agent for test calls — RFC 3261 §10 (REGISTER, refresh, un-register),
 * §13 (INVITE: provisional and final responses, ACK for 2xx §13.2.2.4, re-INVITE §14), §15 (BYE),
 * §9 (CANCEL), §8.1.3.4 (3xx redirect), §22 (401/407 digest, digest.ts), §12 (dialogs: route
 * set from Record-Route, remote target from Contact). Runs over the transaction layer
 * (transactions.ts) and never throws for peer behaviour: outcomes are returned as values.
 */
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { TimerHandle } from '../clock/clock.ts';
import { digestAuthorization, pickChallenge, type DigestCredentials } from './digest.ts';
import { buildRequest, buildResponse, newBranch, viaHeader } from './request-builder.ts';
import {
  parseUri,
  randomToken,
  splitHeaderList,
  topVia,
  uriOfNameAddr,
  type SipResponse,
} from './sip-message.ts';
import type { ServerTransaction, TransactionLayer } from './transactions.ts';

export interface SipAccount {
  /** User part of the address of record. */
  username: string;
  /** Digest user name when it differs from `username`. */
  authUsername?: string;
  password: string;
  /** Domain of the address of record (the registrar's domain). */
  domain: string;
}

export interface UserAgentOptions {
  layer: TransactionLayer;
  /** Where INVITEs go: the outbound proxy, else the target's host (RFC 3261 §8.1.2). */
  nextHop: Endpoint;
  /** Where REGISTERs go: the outbound proxy, else the registrar (default: nextHop). */
  registrarHop?: Endpoint;
  resolve: (host: string) => Promise<string[]>;
  /** Via sent-by (our local transport address; RFC 7118 ".invalid" host on WSS). */
  viaSentBy: Endpoint | string;
  /** The address advertised in Contact (local or STUN-mapped). */
  contact: Endpoint;
  account?: SipAccount;
  /** Outbound proxy URI, pre-loaded as a loose Route (RFC 3261 §8.1.2). */
  outboundProxyUri?: string;
  userAgent: string;
  /** Bound for a call to be answered after it started ringing. */
  answerTimeoutMs?: number;
}

export interface ViaObservation {
  received: string | null;
  rport: number | null;
}

export interface RegisterOutcome {
  ok: boolean;
  status: number | null;
  reason: string;
  expires: number | null;
  authAlgorithm: string | null;
  via: ViaObservation | null;
}

export type InviteOutcome =
  | { answered: true; status: number; reason: string; sdp: string; dialog: Dialog }
  | {
      answered: false;
      status: number | null;
      reason: string;
      kind: 'rejected' | 'timeout' | 'cancelled' | 'transport-error' | 'auth-failed' | 'no-answer';
    };

const MAX_AUTH_ROUNDS = 2;
const MAX_REDIRECTS = 3;

export class UserAgent {
  private readonly o: UserAgentOptions;
  private readonly layer: TransactionLayer;
  private readonly fromTag = randomToken(6);
  private readonly registerCallId = `${randomToken(12)}@natscope`;
  private registerCseq = 0;
  private nc = 0;
  private refreshTimer: TimerHandle | null = null;
  private registered = false;
  private readonly dialogs = new Set<Dialog>();
  /** Via received/rport from the first response: what the server saw as our address. */
  firstVia: ViaObservation | null = null;
  private readonly proto: string;

  constructor(o: UserAgentOptions) {
    this.o = o;
    this.layer = o.layer;
    this.proto = o.layer.transport.protocol;
    this.layer.onRequest = (req, tx) => this.onRequest(req, tx);
    this.layer.onAck = () => {};
    this.layer.onStrayResponse = (res) => {
      for (const d of this.dialogs) d.onStrayResponse(res);
    };
    this.layer.onAnyMessage = (m) => {
      if (this.firstVia || !('statusCode' in m)) return;
      const v = topVia(m);
      if (v) this.firstVia = { received: v.received, rport: v.rport };
    };
  }

  get userAgent(): string {
    return this.o.userAgent;
  }

  contactHeader(): string {
    const user = this.o.account?.username ?? 'natscope';
    const t =
      this.proto === 'UDP' ? '' : `;transport=${this.proto === 'WSS' ? 'ws' : this.proto.toLowerCase()}`;
    return `<sip:${user}@${formatEndpoint(this.o.contact)}${t}>`;
  }

  fromHeader(): string {
    if (this.o.account)
      return `<sip:${this.o.account.username}@${this.o.account.domain}>;tag=${this.fromTag}`;
    // RFC 3323 §4.1.1.3 anonymous From for calls without an account.
    return `"NatScope" <sip:anonymous@anonymous.invalid>;tag=${this.fromTag}`;
  }

  via(branch: string): string {
    return viaHeader(this.layer.transport.protocol, this.o.viaSentBy, branch);
  }

  preloadedRoutes(): string[] {
    return this.o.outboundProxyUri ? [`<${this.o.outboundProxyUri.replace(/;lr\b/, '')};lr>`] : [];
  }

  /**
   * Sends a request in a new client transaction and resolves with its final response (or a
   * timeout / transport error). Answers 401/407 challenges itself, up to MAX_AUTH_ROUNDS.
   */
  request(o: {
    method: string;
    ruri: string;
    to: string;
    callId: string;
    nextCseq: () => number;
    dest: Endpoint;
    routes?: string[];
    contact?: boolean;
    extra?: [string, string][];
    body?: { type: string; text: string };
    onProvisional?: (res: SipResponse, branch: string) => void;
    onRetransmitted2xx?: (res: SipResponse) => void;
  }): Promise<{
    final: SipResponse | null;
    error: 'timeout' | 'transport-error' | null;
    authAlgorithm: string | null;
    branch: string;
    authFailed: boolean;
  }> {
    return new Promise((resolve) => {
      let rounds = 0;
      let authHeader: [string, string] | null = null;
      let authAlgorithm: string | null = null;
      const send = () => {
        const branch = newBranch();
        const extra = [...(o.extra ?? [])];
        if (authHeader) extra.push(authHeader);
        const text = buildRequest({
          method: o.method,
          ruri: o.ruri,
          via: this.via(branch),
          from: this.fromHeader(),
          to: o.to,
          callId: o.callId,
          cseq: o.nextCseq(),
          contact: o.contact === false ? undefined : this.contactHeader(),
          routes: o.routes ?? this.preloadedRoutes(),
          userAgent: this.o.userAgent,
          extra,
          body: o.body,
        });
        let done = false;
        this.layer.sendRequest(
          { method: o.method, branch, text, dest: o.dest },
          {
            onResponse: (res, retransmission) => {
              if (retransmission) {
                o.onRetransmitted2xx?.(res);
                return;
              }
              if (res.statusCode < 200) {
                o.onProvisional?.(res, branch);
                return;
              }
              if (done) {
                if (res.statusCode < 300) o.onRetransmitted2xx?.(res); // 2xx from another fork
                return;
              }
              done = true;
              if ((res.statusCode === 401 || res.statusCode === 407) && this.o.account) {
                const headerName = res.statusCode === 401 ? 'www-authenticate' : 'proxy-authenticate';
                const challenge = pickChallenge(res.getHeaders(headerName));
                // A second challenge is a rejection, unless the nonce only went stale (RFC 7616 §3.3).
                if (challenge && (rounds < 1 || (challenge.stale && rounds < MAX_AUTH_ROUNDS))) {
                  rounds++;
                  this.nc++;
                  const creds: DigestCredentials = {
                    username: this.o.account.authUsername ?? this.o.account.username,
                    password: this.o.account.password,
                  };
                  authAlgorithm = challenge.algorithm;
                  authHeader = [
                    res.statusCode === 401 ? 'Authorization' : 'Proxy-Authorization',
                    digestAuthorization({
                      challenge,
                      credentials: creds,
                      method: o.method,
                      uri: o.ruri,
                      body: o.body?.text,
                      nc: this.nc,
                    }),
                  ];
                  send();
                  return;
                }
                resolve({
                  final: res,
                  error: null,
                  authAlgorithm,
                  branch,
                  authFailed: rounds > 0 || challenge === null,
                });
                return;
              }
              resolve({ final: res, error: null, authAlgorithm, branch, authFailed: false });
            },
            onTimeout: () => {
              if (!done) resolve({ final: null, error: 'timeout', authAlgorithm, branch, authFailed: false });
              done = true;
            },
            onTransportError: () => {
              if (!done)
                resolve({ final: null, error: 'transport-error', authAlgorithm, branch, authFailed: false });
              done = true;
            },
          },
        );
      };
      send();
    });
  }

  /** REGISTER with digest; on success schedules refreshes until `unregister()` or `close()`. */
  async register(expires = 300): Promise<RegisterOutcome> {
    const acc = this.o.account;
    if (!acc) throw new Error('register() needs an account');
    const aor = `<sip:${acc.username}@${acc.domain}>`;
    const r = await this.request({
      method: 'REGISTER',
      ruri: `sip:${acc.domain}`,
      to: aor,
      callId: this.registerCallId,
      nextCseq: () => ++this.registerCseq,
      dest: this.o.registrarHop ?? this.o.nextHop,
      extra: [['Expires', String(expires)]],
    });
    if (!r.final) {
      return {
        ok: false,
        status: null,
        reason: r.error === 'timeout' ? 'no response from the registrar (Timer F)' : 'transport error',
        expires: null,
        authAlgorithm: r.authAlgorithm,
        via: this.firstVia,
      };
    }
    const res = r.final;
    if (res.statusCode >= 300) {
      const reason = r.authFailed
        ? `${res.statusCode} ${res.reasonPhrase}: the registrar rejected the credentials`
        : `${res.statusCode} ${res.reasonPhrase}`;
      return {
        ok: false,
        status: res.statusCode,
        reason,
        expires: null,
        authAlgorithm: r.authAlgorithm,
        via: this.firstVia,
      };
    }
    // Granted expiry: our Contact's expires param, else the Expires header (RFC 3261 §10.2.4).
    let granted: number | null = null;
    for (const c of res.getHeaders('contact').flatMap(splitHeaderList)) {
      const e = /;\s*expires\s*=\s*(\d+)/i.exec(c);
      if (e && uriOfNameAddr(c)?.includes(formatEndpoint(this.o.contact))) granted = Number(e[1]);
    }
    if (granted === null) {
      const e = Number(res.getHeader('expires'));
      granted = Number.isFinite(e) && res.getHeader('expires') !== undefined ? e : expires;
    }
    this.registered = expires > 0;
    this.refreshTimer?.cancel();
    if (this.registered && granted > 0) {
      const refreshIn = Math.max(5, granted - Math.min(32, granted / 2)) * 1000;
      this.refreshTimer = this.layer.clock.setTimeout(() => void this.register(expires), refreshIn);
    }
    return {
      ok: true,
      status: res.statusCode,
      reason: `${res.statusCode} ${res.reasonPhrase}`,
      expires: granted,
      authAlgorithm: r.authAlgorithm,
      via: this.firstVia,
    };
  }

  async unregister(): Promise<RegisterOutcome | null> {
    this.refreshTimer?.cancel();
    if (!this.registered) return null;
    this.registered = false;
    return this.register(0);
  }

  /**
   * Places a call. Resolves once the call is answered (ACK sent, dialog returned) or has failed.
   * Aborting `signal` before the answer sends CANCEL (after a provisional response, §9.1).
   */
  async invite(o: {
    target: string;
    sdp: string;
    signal?: AbortSignal;
    onProvisional?: (status: number, reason: string, sdp: string | null) => void;
  }): Promise<InviteOutcome> {
    const callId = `${randomToken(12)}@natscope`;
    let cseq = 0;
    let target = o.target;
    for (let redirects = 0; ; redirects++) {
      const toUri = parseUri(target);
      if (!toUri)
        return { answered: false, status: null, reason: `not a SIP URI: ${target}`, kind: 'rejected' };
      const dest = this.o.outboundProxyUri || redirects === 0 ? this.o.nextHop : await this.hopFor(target);
      if (!dest)
        return { answered: false, status: null, reason: `cannot resolve ${target}`, kind: 'rejected' };
      const outcome = await this.inviteOnce({ ...o, target, callId, dest, nextCseq: () => ++cseq });
      if (outcome.kind === 'redirect' && redirects < MAX_REDIRECTS) {
        target = outcome.to;
        continue;
      }
      if (outcome.kind === 'redirect')
        return { answered: false, status: outcome.status, reason: 'too many redirects', kind: 'rejected' };
      return outcome.result;
    }
  }

  private async inviteOnce(o: {
    target: string;
    sdp: string;
    callId: string;
    dest: Endpoint;
    nextCseq: () => number;
    signal?: AbortSignal;
    onProvisional?: (status: number, reason: string, sdp: string | null) => void;
  }): Promise<{ kind: 'redirect'; to: string; status: number } | { kind: 'done'; result: InviteOutcome }> {
    let provisionalBranch: string | null = null;
    let cancelSent = false;
    let dialog: Dialog | null = null;
    let cancelledByUs = false;
    let lastCseq = 0;
    const nextCseq = () => (lastCseq = o.nextCseq());
    const sendCancel = () => {
      if (cancelSent || !provisionalBranch) return;
      cancelSent = true;
      // §9.1: CANCEL copies Request-URI, Call-ID, To, From, CSeq number and the top Via (same branch).
      const text = buildRequest({
        method: 'CANCEL',
        ruri: o.target,
        via: this.via(provisionalBranch),
        from: this.fromHeader(),
        to: `<${o.target}>`,
        callId: o.callId,
        cseq: lastCseq,
        routes: this.preloadedRoutes(),
        userAgent: this.o.userAgent,
      });
      this.layer.sendRequest(
        { method: 'CANCEL', branch: provisionalBranch, text, dest: o.dest },
        { onResponse() {}, onTimeout() {}, onTransportError() {} },
      );
    };
    const onAbort = () => {
      cancelledByUs = true;
      sendCancel();
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let answerTimer: TimerHandle | null = null;
    const answerTimeout = new Promise<'no-answer'>((resolve) => {
      answerTimer = this.layer.clock.setTimeout(() => resolve('no-answer'), this.o.answerTimeoutMs ?? 60_000);
    });
    const req = this.request({
      method: 'INVITE',
      ruri: o.target,
      to: `<${o.target}>`,
      callId: o.callId,
      nextCseq,
      dest: o.dest,
      body: { type: 'application/sdp', text: o.sdp },
      onProvisional: (res, branch) => {
        provisionalBranch = branch;
        o.onProvisional?.(res.statusCode, res.reasonPhrase, res.body || null);
        if (cancelledByUs) sendCancel();
      },
      onRetransmitted2xx: (res) => dialog?.reAck(res),
    });
    // If aborted before any provisional response, give up waiting after 2 s (no CANCEL possible).
    const abortGrace = new Promise<'aborted'>((resolve) => {
      const go = () => this.layer.clock.setTimeout(() => resolve('aborted'), 2000);
      if (o.signal?.aborted) go();
      else o.signal?.addEventListener('abort', go, { once: true });
    });
    const raced = await Promise.race([req, answerTimeout, abortGrace]);
    (answerTimer as TimerHandle | null)?.cancel();
    o.signal?.removeEventListener('abort', onAbort);
    if (raced === 'no-answer' || raced === 'aborted') {
      cancelledByUs = true;
      sendCancel();
      return {
        kind: 'done',
        result: {
          answered: false,
          status: null,
          reason: raced === 'aborted' ? 'cancelled' : 'not answered in time',
          kind: raced === 'aborted' ? 'cancelled' : 'no-answer',
        },
      };
    }
    const r = raced;
    if (!r.final) {
      return {
        kind: 'done',
        result: {
          answered: false,
          status: null,
          reason: r.error === 'timeout' ? 'no response to INVITE (Timer B expired)' : 'transport error',
          kind: r.error === 'timeout' ? 'timeout' : 'transport-error',
        },
      };
    }
    const res = r.final;
    if (res.statusCode >= 200 && res.statusCode < 300) {
      dialog = new Dialog(this, res, {
        callId: o.callId,
        localCseq: lastCseq,
        fromTag: this.fromTag,
        defaultDest: o.dest,
      });
      this.dialogs.add(dialog);
      await dialog.init();
      dialog.ack();
      if (cancelledByUs) {
        // The 2xx crossed our CANCEL: the call is up and must be ended with BYE (§9.1).
        await dialog.bye();
        return {
          kind: 'done',
          result: { answered: false, status: res.statusCode, reason: 'cancelled', kind: 'cancelled' },
        };
      }
      return {
        kind: 'done',
        result: { answered: true, status: res.statusCode, reason: res.reasonPhrase, sdp: res.body, dialog },
      };
    }
    if (res.statusCode >= 300 && res.statusCode < 400) {
      const contact = res.getHeaders('contact').flatMap(splitHeaderList)[0];
      const to = contact ? uriOfNameAddr(contact) : null;
      if (to) return { kind: 'redirect', to, status: res.statusCode };
    }
    if (cancelledByUs && res.statusCode === 487) {
      return {
        kind: 'done',
        result: { answered: false, status: 487, reason: 'cancelled', kind: 'cancelled' },
      };
    }
    return {
      kind: 'done',
      result: {
        answered: false,
        status: res.statusCode,
        reason: `${res.statusCode} ${res.reasonPhrase}`,
        kind: r.authFailed ? 'auth-failed' : 'rejected',
      },
    };
  }

  /** Next hop for a URI: its host (resolved) and port, default 5060/5061 (RFC 3263 A/AAAA only). */
  async hopFor(uri: string): Promise<Endpoint | null> {
    const u = parseUri(uri);
    if (!u) return null;
    if (this.layer.transport.remote) return this.layer.transport.remote;
    const host = String(u.host);
    const addrs = await this.o.resolve(host.replace(/^\[|\]$/g, '')).catch(() => []);
    const address = addrs[0];
    if (!address) return null;
    return { address, port: u.port ?? (u.scheme === 'sips' ? 5061 : 5060) };
  }

  sendStateless(text: string, dest: Endpoint, retransmission: boolean): void {
    this.layer.sendStateless(text, dest, retransmission);
  }

  forgetDialog(d: Dialog): void {
    this.dialogs.delete(d);
  }

  private onRequest(req: IncomingRequestMessage, tx: ServerTransaction): void {
    for (const d of this.dialogs) if (d.matches(req)) return d.onRequest(req, tx);
    const ua = this.o.userAgent;
    if (req.method === 'OPTIONS')
      tx.respond(
        buildResponse(req, 200, 'OK', {
          toTag: randomToken(6),
          userAgent: ua,
          extra: [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS']],
        }),
        200,
      );
    else if (req.method === 'INVITE')
      tx.respond(buildResponse(req, 486, 'Busy Here', { toTag: randomToken(6), userAgent: ua }), 486);
    else if (req.method === 'NOTIFY') tx.respond(buildResponse(req, 200, 'OK', { userAgent: ua }), 200);
    else
      tx.respond(
        buildResponse(req, 481, 'Call/Transaction Does Not Exist', { toTag: randomToken(6), userAgent: ua }),
        481,
      );
  }

  close(): void {
    this.refreshTimer?.cancel();
    for (const d of this.dialogs) d.dispose();
  }
}

/** An INVITE dialog (RFC 3261 §12) from the UAC side. */
export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  private localCseq: number;
  private remoteCseq: number | null = null;
  private readonly ua: UserAgent;
  private readonly response: SipResponse;
  private readonly routeSet: string[];
  private readonly remoteTarget: string;
  private readonly defaultDest: Endpoint;
  private dest: Endpoint;
  private ackText: string | null = null;
  private ended = false;
  /** 2xx repeats after our ACK: the server is not getting the ACK (the classic 30-second drop). */
  okRetransmissions = 0;
  /** The remote side ended the call (BYE). */
  onRemoteBye: ((req: IncomingRequestMessage) => void) | null = null;
  /** A re-INVITE / UPDATE with an offer: return our answer SDP. */
  onOffer: ((sdp: string) => string) | null = null;

  constructor(
    ua: UserAgent,
    res: SipResponse,
    o: { callId: string; localCseq: number; fromTag: string; defaultDest: Endpoint },
  ) {
    this.ua = ua;
    this.response = res;
    this.callId = o.callId;
    this.localTag = o.fromTag;
    this.remoteTag = res.toTag ?? '';
    this.localCseq = o.localCseq;
    this.defaultDest = o.defaultDest;
    this.dest = o.defaultDest;
    // §12.1.2: route set = Record-Route in reverse order; remote target = Contact.
    this.routeSet = res.getHeaders('record-route').flatMap(splitHeaderList).reverse();
    const contact = res.getHeaders('contact').flatMap(splitHeaderList)[0];
    this.remoteTarget =
      (contact && uriOfNameAddr(contact)) ||
      String(res.getHeader('to') ? uriOfNameAddr(res.getHeader('to')!) : '');
  }

  /** Resolves the in-dialog next hop: first Route (loose routing) or the remote target. */
  async init(): Promise<void> {
    const first = this.routeSet[0];
    const hopUri = first ? uriOfNameAddr(first) : this.remoteTarget;
    const hop = hopUri ? await this.ua.hopFor(hopUri).catch(() => null) : null;
    this.dest = hop ?? this.defaultDest;
  }

  get nextHop(): Endpoint {
    return this.dest;
  }

  get target(): string {
    return this.remoteTarget;
  }

  private toHeader(): string {
    return this.response.getHeader('to') ?? '';
  }

  ack(): void {
    const branch = newBranch();
    this.ackText = buildRequest({
      method: 'ACK',
      ruri: this.remoteTarget,
      via: this.ua.via(branch),
      from: this.ua.fromHeader(),
      to: this.toHeader(),
      callId: this.callId,
      cseq: this.localCseq,
      routes: this.routeSet,
      userAgent: this.ua.userAgent,
    });
    this.layerSend(this.ackText, false);
  }

  /** A 2xx repeat: our ACK did not arrive, send it again (§13.2.2.4). */
  reAck(res: SipResponse): void {
    if (res.toTag !== this.remoteTag || !this.ackText) return;
    this.okRetransmissions++;
    this.layerSend(this.ackText, true);
  }

  onStrayResponse(res: SipResponse): void {
    if (
      res.callId === this.callId &&
      res.method === 'INVITE' &&
      res.statusCode < 300 &&
      res.statusCode >= 200
    )
      this.reAck(res);
  }

  private layerSend(text: string, retransmission: boolean): void {
    this.ua.sendStateless(text, this.dest, retransmission);
  }

  matches(req: IncomingRequestMessage): boolean {
    return (
      req.callId === this.callId && req.fromTag === this.remoteTag && (req.toTag ?? '') === this.localTag
    );
  }

  onRequest(req: IncomingRequestMessage, tx: ServerTransaction): void {
    const ua = this.ua.userAgent;
    if (this.remoteCseq !== null && req.cseq < this.remoteCseq && req.method !== 'ACK') {
      tx.respond(buildResponse(req, 500, 'Server Internal Error', { userAgent: ua }), 500);
      return;
    }
    this.remoteCseq = req.cseq;
    if (req.method === 'BYE') {
      tx.respond(buildResponse(req, 200, 'OK', { userAgent: ua }), 200);
      this.ended = true;
      this.onRemoteBye?.(req);
      this.ua.forgetDialog(this);
      return;
    }
    if (req.method === 'INVITE' || req.method === 'UPDATE') {
      const answer = req.body && this.onOffer ? this.onOffer(req.body) : null;
      tx.respond(
        buildResponse(req, 200, 'OK', {
          userAgent: ua,
          contact: this.ua.contactHeader(),
          body: answer ? { type: 'application/sdp', text: answer } : undefined,
        }),
        200,
      );
      return;
    }
    tx.respond(buildResponse(req, 200, 'OK', { userAgent: ua }), 200);
  }

  /** Ends the call; resolves with the BYE's final status (null on timeout). */
  async bye(): Promise<number | null> {
    if (this.ended) return null;
    this.ended = true;
    this.ua.forgetDialog(this);
    const r = await this.ua.request({
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

  get isEnded(): boolean {
    return this.ended;
  }

  dispose(): void {
    this.ended = true;
  }
}
