/**
 * Binding lifetime — RFC 5780 §4.6. A mapping is created from socket X; after an idle time T a
 * second socket Y sends a Binding request with RESPONSE-PORT set to X's mapped port, so the server
 * answers to X's mapping: if X hears it, the mapping survived T. Instead of the RFC's one-probe-at-a-
 * time search, all probes run in parallel, one fresh X per idle time on a geometric ladder (ratio
 * 1.08, so the estimate is within ±4 %), and the run stops at the first idle time that killed the
 * mapping. Total time ≈ the lifetime itself.
 */
import type { NatEvent, NatLifetime } from '../../../shared/contracts/nat.ts';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { recommendedKeepAlive } from '../../../shared/model/nat-meaning.ts';
import { sleep } from '../clock/clock.ts';
import { addAttribute } from './attribute.ts';
import { ResponsePort } from './attr-response-port.ts';
import { mappedOf, type ProbeContext } from './probe.ts';

export function lifetimeLadder(maxSeconds: number, startSeconds = 1, ratio = 1.08): number[] {
  const out: number[] = [];
  for (let t = startSeconds; t < maxSeconds; t *= ratio) out.push(Math.round(t * 100) / 100);
  out.push(maxSeconds);
  return out;
}

export interface LifetimeOptions {
  ctx: ProbeContext;
  target: Endpoint;
  maxSeconds: number;
  ladder?: number[];
  emit: (e: NatEvent) => void;
}

interface Rung {
  seconds: number;
  mapped: Endpoint | null;
  readyAt: number;
  state: 'pending' | 'alive' | 'dead' | 'failed' | 'cancelled';
}

