/**
 * What can go wrong with a TURN server, in words a user can act on — RFC 8656 §19 and RFC 8489
 * §14.8 error codes, plus the failures that never get an answer (timeout, connection refused, TLS).
 */
import { tryGetAttribute } from '../stun/attribute.ts';
import { ErrorCode } from '../stun/attr-error-code.ts';
import { METHOD } from '../stun/constants.ts';
import type { DecodedStunMessage } from '../stun/message.ts';

export type TurnErrorCode =
  | 'unauthorized' // 401 after we sent credentials: wrong user name, password or secret
  | 'wrong-realm' // the server's realm is not the one the user expected
  | 'quota' // 486 Allocation Quota Reached
  | 'capacity' // 508 Insufficient Capacity
  | 'forbidden' // 403 Forbidden (peer address not allowed)
  | 'allocation-mismatch' // 437
  | 'wrong-credentials' // 441: credentials differ from those of the allocation
  | 'unsupported-transport' // 442: e.g. TCP allocations switched off
  | 'unsupported-algorithm' // the server offers no password algorithm we know
  | 'rejected' // any other error response
  | 'timeout' // no answer
  | 'connection' // the TCP/TLS connection failed or closed
  | 'protocol' // a malformed or unauthenticated answer
  | 'cancelled';

const METHOD_NAME: Record<number, string> = {
  [METHOD.ALLOCATE]: 'Allocate',
  [METHOD.REFRESH]: 'Refresh',
  [METHOD.CREATE_PERMISSION]: 'CreatePermission',
  [METHOD.CHANNEL_BIND]: 'ChannelBind',
  [METHOD.CONNECT]: 'Connect',
  [METHOD.CONNECTION_BIND]: 'ConnectionBind',
};

export const methodName = (m: number): string => METHOD_NAME[m] ?? `method 0x${m.toString(16)}`;

/** "401 Unauthorized" from an error response, for the transaction log. */
export function describeError(m: DecodedStunMessage): string {
  const e = tryGetAttribute(m, ErrorCode);
  return e ? `${e.code} ${e.reason}` : '(no ERROR-CODE)';
}

export class TurnError extends Error {
  readonly code: TurnErrorCode;
  /** The STUN error code the server sent, if any. */
  readonly stunCode: number | null;
  constructor(code: TurnErrorCode, message: string, stunCode: number | null = null) {
    super(message);
    this.name = 'TurnError';
    this.code = code;
    this.stunCode = stunCode;
  }
}

const BY_STUN_CODE: Record<number, TurnErrorCode> = {
  401: 'unauthorized',
  403: 'forbidden',
  437: 'allocation-mismatch',
  441: 'wrong-credentials',
  442: 'unsupported-transport',
  486: 'quota',
  508: 'capacity',
};

const EXPLAIN: Partial<Record<TurnErrorCode, string>> = {
  unauthorized: 'the server refused the credentials: check the user name and password (or the shared secret)',
  quota:
    'the server allows no more allocations for this user (or in total): close other sessions or raise the quota',
  capacity: 'the server has no relay ports left',
  forbidden: 'the server does not allow relaying to that peer address',
  'allocation-mismatch': 'the server has no allocation for this connection (it expired or was never made)',
  'wrong-credentials': 'the request used other credentials than the allocation',
  'unsupported-transport': 'the server does not offer that relayed transport',
};

export function turnErrorFromResponse(method: string, code: number, reason: string): TurnError {
  const c = BY_STUN_CODE[code] ?? 'rejected';
  const why = EXPLAIN[c];
  return new TurnError(c, `${method} refused with ${code} ${reason}${why ? `: ${why}` : ''}`, code);
}
