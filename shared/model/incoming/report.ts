/**
 * The inbound-call result as the diagnosis reads it (facts) and as the report shows it (section).
 * Pure; used by `natscope incoming`, `natscope diagnose` and the report.
 */
import type { IncomingResult } from '../../contracts/incoming.ts';
import type { DiagnosisFacts } from '../diagnosis/facts.ts';
import type { Report } from '../report/report.ts';

export function incomingFacts(r: IncomingResult): NonNullable<DiagnosisFacts['incoming']> {
  return {
    server: r.server,
    mode: r.mode,
    transport: r.transport,
    tests: r.tests.map((t) => ({
      idleSeconds: t.idleSeconds,
      received: t.received,
      outcome: t.outcome,
      detail: t.detail,
    })),
    longestWorkingIdleSeconds: r.longestWorkingIdleSeconds,
    firstFailingIdleSeconds: r.firstFailingIdleSeconds,
    recommendedKeepAliveSeconds: r.recommendedKeepAliveSeconds,
    keepAlive: r.keepAlive
      ? {
          intervalSeconds: r.keepAlive.intervalSeconds,
          idleSeconds: r.keepAlive.idleSeconds,
          received: r.keepAlive.received,
        }
      : null,
    keepAliveFixes: r.keepAliveFixes,
    stunAgreement: r.stun?.agreement ?? null,
    stunSummary: r.stun?.summary ?? [],
  };
}

export function incomingSection(r: IncomingResult): NonNullable<Report['incoming']> {
  const row = (t: IncomingResult['tests'][number], keepAliveSeconds: number | null) => ({
    idleSeconds: t.idleSeconds,
    keepAliveSeconds,
    outcome: t.outcome,
    arrivedAfterMs: t.arrivedAfterMs,
    from: t.from,
    localSocket: t.localSocket,
  });
  return {
    summary: {
      server: r.server,
      mode: r.mode,
      transport: r.transport,
      longestWorkingIdleSeconds: r.longestWorkingIdleSeconds,
      firstFailingIdleSeconds: r.firstFailingIdleSeconds,
      recommendedKeepAliveSeconds: r.recommendedKeepAliveSeconds,
      keepAliveFixes: r.keepAliveFixes,
      reRegistrationSeconds: r.reRegistrationSeconds,
      stunComparison: r.stun ? `${r.stun.agreement}: ${r.stun.summary.join('; ')}` : null,
      durationMs: r.durationMs,
    },
    tests: [
      ...r.tests.map((t) => row(t, null)),
      ...(r.keepAlive ? [row(r.keepAlive, r.keepAlive.intervalSeconds)] : []),
    ],
    advice: r.advice,
  };
}
