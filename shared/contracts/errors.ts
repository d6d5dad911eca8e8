/**
 * Errors cross every process boundary (IPC, WebSocket, CLI --json) as `{error: {code, message, detail}}`
 * and are rebuilt on the receiving side as a `NatScopeError` carrying the same code. No zod here: the
 * engine and the CLI's start-up path throw these without loading the schema library (the wire schema
 * is in rpc.ts).
 */
export const ERROR_CODES = [
  'bad-request', // the payload failed schema validation
  'unknown-method',
  'cancelled',
  'timeout',
  'unreachable', // a server or device did not answer within the bounded wait
  'malformed-response', // a peer answered with bytes we could not parse
  'server-incapable', // e.g. a STUN server that cannot run RFC 5780 behaviour tests
  'auth-failed',
  'tls-certificate', // the TLS peer's certificate is not trusted or does not name the server
  'tls-handshake', // the TLS handshake did not complete (timeout, not TLS on the port)
  'refused', // a router/server answered but refused the request
  'not-supported', // this platform or device cannot do it
  'not-implemented', // this step is not built yet — said plainly, never faked
  'forbidden', // web mode: bad token or origin
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WireError {
  error: { code: ErrorCode; message: string; detail?: unknown };
}

export class NatScopeError extends Error {
  readonly code: ErrorCode;
  readonly detail: unknown;
  constructor(code: ErrorCode, message: string, detail?: unknown) {
    super(message);
    this.name = 'NatScopeError';
    this.code = code;
    this.detail = detail;
  }
}

export function toWireError(err: unknown): WireError {
  if (err instanceof NatScopeError) {
    return { error: { code: err.code, message: err.message, detail: err.detail } };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: { code: 'internal', message } };
}

export function fromWireError(wire: WireError): NatScopeError {
  return new NatScopeError(wire.error.code, wire.error.message, wire.error.detail);
}
