import { describe, expect, it } from 'vitest';
import { judgeUdp } from './udp-verdict.ts';

const run = (
  server: string,
  address: string | null,
  udpBlocked: boolean,
  mappedAddress: string | null = null,
  tcpReachable: boolean | null = udpBlocked ? false : null,
) => ({
  server,
  tcpReachable,
  address,
  udpBlocked,
  mappedAddress,
  serverKind: udpBlocked && !mappedAddress ? ('unreachable' as const) : ('rfc5780' as const),
  transport: 'udp' as const,
});

describe('UDP blocked needs independent evidence', () => {
  it('one silent server is "did not answer", not "UDP blocked"', () => {
    const v = judgeUdp([run('stun.example.org:3478', '198.51.100.1:3478', true)]);
    expect(v).toMatchObject({ udpBlocked: false, serverSilent: true });
    expect(v.evidence).toMatch(/stun\.example\.org:3478 did not answer .* not proof that UDP is blocked/);
  });

  it('the same server answering over TCP but not UDP proves UDP is blocked', () => {
    const v = judgeUdp([run('stun.example.org:3478', '198.51.100.1:3478', true, '203.0.113.7:40000')]);
    expect(v).toMatchObject({ udpBlocked: true, serverSilent: false });
    expect(v.evidence).toMatch(/answered a STUN Binding over TCP .* never over UDP/);
  });

  it("the server's host answering over TCP (even a refusal) while UDP stays silent is UDP blocked", () => {
    const v = judgeUdp([run('stun.example.org:3478', '198.51.100.1:3478', true, null, true)]);
    expect(v).toMatchObject({ udpBlocked: true, serverSilent: false });
    expect(v.evidence).toMatch(/host answers over TCP but nothing came back over UDP/);
  });

  it('two different servers both silent is UDP blocked; two names for one address are not', () => {
    expect(
      judgeUdp([run('a:3478', '198.51.100.1:3478', true), run('b:3478', '198.51.100.2:3478', true)])
        .udpBlocked,
    ).toBe(true);
    const same = judgeUdp([
      run('a:3478', '198.51.100.1:3478', true),
      run('a2:3478', '198.51.100.1:3478', true),
    ]);
    expect(same).toMatchObject({ udpBlocked: false, serverSilent: true });
  });

  it('any UDP answer settles it: not blocked, not silent', () => {
    const v = judgeUdp([
      run('a:3478', '198.51.100.1:3478', true),
      run('b:3478', '198.51.100.2:3478', false, '203.0.113.7:4000'),
    ]);
    expect(v).toEqual({ udpBlocked: false, serverSilent: false, evidence: null });
  });

  it('servers whose names did not resolve are no evidence either way', () => {
    expect(judgeUdp([run('nowhere.invalid:3478', null, false)])).toEqual({
      udpBlocked: false,
      serverSilent: false,
      evidence: null,
    });
  });
});
