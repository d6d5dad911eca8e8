/**
 * STUN wire constants — RFC 8489 §5 (header), §18.3 (attribute registry), RFC 5780 §7 (NAT
 * behaviour discovery attributes) and RFC 3489 §11.2 (classic attributes still sent by old servers).
 */
export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_LENGTH = 20;
export const TRANSACTION_ID_LENGTH = 12;
/** RFC 8489 §14.7: the FINGERPRINT CRC-32 is XOR-ed with this so STUN can be told from other protocols. */
export const FINGERPRINT_XOR = 0x5354554e;

export const METHOD = {
  BINDING: 0x001,
} as const;

export const ATTR = {
  MAPPED_ADDRESS: 0x0001,
  /** RFC 3489 only (deprecated): where a classic server sent the response from. */
  RESPONSE_ADDRESS: 0x0002,
  CHANGE_REQUEST: 0x0003,
  /** RFC 3489 only: where the response was sent from. */
  SOURCE_ADDRESS: 0x0004,
  /** RFC 3489 only: the server's alternate address (RFC 5780 renamed it OTHER-ADDRESS). */
  CHANGED_ADDRESS: 0x0005,
  USERNAME: 0x0006,
  MESSAGE_INTEGRITY: 0x0008,
  ERROR_CODE: 0x0009,
  UNKNOWN_ATTRIBUTES: 0x000a,
  REALM: 0x0014,
  NONCE: 0x0015,
  MESSAGE_INTEGRITY_SHA256: 0x001c,
  XOR_MAPPED_ADDRESS: 0x0020,
  PADDING: 0x0026,
  RESPONSE_PORT: 0x0027,
  SOFTWARE: 0x8022,
  ALTERNATE_SERVER: 0x8023,
  FINGERPRINT: 0x8028,
  RESPONSE_ORIGIN: 0x802b,
  OTHER_ADDRESS: 0x802c,
} as const;

/** Printable names for the transaction log. */
export const ATTR_NAME: Readonly<Record<number, string>> = {
  0x0001: 'MAPPED-ADDRESS',
  0x0002: 'RESPONSE-ADDRESS',
  0x0003: 'CHANGE-REQUEST',
  0x0004: 'SOURCE-ADDRESS',
  0x0005: 'CHANGED-ADDRESS',
  0x0006: 'USERNAME',
  0x0008: 'MESSAGE-INTEGRITY',
  0x0009: 'ERROR-CODE',
  0x000a: 'UNKNOWN-ATTRIBUTES',
  0x0014: 'REALM',
  0x0015: 'NONCE',
  0x001c: 'MESSAGE-INTEGRITY-SHA256',
  0x0020: 'XOR-MAPPED-ADDRESS',
  0x0024: 'PRIORITY',
  0x0025: 'USE-CANDIDATE',
  0x0026: 'PADDING',
  0x0027: 'RESPONSE-PORT',
  0x8022: 'SOFTWARE',
  0x8023: 'ALTERNATE-SERVER',
  0x8028: 'FINGERPRINT',
  0x8029: 'ICE-CONTROLLED',
  0x802a: 'ICE-CONTROLLING',
  0x802b: 'RESPONSE-ORIGIN',
  0x802c: 'OTHER-ADDRESS',
};

/** RFC 8489 §14: attribute types 0x0000–0x7FFF are comprehension-required. */
export function isComprehensionRequired(type: number): boolean {
  return type < 0x8000;
}
