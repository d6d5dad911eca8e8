import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { digestAuthorization, ownDigest, parseChallenge, pickChallenge } from './digest.ts';

// RFC 7616 §3.9.1 example (the same computation SIP uses, RFC 3261 §22.4 / RFC 8760).
const RFC7616 = {
  challenge: {
    realm: 'http-auth@example.org',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    qop: ['auth'],
    opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    stale: false,
  },
  credentials: { username: 'Mufasa', password: 'Circle of Life' },
  method: 'GET',
  uri: '/dir/index.html',
  nc: 1,
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
};

describe('digest authentication', () => {
  it('SHA-256 matches RFC 7616 §3.9.1', () => {
    const r = ownDigest({ ...RFC7616, challenge: { ...RFC7616.challenge, algorithm: 'SHA-256' } });
    expect(r.response).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    expect(r.header).toContain('algorithm=SHA-256');
    expect(r.header).toContain('qop=auth, nc=00000001');
  });

  it('MD5 matches RFC 7616 §3.9.1', () => {
    expect(ownDigest({ ...RFC7616, challenge: { ...RFC7616.challenge, algorithm: 'MD5' } }).response).toBe(
      '8ca523f5e9506fed4657c9700eebdbec',
    );
  });

  it('MD5 challenges are answered by SIP.js and verify against the RFC computation', () => {
    const challenge = { realm: 'natscope.lab', nonce: 'abc', algorithm: 'MD5', qop: ['auth'], stale: false };
    const header = digestAuthorization({
      challenge,
      credentials: { username: 'alice', password: 'secret' },
      method: 'REGISTER',
      uri: 'sip:natscope.lab',
      nc: 3,
    });
    const cnonce = /cnonce="([^"]+)"/.exec(header)![1]!;
    expect(header).toContain('nc=00000003');
    const expected = ownDigest({
      challenge,
      credentials: { username: 'alice', password: 'secret' },
      method: 'REGISTER',
      uri: 'sip:natscope.lab',
      nc: 3,
      cnonce,
    }).response;
    expect(header).toContain(`response="${expected}"`);
    // RFC 2617 without qop: response = MD5(HA1:nonce:HA2)
    const noQop = digestAuthorization({
      challenge: { ...challenge, qop: [] },
      credentials: { username: 'alice', password: 'secret' },
      method: 'INVITE',
      uri: 'sip:x@y',
      nc: 1,
    });
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    expect(noQop).toContain(
      `response="${md5(`${md5('alice:natscope.lab:secret')}:abc:${md5('INVITE:sip:x@y')}`)}"`,
    );
    expect(noQop).not.toContain('secret');
  });

  it('parses challenges and prefers SHA-256 (RFC 8760 §2.4)', () => {
    expect(
      parseChallenge('Digest realm="r", nonce="n", qop="auth,auth-int", algorithm=SHA-256, stale=TRUE'),
    ).toEqual({
      realm: 'r',
      nonce: 'n',
      algorithm: 'SHA-256',
      qop: ['auth', 'auth-int'],
      opaque: undefined,
      stale: true,
    });
    expect(parseChallenge('Basic realm="x"')).toBeNull();
    expect(parseChallenge('Digest realm="r"')).toBeNull();
    expect(
      pickChallenge([
        'Digest realm="r", nonce="1", algorithm=MD5',
        'Digest realm="r", nonce="2", algorithm=SHA-256',
      ])?.nonce,
    ).toBe('2');
    expect(pickChallenge(['Digest realm="r", nonce="1", algorithm=SHA-512-256'])).toBeNull();
    expect(pickChallenge(['Digest realm="r", nonce="1"'])?.algorithm).toBe('MD5');
  });
});
