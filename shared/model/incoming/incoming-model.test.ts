import { describe, expect, it } from 'vitest';
import { incomingFindings } from '../diagnosis/incoming-rules.ts';
import type { DiagnosisFacts } from '../diagnosis/facts.ts';
import { keepAliveAdvice, recommendedKeepAlive } from '../keepalive-advice.ts';
import { compareLifetimes, longerOf } from './compare.ts';
import { candidateStillNeeded, chosenCandidate, idleVerdict, keepAliveCandidates } from './verdict.ts';

const probes = (...r: [number, boolean | null][]) =>
  r.map(([idleSeconds, received]) => ({ idleSeconds, received }));

describe('idle verdict', () => {
  it('brackets the NAT timeout between the longest working and the first failing idle time', () => {
    const v = idleVerdict(probes([60, false], [15, true], [30, true], [90, false]));
    expect(v).toMatchObject({ longestWorkingIdleSeconds: 30, firstFailingIdleSeconds: 60, nonMonotonic: [] });
    expect(v.recommendedKeepAliveSeconds).toBe(24);
  });

  it('does not let an irregular late arrival stretch the limit', () => {
    const v = idleVerdict(probes([15, true], [30, false], [60, true]));
    expect(v.longestWorkingIdleSeconds).toBe(15);
    expect(v.nonMonotonic).toEqual([60]);
  });

  it('has no limit and no recommendation when nothing arrived, and is inconclusive without answers', () => {
    expect(idleVerdict(probes([15, false], [30, false]))).toMatchObject({
      longestWorkingIdleSeconds: null,
      firstFailingIdleSeconds: 15,
      recommendedKeepAliveSeconds: null,
    });
    expect(idleVerdict(probes([15, null])).conclusive).toBe(false);
  });
});

describe('keep-alive candidates (the keep-alive check runs beside the probes)', () => {
  it('prepares one run per possible limit and keeps only the one the verdict needs', () => {
    const c = keepAliveCandidates([15, 30, 60, 90, 120]);
    expect(c.map((x) => [x.ifLongestWorking, x.intervalSeconds, x.idleSeconds])).toEqual([
      [15, 12, 120],
      [30, 24, 120],
      [60, 48, 120],
      [90, 72, 120],
    ]);
    const sofar = probes([15, true], [30, true], [60, false]);
    expect(c.map((x) => candidateStillNeeded(x, sofar))).toEqual([false, true, false, false]);
    const v = idleVerdict(
      probes(
        ...sofar.map((p) => [p.idleSeconds, p.received] as [number, boolean]),
        [90, false],
        [120, false],
      ),
    );
    expect(chosenCandidate(c, v)?.intervalSeconds).toBe(24);
  });

  it('a user-chosen interval gives one run that is always kept; nothing failed: nothing chosen', () => {
    const c = keepAliveCandidates([15, 30], 10);
    expect(c).toEqual([{ ifLongestWorking: null, intervalSeconds: 10, idleSeconds: 30 }]);
    expect(candidateStillNeeded(c[0]!, probes([15, false]))).toBe(true);
    expect(
      chosenCandidate(keepAliveCandidates([15, 30]), idleVerdict(probes([15, true], [30, true]))),
    ).toBeNull();
  });
});

describe('lifetime comparison', () => {
  it('agrees when brackets overlap, disagrees when one outlived the other', () => {
    expect(
      longerOf(
        { aliveAfterSeconds: 30, deadAfterSeconds: 60 },
        { aliveAfterSeconds: 45, deadAfterSeconds: null },
      ),
    ).toBeNull();
    expect(
      longerOf(
        { aliveAfterSeconds: 120, deadAfterSeconds: null },
        { aliveAfterSeconds: 25, deadAfterSeconds: 45 },
      ),
    ).toBe('first');
    const ok = compareLifetimes({
      sip: { aliveAfterSeconds: 25, deadAfterSeconds: 45 },
      randomPort: { aliveAfterSeconds: 25, deadAfterSeconds: 45 },
      sipPort: { aliveAfterSeconds: 25, deadAfterSeconds: null },
    });
    expect(ok.agreement).toBe('agree');
    const alg = compareLifetimes({
      sip: { aliveAfterSeconds: 60, deadAfterSeconds: null },
      randomPort: { aliveAfterSeconds: 25, deadAfterSeconds: 45 },
      sipPort: null,
    });
    expect(alg.agreement).toBe('disagree');
    expect(alg.summary[0]).toMatch(/keeps SIP flows open longer than other UDP/);
    expect(
      compareLifetimes({
        sip: { aliveAfterSeconds: null, deadAfterSeconds: null },
        randomPort: null,
        sipPort: null,
      }).agreement,
    ).toBe('unknown');
  });
});

