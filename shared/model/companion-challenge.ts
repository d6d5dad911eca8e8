/**
 * The return-routability challenge of `natscope server` (docs/companion-protocol.md): an unverified
 * UDP request that would start something (an echo call, a callback) gets a `401` with a digest
 * challenge in this realm. The nonce is the proof the client receives at its address; the user
 * name and password are not checked, so a client without credentials answers with these.
 */
export const COMPANION_REALM = 'natscope-companion';
export const COMPANION_CREDENTIALS = { username: 'natscope', password: 'natscope' } as const;