export async function measureLifetime(o: LifetimeOptions): Promise<NatLifetime> {
  const { ctx, target } = o;
  const rec = ctx.rec;
  rec.start('lifetime', `idle mappings probed with RESPONSE-PORT for up to ${o.maxSeconds} s`);
  const empty = (note: string): NatLifetime => ({
    lifetimeSeconds: null,
    aliveAfterSeconds: null,
    deadAfterSeconds: null,
    maxProbedSeconds: 0,
    recommendedKeepAliveSeconds: null,
    note,
  });

  // control: RESPONSE-PORT must work at all (the server honours it and the answer reaches X)
  const [x0, y0] = await Promise.all([ctx.bind(), ctx.bind()]);
  const c1 = await ctx.probe({ test: 'lifetime', step: 'control: create a mapping', from: x0, to: target });
  const m0 = mappedOf(c1);
  ctx.observeRtt(c1.rttMs);
  if (!m0) {
    rec.finish('lifetime', 'failed', null, 'no answer from the server');
    return empty('no answer from the server');
  }
  const c2 = await ctx.probe({
    test: 'lifetime',
    step: 'control: RESPONSE-PORT answer to a fresh mapping',
    from: y0,
    to: target,
    receiveOn: x0,
    build: (m) => addAttribute(m, ResponsePort, m0.port),
    negative: true,
  });
  if (c2.outcome !== 'response') {
    const note =
      'the server does not honour RESPONSE-PORT (or its answer does not reach the first socket), so the lifetime cannot be measured';
    rec.finish('lifetime', 'failed', null, note);
    return empty(note);
  }

  const ladder = o.ladder ?? lifetimeLadder(o.maxSeconds);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const rungs: Rung[] = ladder.map((seconds) => ({ seconds, mapped: null, readyAt: 0, state: 'pending' }));
  const t0 = ctx.clock.now();
  let aliveMax: number | null = null;
  let deadMin: number | null = null;
  let nonMonotonic = false;
  const progress = () =>
    o.emit({
      kind: 'lifetime',
      server: rec.server,
      run: rec.run,
      elapsedSeconds: Math.round((ctx.clock.now() - t0) / 100) / 10,
      aliveAfterSeconds: aliveMax,
      deadAfterSeconds: deadMin,
      maxProbedSeconds: o.maxSeconds,
    });

  const stoppers = new Map<Rung, AbortController>();
  const stopRung = (r: Rung) => stoppers.get(r)?.abort();
  // one AbortController per rung so a dead verdict cancels only the longer waits
  const tasks = rungs.map((r) => {
    const c = new AbortController();
    stoppers.set(r, c);
    stop.signal.addEventListener('abort', () => c.abort(), { once: true });
    return runRungWith(r, c.signal);
  });
  async function runRungWith(r: Rung, signal: AbortSignal): Promise<void> {
    const x = await ctx.bind();
    const made = await ctx.probe({
      test: 'lifetime',
      step: `create mapping to idle ${r.seconds} s`,
      from: x,
      to: target,
    });
    r.mapped = mappedOf(made);
    if (!r.mapped) {
      r.state = 'failed';
      return;
    }
    r.readyAt = ctx.clock.now();
    if (deadMin !== null && r.seconds > deadMin) {
      r.state = 'cancelled';
      return;
    }
    try {
      await sleep(ctx.clock, r.seconds * 1000, signal);
    } catch {
      r.state = 'cancelled';
      return;
    }
    const y = await ctx.bind();
    const mappedPort = r.mapped.port;
    const out = await ctx.probe({
      test: 'lifetime',
      step: `after ${r.seconds} s idle: RESPONSE-PORT ${mappedPort}`,
      from: y,
      to: target,
      receiveOn: x,
      build: (m) => addAttribute(m, ResponsePort, mappedPort),
      negative: true,
      note: `idle for ${Math.round(ctx.clock.now() - r.readyAt) / 1000} s before the probe`,
    });
    if (out.outcome === 'response') {
      r.state = 'alive';
      if (deadMin !== null && r.seconds > deadMin) nonMonotonic = true;
      aliveMax = Math.max(aliveMax ?? 0, r.seconds);
    } else if (out.outcome === 'timeout') {
      r.state = 'dead';
      deadMin = Math.min(deadMin ?? Infinity, r.seconds);
      for (const other of rungs) if (other.seconds > r.seconds && other.state === 'pending') stopRung(other);
    } else r.state = out.outcome === 'cancelled' ? 'cancelled' : 'failed';
    progress();
  }
  await Promise.all(tasks);
  ctx.signal.removeEventListener('abort', onAbort);
  if (ctx.signal.aborted) throw ctx.signal.reason;

  const alive = aliveMax as number | null;
  const dead = deadMin as number | null;
  let lifetimeSeconds: number | null = null;
  let note: string | null = null;
  if (dead === null) {
    note =
      alive === null ? 'no probe completed' : `the mapping survived ${alive} s idle, the longest time tried`;
  } else if (alive === null) {
    lifetimeSeconds = dead;
    note = `the mapping was already gone after ${dead} s idle (the shortest time tried)`;
  } else {
    lifetimeSeconds = Math.round(((alive + dead) / 2) * 10) / 10;
  }
  if (nonMonotonic) {
    rec.warn(
      'a mapping survived longer than one that had already expired: the NAT refreshes or reuses mappings irregularly, or packets were lost',
    );
    note = [note, 'non-monotonic results (loss?)'].filter(Boolean).join('; ');
  }
  const recommendedKeepAliveSeconds =
    lifetimeSeconds !== null
      ? recommendedKeepAlive(lifetimeSeconds)
      : alive !== null
        ? recommendedKeepAlive(alive)
        : null;
  const result: NatLifetime = {
    lifetimeSeconds,
    aliveAfterSeconds: alive,
    deadAfterSeconds: dead,
    maxProbedSeconds: o.maxSeconds,
    recommendedKeepAliveSeconds,
    note,
  };
  if (lifetimeSeconds !== null)
    rec.finish(
      'lifetime',
      'done',
      String(lifetimeSeconds),
      `idle UDP mappings expire after ${alive ?? 0}–${dead} s (≈${lifetimeSeconds} s); keep-alive every ${recommendedKeepAliveSeconds} s`,
    );
  else rec.finish('lifetime', alive !== null ? 'inconclusive' : 'failed', null, note ?? 'unknown');
  return result;
}
