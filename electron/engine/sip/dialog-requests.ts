/**
 * Requests the far end sends inside our dialog (UAS side) — RFC 3261 §12.2.2 (CSeq ordering), §15.1.2
 * (BYE), §14.2 (re-INVITE), RFC 3311 §5.2 (UPDATE), §11.2 (OPTIONS), RFC 6086 §4.2 (INFO). The ACK for
 * our 2xx to a re-INVITE is matched by the transaction layer (Timer G/H, §13.3.1.4) and needs nothing
 * here. One switch, one case per method: a new in-dialog behaviour is a new case.
 *
 * Media (RFC 3264): an offer in a re-INVITE or UPDATE is handed to `dialog.media.answerOffer`, which
 * returns the answer; that is where the media layer learns a new remote address or direction
 * (hold, §8.4). An offer we cannot take gets 488 with a Warning saying why (RFC 3261 §14.2, §20.43).
 * A re-INVITE without SDP asks us to offer (RFC 3264 §5, RFC 3261 §14.2): our offer goes in the
 * 200 and the answer comes in the ACK (dialog.onAck). An UPDATE without SDP (an RFC 4028 session
 * refresh) is simply answered 200.
 */
import type { IncomingRequestMessage } from 'sip.js/lib/core/index.js';
import type { Dialog } from './dialog.ts';
import { buildResponse } from './request-builder.ts';
import type { ServerTransaction } from './transactions.ts';

export function handleInDialogRequest(d: Dialog, req: IncomingRequestMessage, tx: ServerTransaction): void {
  const userAgent = d.core.userAgent;
  const reply = (
    status: number,
    reason: string,
    extra: Parameters<typeof buildResponse>[3] = { userAgent },
  ) => tx.respond(buildResponse(req, status, reason, extra), status);
  // §12.2.2: a CSeq lower than the last one is out of order.
  if (d.remoteCseq !== null && req.cseq < d.remoteCseq && req.method !== 'ACK') {
    reply(500, 'Server Internal Error');
    return;
  }
  d.remoteCseq = req.cseq;
  switch (req.method) {
    case 'BYE': // §15.1.2: 200, the dialog and session end.
      reply(200, 'OK');
      d.endedByRemote(req);
      return;
    case 'INVITE': // §14.2 re-INVITE (target refresh, session change)
    case 'UPDATE': {
      // RFC 3311 §5.2
      let sdp: string | null = null;
      try {
        if (req.body && d.media) sdp = d.media.answerOffer(req.body, req.method);
        else if (req.method === 'INVITE' && d.media) {
          sdp = d.media.offer();
          d.answerDueInAck = true;
        }
      } catch (err) {
        const why = (err as Error).message.replace(/"/g, "'");
        reply(488, 'Not Acceptable Here', { userAgent, extra: [['Warning', `305 natscope "${why}"`]] });
        return;
      }
      reply(200, 'OK', {
        userAgent,
        contact: d.core.contactHeader(),
        body: sdp ? { type: 'application/sdp', text: sdp } : undefined,
      });
      return;
    }
    case 'OPTIONS': // §11.2: capabilities; inside a dialog also a liveness check
    case 'INFO': // RFC 6086 §4.2: accepted, content ignored
    default:
      reply(200, 'OK');
  }
}
