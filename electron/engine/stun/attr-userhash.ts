/**
 * USERHASH — RFC 8489 §14.4: SHA-256(OpaqueString(username) ":" OpaqueString(realm)), 32 bytes,
 * sent instead of USERNAME when the server's nonce cookie asks for username anonymity (§9.2.1).
 */
import { fixedBytesCodec } from './attr-data.ts';
import { ATTR } from './constants.ts';

export { userHash } from './integrity.ts';

export const UserHash = fixedBytesCodec(ATTR.USERHASH, 'USERHASH', 32);
