import { describe, expect, it } from 'vitest';
import { ChallengeResponder, type AuthStep } from './authentication.ts';
import { parseSip, type SipResponse } from './sip-message.ts';

const ACCOUNT = { username: '1001', password: 'pw', domain: 'pbx.test' };
const REQ = { method: 'REGISTER', uri: 'sip:pbx.test' };

function response(status: number, challenge?: string): SipResponse {
  const header = status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  const text = [
    `SIP/2.0 ${status} ${status === 200 ? 'OK' : 'Unauthorized'}`,
    'Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKx',
    'From: <sip:1001@pbx.test>;tag=a',
    'To: <sip:1001@pbx.test>;tag=b',
    'Call-ID: c',
    'CSeq: 1 REGISTER',
    ...(challenge ? [`${header}: ${challenge}`] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseSip(text) as SipResponse;
}

const fresh = 'Digest realm="pbx", nonce="n1", algorithm=MD5, qop="auth"';
const stale = 'Digest realm="pbx", nonce="n2", algorithm=MD5, qop="auth", stale=true';
const unsupported = 'Digest realm="pbx", nonce="n3", algorithm=SHA-512-256';

const kind = (s: AuthStep) =>
  s.action === 'retry' ? `retry ${s.header[0]}` : `final authFailed=${s.authFailed}`;

describe('ChallengeResponder (RFC 3261 §22.2/§22.3, RFC 7616 §3.3)', () => {
  it.each([
    ['a non-challenge passes up', [response(200)], ['final authFailed=false']],
    ['401 is answered with Authorization', [response(401, fresh)], ['retry Authorization']],
    ['407 is answered with Proxy-Authorization', [response(407, fresh)], ['retry Proxy-Authorization']],
    [
      'a challenge we cannot answer is an auth failure',
      [response(401, unsupported)],
      ['final authFailed=true'],
    ],
    [
      'a second challenge is a rejection',
      [response(401, fresh), response(401, fresh)],
      ['retry Authorization', 'final authFailed=true'],
    ],
    [
      'a stale nonce gets one more try, then no more',
      [response(401, fresh), response(401, stale), response(401, stale)],
      ['retry Authorization', 'retry Authorization', 'final authFailed=true'],
    ],
  ])('%s', (_name, responses, expected) => {
    let nc = 0;
    const r = new ChallengeResponder(ACCOUNT, () => ++nc);
    expect(responses.map((res) => kind(r.onFinal(res, REQ)))).toEqual(expected);
  });

  it('without an account a 401 is simply the final response', () => {
    const r = new ChallengeResponder(undefined, () => 1);
    expect(kind(r.onFinal(response(401, fresh), REQ))).toBe('final authFailed=false');
  });

  it("without an account, a natscope server's return-routability challenge is answered", () => {
    const r = new ChallengeResponder(undefined, () => 1);
    const step = r.onFinal(
      response(401, 'Digest realm="natscope-companion", nonce="abc.def", algorithm=MD5'),
      REQ,
    );
    expect(step.action === 'retry' && step.header).toEqual([
      'Authorization',
      expect.stringMatching(/username="natscope", realm="natscope-companion", nonce="abc\.def"/),
    ]);
    // …once: a second one is the final answer
    expect(kind(r.onFinal(response(401, 'Digest realm="natscope-companion", nonce="x.y"'), REQ))).toBe(
      'final authFailed=true',
    );
  });

  it('counts nonces across requests and reports the algorithm', () => {
    let nc = 0;
    const r = new ChallengeResponder(ACCOUNT, () => ++nc);
    const step = r.onFinal(response(401, fresh), REQ);
    expect(step.action === 'retry' && step.header[1]).toMatch(/nc=00000001/);
    expect(r.algorithm).toBe('MD5');
  });
});
