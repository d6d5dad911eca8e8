/**
 * Removes credentials from SIP message text before it is stored, shown or reported: the values
 * of Authorization and Proxy-Authorization (RFC 3261 §20.7, §20.28) become a fixed marker.
 * The digest response is derived from the password, so it counts as a secret too.
 */
export const REDACTED = '[redacted]';

const AUTH_HEADER = /^((?:proxy-)?authorization)[ \t]*:.*(?:\r?\n[ \t]+.*)*$/gim;

export function redactSipMessage(text: string): string {
  return text.replace(AUTH_HEADER, (_m, name: string) => `${name}: ${REDACTED}`);
}
