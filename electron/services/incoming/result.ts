/**
 * The inbound-call test's result from its probes: the verdict (verdict.ts), the keep-alive check
 * that matches it, the STUN comparison (compare.ts), the advice table and the findings — the same
 * findings `natscope diagnose` gives (diagnosis/incoming-rules.ts).
 */
import type { IncomingResult, KeepAliveRun, StunComparison } from '../../../shared/contracts/incoming.ts';
import { incomingFindings } from '../../../shared/model/diagnosis/incoming-rules.ts';
import { compareLifetimes } from '../../../shared/model/incoming/compare.ts';
import { incomingFacts } from '../../../shared/model/incoming/report.ts';
import { chosenCandidate, idleVerdict } from '../../../shared/model/incoming/verdict.ts';
import { keepAliveAdvice, RECOMMENDED_REREGISTER_SECONDS } from '../../../shared/model/keepalive-advice.ts';
import type { StunCompareOutcome } from './stun-compare.ts';
import type { UnitResult } from './probes.ts';

export interface ResultInput {
  mode: IncomingResult['mode'];
  server: string;
  serverAddress: string;
  transport: IncomingResult['transport'];
  startedAt: string;
  durationMs: number;
  units: UnitResult[];
  stun: (StunCompareOutcome & { server: string }) | null;
  warnings: string[];
}

export function assembleResult(i: ResultInput): IncomingResult {
  const tests = i.units
    .filter((u) => !u.unit.candidate)
    .map((u) => u.test)
    .sort((a, b) => a.idleSeconds - b.idleSeconds);
  const v = idleVerdict(tests);
  const runs = i.units.filter((u) => u.unit.candidate);
  const chosen = chosenCandidate(
    runs.map((u) => ({ ...u.unit.candidate!, run: u.keepAlive })),
    v,
  );
  // A keep-alive interval the user chose is reported even when nothing failed.
  const fixed = runs.find((u) => u.unit.candidate!.ifLongestWorking === null);
  const keepAlive: KeepAliveRun | null = chosen?.run ?? fixed?.keepAlive ?? null;
  const sip = { aliveAfterSeconds: v.longestWorkingIdleSeconds, deadAfterSeconds: v.firstFailingIdleSeconds };
  let stun: StunComparison | null = null;
  if (i.stun) {
    const cmp = compareLifetimes({ sip, randomPort: i.stun.randomPort, sipPort: i.stun.sipPort });
    stun = {
      server: i.stun.server,
      randomPort: i.stun.randomPort,
      sipPort: i.stun.sipPort,
      agreement: cmp.agreement,
      summary: cmp.summary,
    };
  }
  const result: IncomingResult = {
    mode: i.mode,
    server: i.server,
    serverAddress: i.serverAddress,
    transport: i.transport,
    startedAt: i.startedAt,
    durationMs: i.durationMs,
    tests,
    longestWorkingIdleSeconds: v.longestWorkingIdleSeconds,
    firstFailingIdleSeconds: v.firstFailingIdleSeconds,
    recommendedKeepAliveSeconds: v.recommendedKeepAliveSeconds,
    keepAlive,
    keepAliveFixes: keepAlive && v.firstFailingIdleSeconds !== null ? keepAlive.received : null,
    stun,
    advice:
      v.recommendedKeepAliveSeconds === null
        ? []
        : keepAliveAdvice({ keepAliveSeconds: v.recommendedKeepAliveSeconds, transport: i.transport }),
    reRegistrationSeconds: RECOMMENDED_REREGISTER_SECONDS,
    findings: [],
    warnings: i.warnings,
    messages: mergeLogs(i.units),
  };
  result.findings = incomingFindings({ incoming: incomingFacts(result) });
  return result;
}

/** Every flow's SIP messages on one timeline, each labelled with its flow ("idle-30"). */
function mergeLogs(units: UnitResult[]): IncomingResult['messages'] {
  return units
    .flatMap((u) => u.unit.log.all().map((m) => ({ ...m, flow: u.unit.id })))
    .sort((a, b) => a.atMs - b.atMs)
    .map((m, index) => ({ ...m, index }));
}
