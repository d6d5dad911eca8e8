/**
 * A minimal SIP user agent for test calls, in layers like SIP.js core:
 *
 *   transport.ts (UDP/TCP/TLS, transports.ts opens one)  →  transactions.ts (RFC 3261 §17)
 *   →  ua-core.ts (identity, next hop)  →  request-sender.ts (§8.1) + authentication.ts (§22)
 *   →  registration.ts (§10) · invite-client.ts (§13.2, §9) · dialog.ts (§12, §15)
 *      · dialog-requests.ts (in-dialog BYE/re-INVITE/UPDATE/OPTIONS/INFO) · incoming-requests.ts
 *
 * This file only wires them together. Outcomes are returned as values, never thrown for peer behaviour.
 */
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { Dialog } from './dialog.ts';
import { handleInDialogRequest } from './dialog-requests.ts';
import { DEFAULT_HANDLERS, noSuchDialog, type IncomingRequestHandler } from './incoming-requests.ts';
import { placeCall, type InviteOutcome, type InviteRequest } from './invite-client.ts';
import { Registration, type RegisterOptions, type RegisterOutcome } from './registration.ts';
import { sendRequest } from './request-sender.ts';
import { randomToken } from './sip-message.ts';
import type { ServerTransaction } from './transactions.ts';
import { UaCore, type UserAgentOptions, type ViaObservation } from './ua-core.ts';

export type { ByeOutcome, Dialog, DialogMedia } from './dialog.ts';
export type { InviteOutcome } from './invite-client.ts';
export type { RegisterOptions, RegisterOutcome } from './registration.ts';
export type { SipAccount, UserAgentOptions, ViaObservation } from './ua-core.ts';

export class UserAgent {
  private readonly core: UaCore;
  private readonly registration: Registration;
  private readonly dialogs = new Set<Dialog>();
  private readonly handlers = new Map<string, IncomingRequestHandler>(Object.entries(DEFAULT_HANDLERS));

  constructor(o: UserAgentOptions) {
    const core = (this.core = new UaCore(o));
    this.registration = new Registration(core);
    const layer = o.layer;
    layer.onRequest = (req, tx) => this.onRequest(req, tx);
    layer.onAck = (ack) => {
      for (const d of this.dialogs) if (d.matches(ack)) d.onAck(ack);
    };
    layer.onStrayResponse = (res) => {
      for (const d of this.dialogs) d.onStrayResponse(res);
    };
    layer.onAnyMessage = (m) => core.observe(m);
  }

  /** Via received/rport from the first response: what the server saw as our address. */
  get firstVia(): ViaObservation | null {
    return this.core.firstVia;
  }

  contactHeader(): string {
    return this.core.contactHeader();
  }

  /** REGISTER with digest; on success refreshes until `unregister()` or `close()` (registration.ts). */
  register(expires = 300, o?: RegisterOptions): Promise<RegisterOutcome> {
    return this.registration.register(expires, o);
  }

  /**
   * OPTIONS to the registrar hop outside any dialog (RFC 3261 §11): a SIP-level keep-alive on the
   * flow, as Asterisk's qualify does. Resolves with the final status, or null without one.
   */
  async options(): Promise<number | null> {
    const domain =
      this.core.account?.domain ?? formatEndpoint(this.core.o.registrarHop ?? this.core.o.nextHop);
    let cseq = 0;
    const r = await sendRequest(this.core, {
      method: 'OPTIONS',
      ruri: `sip:${domain}`,
      to: `<sip:${domain}>`,
      callId: `${randomToken(10)}@natscope`,
      nextCseq: () => ++cseq,
      dest: this.core.o.registrarHop ?? this.core.o.nextHop,
      extra: [['Accept', 'application/sdp']],
    });
    return r.final?.statusCode ?? null;
  }

  unregister(): Promise<RegisterOutcome | null> {
    return this.registration.unregister();
  }

  /** Places a call (invite-client.ts). Aborting `signal` before the answer sends CANCEL (§9.1). */
  invite(o: InviteRequest): Promise<InviteOutcome> {
    return placeCall(this.core, this.dialogs, o);
  }

  /** Replaces how requests outside our dialogs are answered, by method (incoming-requests.ts). */
  handle(method: string, handler: IncomingRequestHandler): void {
    this.handlers.set(method.toUpperCase(), handler);
  }

  private onRequest(req: IncomingRequestMessage, tx: ServerTransaction): void {
    for (const d of this.dialogs) if (d.matches(req)) return handleInDialogRequest(d, req, tx);
    (this.handlers.get(req.method) ?? noSuchDialog)(req, tx, this.core);
  }

  close(): void {
    this.registration.close();
    for (const d of this.dialogs) d.dispose();
  }
}
