/**
 * Human-readable attribute list for the raw transaction log: every attribute by name with its
 * decoded value; unknown or malformed ones are shown as such rather than dropped.
 */
import { getAttribute, type AttributeCodec } from './attribute.ts';
import {
  AlternateServer,
  ChangedAddress,
  MappedAddress,
  OtherAddress,
  ResponseAddress,
  ResponseOrigin,
  SourceAddress,
} from './attr-address.ts';
import { ChangeRequestAttr } from './attr-change-request.ts';
import { ErrorCode } from './attr-error-code.ts';
import { Padding } from './attr-padding.ts';
import { ResponsePort } from './attr-response-port.ts';
import { Nonce, Realm, Software, Username } from './attr-text.ts';
import { UnknownAttributes } from './attr-unknown-attributes.ts';
import { XorMappedAddress, XorPeerAddress, XorRelayedAddress } from './attr-xor-address.ts';
import { ConnectionId, Lifetime } from './attr-uint32.ts';
import { RequestedTransport } from './attr-requested-transport.ts';
import { ChannelNumber } from './attr-channel-number.ts';
import { Data, ReservationToken } from './attr-data.ts';
import { EvenPort, RequestedAddressFamily } from './attr-even-port.ts';
import { PasswordAlgorithm, PasswordAlgorithms } from './attr-password-algorithm.ts';
import { UserHash } from './attr-userhash.ts';
import { DontFragment } from './attr-flag.ts';
import { ATTR_NAME } from './constants.ts';
import type { DecodedStunMessage, StunMessage } from './message.ts';

export interface AttributeView {
  name: string;
  value: string;
}

const CODECS: AttributeCodec<never>[] = [
  MappedAddress,
  XorMappedAddress,
  ResponseOrigin,
  OtherAddress,
  SourceAddress,
  ChangedAddress,
  ResponseAddress,
  AlternateServer,
  ChangeRequestAttr,
  ResponsePort,
  Padding,
  ErrorCode,
  UnknownAttributes,
  Software,
  Username,
  Realm,
  Nonce,
  XorPeerAddress,
  XorRelayedAddress,
  Lifetime,
  ConnectionId,
  RequestedTransport,
  ChannelNumber,
  Data,
  ReservationToken,
  EvenPort,
  RequestedAddressFamily,
  PasswordAlgorithms,
  PasswordAlgorithm,
  UserHash,
  DontFragment,
] as unknown as AttributeCodec<never>[];

const BY_TYPE = new Map(CODECS.map((c) => [c.type, c]));

export function describeAttributes(msg: StunMessage): AttributeView[] {
  const out: AttributeView[] = msg.attributes.map((a, i) => {
    const codec = BY_TYPE.get(a.type);
    const name = ATTR_NAME[a.type] ?? `0x${a.type.toString(16).padStart(4, '0')}`;
    if (!codec) return { name, value: `${a.value.length} bytes` };
    try {
      // decode this occurrence (not just the first of its type)
      const single = { ...msg, attributes: [msg.attributes[i]!] };
      const v = getAttribute(single, codec);
      return { name, value: codec.format(v as never) };
    } catch (err) {
      return { name, value: `malformed (${(err as Error).message})` };
    }
  });
  const d = msg as Partial<DecodedStunMessage>;
  if (d.integrityOffset !== undefined && d.integrityOffset !== null)
    out.push({ name: 'MESSAGE-INTEGRITY', value: 'present' });
  if (d.integritySha256Offset !== undefined && d.integritySha256Offset !== null)
    out.push({ name: 'MESSAGE-INTEGRITY-SHA256', value: 'present' });
  if (d.hasFingerprint) out.push({ name: 'FINGERPRINT', value: 'valid' });
  return out;
}