describe('keep-alive advice', () => {
  it('80 % of the survived silence, capped at 120 s, and concrete settings with re-registration kept apart', () => {
    expect(recommendedKeepAlive(30)).toBe(24);
    expect(recommendedKeepAlive(600)).toBe(120);
    const rows = keepAliveAdvice({ keepAliveSeconds: 24, transport: 'tcp' });
    const text = JSON.stringify(rows);
    for (const s of [
      'qualify_frequency = 24',
      'keep_alive_interval = 24',
      'nat-options-ping',
      'ping-mean-interval = 24',
      'ping = 24',
      'sip-user-ping-max',
    ])
      expect(text).toContain(s);
    expect(rows.every((r) => /3600/.test(r.reRegistration))).toBe(true);
    expect(JSON.stringify(keepAliveAdvice({ keepAliveSeconds: 24, transport: 'udp' }))).not.toContain(
      'keep_alive_interval',
    );
  });
});

describe('incoming findings', () => {
  const base: NonNullable<DiagnosisFacts['incoming']> = {
    server: 'companion.example.net',
    mode: 'companion',
    transport: 'udp',
    tests: [],
    longestWorkingIdleSeconds: null,
    firstFailingIdleSeconds: null,
    recommendedKeepAliveSeconds: null,
    keepAlive: null,
    keepAliveFixes: null,
    stunAgreement: null,
    stunSummary: [],
  };
  const t = (idleSeconds: number, received: boolean | null) => ({
    idleSeconds,
    received,
    outcome: received === null ? 'register-failed' : received ? 'arrived' : 'missed',
    detail: received === null ? '403 Forbidden' : null,
  });

  it('no-incoming-calls with the bracket, the keep-alive and the proof that it fixes it', () => {
    const [f] = incomingFindings({
      incoming: {
        ...base,
        tests: [t(15, true), t(30, false)],
        longestWorkingIdleSeconds: 15,
        firstFailingIdleSeconds: 30,
        recommendedKeepAliveSeconds: 12,
        keepAlive: { intervalSeconds: 12, idleSeconds: 30, received: true },
        keepAliveFixes: true,
      },
    });
    expect(f).toMatchObject({ id: 'no-incoming-calls', area: 'incoming', severity: 'problem' });
    expect(f!.title).toBe('Incoming calls stop reaching you after 15–30 s of silence');
    expect(f!.advice.join(' ')).toMatch(/every 12 s.*arrived after 30 s/);
  });

  it('incoming-calls-ok when every idle time arrived; unknown registrations are not a verdict', () => {
    const ok = incomingFindings({
      incoming: {
        ...base,
        tests: [t(15, true), t(120, true)],
        longestWorkingIdleSeconds: 120,
        recommendedKeepAliveSeconds: 96,
      },
    });
    expect(ok.map((f) => [f.id, f.severity])).toEqual([['incoming-calls-ok', 'ok']]);
    const none = incomingFindings({ incoming: { ...base, tests: [t(15, null)] } });
    expect(none.map((f) => f.id)).toEqual(['registration-failed']);
  });

  it('a call that never arrives is not blamed on a timeout; a SIP/STUN disagreement is its own finding', () => {
    const f = incomingFindings({
      incoming: {
        ...base,
        tests: [t(15, false)],
        firstFailingIdleSeconds: 15,
        stunAgreement: 'disagree',
        stunSummary: ['inbound SIP survived 120 s, a STUN binding on a random port gone after 45 s'],
      },
    });
    expect(f.map((x) => x.id)).toEqual(['no-incoming-calls', 'sip-lifetime-differs']);
    expect(f[0]!.advice[0]).toMatch(/not a timeout/);
  });

  it('PBX mode: a call that did not come after silence points at the NAT first, at once at the PBX', () => {
    const pbx = { ...base, mode: 'pbx' as const, server: 'pbx.example.com:5060' };
    const [late] = incomingFindings({
      incoming: { ...pbx, tests: [t(60, false)], firstFailingIdleSeconds: 60 },
    });
    expect(late!.title).toMatch(/after 60 s of silence/);
    expect(late!.advice[0]).toMatch(/--idle 0/);
    const [never] = incomingFindings({
      incoming: { ...pbx, tests: [t(0, false)], firstFailingIdleSeconds: 0 },
    });
    expect(never!.advice[0]).toMatch(/rewrite_contact = yes/);
    const [ok] = incomingFindings({
      incoming: { ...pbx, tests: [t(0, true)], longestWorkingIdleSeconds: 0 },
    });
    expect(ok!.title).toBe('The call to your extension reached this registration');
  });
});
