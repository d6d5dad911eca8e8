// The TURN client's long-term credential logic against a scripted server (a fake TurnControl): the
// RFC 8489 §9.2 dance with MD5 (what coturn 4.6 speaks) and with SHA-256 + USERHASH (RFC 8489
// servers: coturn has no PASSWORD-ALGORITHMS), 438 Stale Nonce, refused credentials, answers that
// fail the integrity check, and REST credentials in coturn's format.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../clock/clock.ts';
import { addAttribute, getAttribute, hasAttribute } from '../stun/attribute.ts';
import { ErrorCode } from '../stun/attr-error-code.ts';
import { PasswordAlgorithm, PasswordAlgorithms } from '../stun/attr-password-algorithm.ts';
import { Nonce, Realm, Username } from '../stun/attr-text.ts';
import { Lifetime } from '../stun/attr-uint32.ts';
import { UserHash } from '../stun/attr-userhash.ts';
import { XorMappedAddress, XorRelayedAddress } from '../stun/attr-xor-address.ts';
import { ATTR } from '../stun/constants.ts';
import { longTermKey, longTermKeySha256, userHash } from '../stun/integrity.ts';
import {
  createMessage,
  decodeMessage,
  encodeMessage,
  verifyIntegrity,
  verifyIntegritySha256,
  type DecodedStunMessage,
  type EncodeOptions,
  type StunMessage,
} from '../stun/message.ts';
import type { TransactionOutcome } from '../stun/transaction.ts';
import { TurnClient } from './client.ts';
import type { TurnControl } from './control.ts';
import { nonceFeatures, restCredentials } from './credentials.ts';
import { TurnError } from './errors.ts';

type Handler = (req: DecodedStunMessage) => Uint8Array | null;

function fakeControl(handler: Handler): TurnControl & { seen: DecodedStunMessage[] } {
  const seen: DecodedStunMessage[] = [];
  return {
    seen,
    transport: 'udp',
    local: { address: '192.168.1.10', port: 5000 },
    server: { address: '203.0.113.10', port: 3478 },
    async request(msg: StunMessage, enc: EncodeOptions): Promise<TransactionOutcome> {
      const request = decodeMessage(encodeMessage(msg, enc));
      seen.push(request);
      const answer = handler(request);
      const base = { request, transmissions: 1, startedAt: 0, strays: [], receivedOn: null, error: null };
      if (!answer) return { ...base, outcome: 'timeout', response: null, from: null, rttMs: null };
      return { ...base, outcome: 'response', response: decodeMessage(answer), from: this.server, rttMs: 1 };
    },
    sendMessage: async () => {},
    sendChannelData: async () => {},
    onIndication: () => () => {},
    onChannelData: () => () => {},
    onClose: () => () => {},
    close: async () => {},
  };
}

const REALM = 'example.org';
function reply(
  req: DecodedStunMessage,
  cls: 'success' | 'error',
  build: (m: StunMessage) => void,
  enc: EncodeOptions = {},
) {
  const m = createMessage({ cls, method: req.method, transactionId: req.transactionId });
  build(m);
  return encodeMessage(m, enc);
}
const challenge = (req: DecodedStunMessage, nonce: string, algorithms = false, code = 401) =>
  reply(req, 'error', (m) => {
    addAttribute(m, ErrorCode, { code, reason: code === 401 ? 'Unauthorized' : 'Stale Nonce' });
    addAttribute(m, Realm, REALM);
    addAttribute(m, Nonce, nonce);
    if (algorithms)
      addAttribute(m, PasswordAlgorithms, [
        { algorithm: 2, parameters: new Uint8Array() },
        { algorithm: 1, parameters: new Uint8Array() },
      ]);
  });
const granted = (req: DecodedStunMessage, enc: EncodeOptions) =>
  reply(
    req,
    'success',
    (m) => {
      addAttribute(m, XorRelayedAddress, { address: '203.0.113.10', port: 49152 });
      addAttribute(m, XorMappedAddress, { address: '198.51.100.2', port: 40000 });
      addAttribute(m, Lifetime, 600);
    },
    enc,
  );

