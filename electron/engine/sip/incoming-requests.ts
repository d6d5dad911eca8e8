/**
 * Requests that arrive outside any of our dialogs (UAS core, RFC 3261 §8.2) — a table of one
 * handler per method: OPTIONS is answered with our capabilities (§11.2), an INVITE with 486 Busy
 * Here (a test call takes no calls, §21.4.24), NOTIFY with 200 (unsolicited message-waiting
 * notifications, RFC 3265 §3.2.4), anything else with 481 (§12.2.2). A UA that takes calls (an
 * inbound-call test) replaces the INVITE handler with `UserAgent.handle('INVITE', …)`.
 */
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import { buildResponse } from './request-builder.ts';
import { randomToken } from './sip-message.ts';
import type { ServerTransaction } from './transactions.ts';
import type { UaCore } from './ua-core.ts';

export type IncomingRequestHandler = (
  req: IncomingRequestMessage,
  tx: ServerTransaction,
  core: UaCore,
) => void;

const respond = (
  tx: ServerTransaction,
  req: IncomingRequestMessage,
  status: number,
  reason: string,
  o: Parameters<typeof buildResponse>[3],
) => tx.respond(buildResponse(req, status, reason, o), status);

export const DEFAULT_HANDLERS: Record<string, IncomingRequestHandler> = {
  OPTIONS: (req, tx, core) =>
    respond(tx, req, 200, 'OK', {
      toTag: randomToken(6),
      userAgent: core.userAgent,
      extra: [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS']],
    }),
  INVITE: (req, tx, core) =>
    respond(tx, req, 486, 'Busy Here', { toTag: randomToken(6), userAgent: core.userAgent }),
  NOTIFY: (req, tx, core) => respond(tx, req, 200, 'OK', { userAgent: core.userAgent }),
};

/** §12.2.2: a request for a dialog (or method) we do not know. */
export const noSuchDialog: IncomingRequestHandler = (req, tx, core) =>
  respond(tx, req, 481, 'Call/Transaction Does Not Exist', {
    toTag: randomToken(6),
    userAgent: core.userAgent,
  });
