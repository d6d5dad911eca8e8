/**
 * `monitor.run` and `monitor.history`: the long-running watch. Composes the scheduler (injected
 * clock), the probe set (STUN engine, router and call services), the pure event detector
 * (shared/model/monitor) and the history file. Memory stays flat over days: a sample is written and
 * forgotten; what is kept is the detector state and the summary's fixed-size counters.
 *
 * Stopping (cancel, Ctrl-C) is the normal end of a run, so it resolves with the summary instead of
 * failing. The history's path is not part of the contract: the UI (and any web page that reached
 * web mode) always uses the default file in NatScope's state directory; only the CLI may name
 * another one.
 */
import path from 'node:path';
import {
  MonitorInputSchema,
  type MonitorHistory,
  type MonitorInput,
  type MonitorOptions,
  type MonitorRunEvent,
  type MonitorRunResult,
} from '../../../shared/contracts/monitor.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { Clock } from '../../engine/clock/clock.ts';
import type { Network } from '../../engine/net/network.ts';
import { APP_VERSION } from '../../version.ts';
import type { CallContext } from '../call-context.ts';
import { HistoryWriter, replayFile } from './history-file.ts';
import { openProbeSet, type ProbeSetDeps } from './probe-set.ts';
import { runSchedule, type ScheduleEnd } from './scheduler.ts';

export interface MonitorServiceDeps extends Omit<ProbeSetDeps, 'wallNow'> {
  network: Network;
  clock: Clock;
  /** NatScope's state directory (the default history lives there). */
  stateDir: string;
  wallNow?: () => number;
  random?: () => number;
}

export const DEFAULT_HISTORY_NAME = 'monitor-history.jsonl';

/** The options as recorded in the history: everything but the password. */
function recordedOptions(o: MonitorOptions): Record<string, string | number | boolean | null> {
  return {
    intervalSec: o.intervalSec,
    jitter: o.jitter,
    echoEvery: o.echoEvery,
    echoSeconds: o.echoSeconds,
    durationSec: o.durationSec ?? null,
    stunServer: o.stunServer ?? null,
    sipPort: o.sipPort,
    pings: o.pings,
    echoUri: o.echoUri ?? null,
    registrar: o.account?.registrar ?? null,
    user: o.account?.username ?? null,
    router: o.router,
  };
}

export function createMonitorService(deps: MonitorServiceDeps) {
  const wallNow = deps.wallNow ?? Date.now;
  const defaultHistory = () => path.join(deps.stateDir, DEFAULT_HISTORY_NAME);

  async function run(
    input: MonitorInput,
    ctx: CallContext<MonitorRunEvent>,
    opts: { historyPath?: string } = {},
  ): Promise<MonitorRunResult> {
    const parsed = MonitorInputSchema.safeParse(input);
    if (!parsed.success)
      throw new NatScopeError('bad-request', 'invalid monitor options', parsed.error.issues);
    const o = parsed.data;
    if (!o.stunServer && !o.router && !o.account && !o.echoUri)
      throw new NatScopeError(
        'bad-request',
        'nothing to watch: give a STUN server, the router, an account or an echo URI',
      );
    const file = opts.historyPath ?? defaultHistory();
    const { writer, replay } = await HistoryWriter.open(file, { now: wallNow });
    const previousIntervals = replay.intervals;
    let probes;
    try {
      probes = await openProbeSet({ ...deps, wallNow }, o);
    } catch (err) {
      await writer.close();
      throw err;
    }
    const at = () => new Date(wallNow()).toISOString();
    const start = {
      type: 'start',
      at: at(),
      version: APP_VERSION,
      resumed: previousIntervals > 0,
      options: recordedOptions(o),
    } as const;
    await writer.append(start);
    replay.record(start);
    ctx.emit({ kind: 'started', file, resumed: previousIntervals > 0, previousIntervals });

    let intervals = 0;
    let end: ScheduleEnd | 'error';
    let detail: string | null = null;
    try {
      end = await runSchedule({
        clock: deps.clock,
        intervalMs: o.intervalSec * 1000,
        jitter: o.jitter,
        durationMs: o.durationSec === undefined ? undefined : o.durationSec * 1000,
        random: deps.random ?? Math.random,
        signal: ctx.signal,
        firstSeq: replay.nextSeq,
        tick: async (seq) => {
          const sample = await probes.run(seq, ctx.signal).catch((err: unknown) => {
            if (ctx.signal.aborted) return null; // a stopped interval is dropped, not half-written
            throw err;
          });
          if (!sample) return;
          const events = replay.observe(sample);
          await writer.append(sample);
          intervals++;
          ctx.emit({ kind: 'interval', sample });
          for (const e of events) {
            await writer.append(e);
            ctx.emit({ kind: 'event', event: e });
          }
        },
      });
    } catch (err) {
      end = 'error';
      detail = (err as Error).message;
    }

    await probes.close();
    const stop = { type: 'stop', at: at(), reason: end, detail, intervals } as const;
    await writer.append(stop).catch(() => {});
    await writer.close();
    if (end === 'error') throw new NatScopeError('internal', `monitor stopped: ${detail}`);
    return { file, stoppedBy: end, intervals, summary: replay.summary.build() };
  }

  /**
   * A history downsampled for the timeline (read-only; works while a monitor writes). The contract's
   * `monitor.history` reads the default file; another file only comes from the CLI.
   */
  async function history(file = defaultHistory()): Promise<MonitorHistory> {
    const { replay, exists } = await replayFile(file);
    return replay.result(file, exists);
  }

  return { run, history, defaultHistoryPath: defaultHistory };
}

export type MonitorService = ReturnType<typeof createMonitorService>;
