/**
 * Combines discovery runs (several servers and/or repeated runs) into one answer: each field takes
 * the value most capable runs agree on, every disagreement is listed, and a confidence level says
 * how much the headline can be trusted.
 */
import type { NatConfidence, NatDisagreement, NatServerRun } from '../contracts/nat.ts';

export const COMPARED_FIELDS = [
  'mapping',
  'filtering',
  'hairpinning',
  'natDetected',
  'udpBlocked',
  'portPreserved',
  'classic',
] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

export interface Comparison {
  /** The run whose details (tests, addresses) head the report. */
  primary: NatServerRun;
  values: { [K in ComparedField]: NatServerRun[K] };
  disagreements: NatDisagreement[];
  confidence: NatConfidence;
  confidenceReason: string;
}

export function compareRuns(runs: readonly NatServerRun[]): Comparison {
  if (runs.length === 0) throw new Error('compareRuns: no runs');
  const capable = runs.filter((r) => r.serverCapable);
  const pool = capable.length > 0 ? capable : runs.filter((r) => r.serverKind !== 'unreachable');
  const basis = pool.length > 0 ? pool : [...runs];
  const primary = basis[0]!;
  const values = {} as Comparison['values'];
  const disagreements: NatDisagreement[] = [];
  for (const field of COMPARED_FIELDS) {
    // unknown (null) answers neither win nor count as disagreement
    const known = basis.filter((r) => r[field] !== null);
    const counts = new Map<string, { n: number; value: unknown }>();
    for (const r of known) {
      const key = JSON.stringify(r[field]);
      const c = counts.get(key) ?? { n: 0, value: r[field] };
      c.n++;
      counts.set(key, c);
    }
    let best: { n: number; value: unknown } | undefined;
    for (const c of counts.values()) if (!best || c.n > best.n) best = c;
    // a tie keeps the primary run's answer
    const top = best;
    if (top && [...counts.values()].filter((c) => c.n === top.n).length > 1) {
      best = { n: top.n, value: primary[field] ?? top.value };
    }
    (values as Record<string, unknown>)[field] = best ? best.value : primary[field];
    if (counts.size > 1) {
      disagreements.push({
        field,
        values: known.map((r) => ({ server: r.server, run: r.run, value: r[field] })),
      });
    }
  }
  let confidence: NatConfidence;
  let confidenceReason: string;
  if (capable.length === 0) {
    confidence = 'low';
    confidenceReason = runs.every((r) => r.udpBlocked)
      ? 'no STUN answer over UDP from any server'
      : 'no server could run the behaviour tests; only the mapped address is known';
    if (runs.every((r) => r.udpBlocked) && runs.length > 1) confidence = 'medium';
  } else if (disagreements.length > 0) {
    confidence = 'low';
    confidenceReason = `results disagree on ${disagreements.map((d) => d.field).join(', ')}`;
  } else if (capable.length >= 2) {
    confidence = 'high';
    confidenceReason = `${capable.length} independent runs agree`;
  } else {
    confidence = 'medium';
    confidenceReason = 'one capable server, one run: add a second server or --runs 2 to confirm';
  }
  return { primary, values, disagreements, confidence, confidenceReason };
}