describe('TurnClient long-term credentials', () => {
  it('MD5: 401 challenge, then USERNAME/REALM/NONCE + MESSAGE-INTEGRITY; verifies the answer', async () => {
    const key = longTermKey('alice', REALM, 'pw');
    const control = fakeControl((req) => {
      if (!hasAttribute(req, ATTR.USERNAME)) return challenge(req, 'n1');
      expect(getAttribute(req, Username)).toBe('alice');
      expect(verifyIntegrity(req, key)).toBe(true);
      expect(hasAttribute(req, ATTR.PASSWORD_ALGORITHM)).toBe(false);
      return granted(req, { integrityKey: key });
    });
    const c = new TurnClient({
      control,
      clock: systemClock,
      credentials: { kind: 'static', username: 'alice', password: 'pw' },
    });
    const a = await c.allocate();
    expect(a).toMatchObject({
      relayed: { address: '203.0.113.10', port: 49152 },
      passwordAlgorithm: 'md5',
      realm: REALM,
      lifetimeSeconds: 600,
    });
    expect(c.log.map((l) => l.outcome)).toEqual(['error 401 Unauthorized', 'success']);
    await c.close();
    expect(control.seen.at(-1)!.method).toBe(0x004); // Refresh, lifetime 0
    expect(getAttribute(control.seen.at(-1)!, Lifetime)).toBe(0);
  });

  it('SHA-256 with USERHASH when the server offers PASSWORD-ALGORITHMS and asks for anonymity', async () => {
    const nonce = 'obMatJos2wAAAnonce'; // cookie, feature bits 0 and 1 set ("wAAA" = 0xC00000)
    expect(nonceFeatures(nonce)).toEqual({ passwordAlgorithms: true, usernameAnonymity: true });
    const key = longTermKeySha256('alice', REALM, 'pw');
    const control = fakeControl((req) => {
      if (!hasAttribute(req, ATTR.USERHASH)) return challenge(req, nonce, true);
      expect(getAttribute(req, UserHash)).toEqual(userHash('alice', REALM));
      expect(hasAttribute(req, ATTR.USERNAME)).toBe(false);
      expect(getAttribute(req, PasswordAlgorithm)?.algorithm).toBe(2);
      expect(getAttribute(req, PasswordAlgorithms)).toHaveLength(2);
      expect(req.integrityOffset).toBeNull();
      expect(verifyIntegritySha256(req, key)).toBe(true);
      return granted(req, { integritySha256Key: key });
    });
    const c = new TurnClient({
      control,
      clock: systemClock,
      credentials: { kind: 'static', username: 'alice', password: 'pw' },
    });
    expect((await c.allocate()).passwordAlgorithm).toBe('sha256');
  });

  it('438 Stale Nonce: retries with the new nonce', async () => {
    const key = longTermKey('alice', REALM, 'pw');
    const control = fakeControl((req) => {
      if (!hasAttribute(req, ATTR.USERNAME)) return challenge(req, 'n1');
      if (getAttribute(req, Nonce) === 'n1') return challenge(req, 'n2', false, 438);
      return granted(req, { integrityKey: key });
    });
    const c = new TurnClient({
      control,
      clock: systemClock,
      credentials: { kind: 'static', username: 'alice', password: 'pw' },
    });
    await c.allocate();
    expect(c.log.map((l) => l.outcome)).toEqual([
      'error 401 Unauthorized',
      'error 438 Stale Nonce',
      'success',
    ]);
  });

  it('a second 401 is "unauthorized"; a wrong realm is refused before credentials go out', async () => {
    const control = fakeControl((req) => challenge(req, 'n1'));
    const c = new TurnClient({
      control,
      clock: systemClock,
      credentials: { kind: 'static', username: 'alice', password: 'bad' },
    });
    await expect(c.allocate()).rejects.toMatchObject({ code: 'unauthorized', stunCode: 401 });
    const c2 = new TurnClient({
      control: fakeControl((req) => challenge(req, 'n1')),
      clock: systemClock,
      credentials: { kind: 'static', username: 'alice', password: 'pw' },
      expectedRealm: 'other.example',
    });
    await expect(c2.allocate()).rejects.toThrow(/realm is "example.org", not "other.example"/);
  });

  it('a success answer without a valid MESSAGE-INTEGRITY is refused (not from the server that knows the key)', async () => {
    const control = fakeControl((req) =>
      hasAttribute(req, ATTR.USERNAME)
        ? granted(req, { integrityKey: new Uint8Array(16) })
        : challenge(req, 'n1'),
    );
    const c = new TurnClient({
      control,
      clock: systemClock,
      credentials: { kind: 'static', username: 'alice', password: 'pw' },
    });
    const err = await c.allocate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TurnError);
    expect(err).toMatchObject({ code: 'protocol' });
  });

  it('no answer is a timeout naming the server and transport', async () => {
    const c = new TurnClient({
      control: fakeControl(() => null),
      clock: systemClock,
      credentials: { kind: 'static', username: 'a', password: 'b' },
    });
    await expect(c.allocate()).rejects.toThrow('no answer to Allocate from 203.0.113.10:3478 over UDP');
  });
});

describe('TURN REST credentials (coturn use-auth-secret)', () => {
  it('username is expiry:user and password base64(HMAC-SHA1(secret, username))', () => {
    const c = restCredentials('s3cr3t', 'bob', 3600, 1_700_000_000);
    expect(c.username).toBe('1700003600:bob');
    expect(c.password).toBe(createHmac('sha1', 's3cr3t').update('1700003600:bob').digest('base64'));
  });
});
