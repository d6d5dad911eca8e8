import { z } from 'zod';

/**
 * What NatScope saw of a SIP WebSocket (RFC 7118 over RFC 6455): how far the opening got, what the
 * server or a proxy answered, and how the connection ended. Part of the echo call's result over
 * ws/wss (`CallResult.websocket`) and of the WebRTC echo's result.
 */

/** Where opening the WebSocket stopped (null: it opened). */
export const WebSocketStageSchema = z.enum([
  'tcp-connect', // no TCP connection to the WebSocket server's port
  'tls', // TLS handshake or certificate failed (wss:)
  'http-status', // the upgrade was answered with an HTTP status other than 101
  'no-answer', // the upgrade request got no answer at all within the connect timeout
  'dropped', // the connection was closed or reset after the upgrade request, without an answer
  'not-websocket', // an answer came, but not a valid WebSocket handshake (bad Accept, not HTTP)
  'subprotocol', // a WebSocket opened, but without the "sip" subprotocol (RFC 7118 §4)
]);
export type WebSocketStage = z.infer<typeof WebSocketStageSchema>;

export const WebSocketSummarySchema = z.object({
  url: z.string(),
  /** true once the upgrade was answered with 101 and the "sip" subprotocol. */
  opened: z.boolean(),
  /** Where opening stopped; null when it opened. */
  failedAt: WebSocketStageSchema.nullable(),
  /** HTTP status of the upgrade answer (101 when it opened; null when none came). */
  httpStatus: z.number().int().nullable(),
  httpReason: z.string().nullable(),
  /** Server / Via / Proxy-Agent headers of the answer: who answered (a proxy names itself here). */
  answeredBy: z.string().nullable(),
  subprotocol: z.string().nullable(),
  /** ms from the start of the TCP connect until the WebSocket was open. */
  openMs: z.number().nullable(),
  /** RFC 6455 §7.4 close code; 1006 = the connection ended without a close frame. Null: still open. */
  closeCode: z.number().int().nullable(),
  closeReason: z.string().nullable(),
  /** The close came from the server side (or the network), not from us hanging up. */
  closedByPeer: z.boolean(),
  /** Seconds the WebSocket was open, and since the last message in either direction, at the close. */
  closedAfterSec: z.number().nullable(),
  idleBeforeCloseSec: z.number().nullable(),
  /** One sentence in plain words: what happened and what it means. */
  message: z.string(),
});
export type WebSocketSummary = z.infer<typeof WebSocketSummarySchema>;
