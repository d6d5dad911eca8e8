/** Human output of `natscope incoming`. */
import type { IncomingResult, IncomingTest } from '../../../shared/contracts/incoming.ts';
import { describeBracket } from '../../../shared/model/incoming/compare.ts';
import { heading, keyValues, table } from '../format.ts';

const MARK = { ok: 'OK', info: 'INFO', warning: 'WARN', problem: 'PROBLEM' } as const;

const resultText = (t: IncomingTest) =>
  t.outcome === 'arrived' ? 'arrived' : t.outcome === 'missed' ? 'NO CALL' : t.outcome.toUpperCase();

const seconds = (ms: number | null) => (ms === null ? null : `${(ms / 1000).toFixed(1)} s`);

export function printIncoming(r: IncomingResult, out: (s: string) => void, messages: boolean): void {
  out(
    heading(
      `Incoming calls (${r.mode === 'pbx' ? 'your PBX' : 'natscope server'} ${r.server}, ${r.transport.toUpperCase()})`,
    ),
  );
  out(
    table(
      ['Idle s', 'Result', 'Arrived after', 'From', 'On local socket', 'Server saw us as'],
      r.tests.map((t) => [
        t.idleSeconds,
        resultText(t),
        seconds(t.arrivedAfterMs),
        t.from,
        t.localSocket,
        t.mappedAddress,
      ]),
    ),
  );
  const notes = r.tests
    .filter((t) => t.outcome !== 'arrived' && t.detail)
    .map((t) => `  ${t.idleSeconds} s: ${t.detail}`);
  if (notes.length) out(notes.join('\n'));
  out('');
  const k = r.keepAlive;
  out(
    keyValues([
      [
        'Longest working idle',
        r.longestWorkingIdleSeconds === null ? 'none' : `${r.longestWorkingIdleSeconds} s`,
      ],
      ['First failing idle', r.firstFailingIdleSeconds === null ? 'none' : `${r.firstFailingIdleSeconds} s`],
      [
        'Recommended keep-alive',
        r.recommendedKeepAliveSeconds === null ? '—' : `every ${r.recommendedKeepAliveSeconds} s`,
      ],
      [
        'Keep-alive check',
        k
          ? `${k.method} every ${k.intervalSeconds} s, idle ${k.idleSeconds} s: ${resultText(k)} (${k.sent} sent, ${k.pongs} answered${k.pongsMissed ? `, ${k.pongsMissed} pongs missing` : ''})`
          : 'not run',
      ],
      ['Keep-alives fix it', r.keepAliveFixes === null ? '—' : r.keepAliveFixes ? 'yes' : 'NO'],
      ['Re-registration', `keep it separate and long: ${r.reRegistrationSeconds / 60} min`],
      ['Duration', seconds(r.durationMs)],
    ]),
  );
  if (r.stun) {
    out(heading(`STUN binding lifetime (${r.stun.server}): ${r.stun.agreement}`));
    for (const [name, b] of [
      ['random port', r.stun.randomPort],
      ['local port 5060', r.stun.sipPort],
    ] as const)
      out(`  ${name}: ${b ? `${describeBracket(b)}${b.note ? ` (${b.note})` : ''}` : 'not measured'}`);
    for (const s of r.stun.summary) out(`  → ${s}`);
  }
  if (r.findings.length) {
    out(heading('Findings'));
    for (const f of r.findings) {
      out(`\n[${MARK[f.severity]}] ${f.title}  (${f.id})`);
      for (const a of f.advice) out(`  → ${a}`);
    }
  }
  if (r.advice.length) {
    out(heading(`Where to set a keep-alive every ${r.recommendedKeepAliveSeconds} s`));
    for (const a of r.advice) {
      out(`\n${a.product}`);
      for (const k of a.keepAlive) out(`  keep-alive:      ${k}`);
      out(`  re-registration: ${a.reRegistration}`);
    }
  }
  for (const w of r.warnings) out(`warning: ${w}`);
  if (messages)
    for (const m of r.messages)
      out(`\n--- [${m.flow}] ${m.direction} ${m.remote} at ${m.atMs} ms ---\n${m.raw}`);
}
