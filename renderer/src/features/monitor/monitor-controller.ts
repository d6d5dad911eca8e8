import { NatScopeError } from '../../../../shared/contracts/errors.ts';
import type {
  MonitorEvent,
  MonitorHistory,
  MonitorInput,
  MonitorSample,
  MonitorSummary,
  TimelinePoint,
} from '../../../../shared/contracts/monitor.ts';
import { readHistoryText } from '../../../../shared/model/monitor/history.ts';
import { SummaryBuilder } from '../../../../shared/model/monitor/summary.ts';
import { RecentEvents, TimelineBuilder } from '../../../../shared/model/monitor/timeline.ts';
import type { SessionStore } from '../../app/session/store.ts';

/** Session slice holding the monitor's view. */
export const MONITOR_VIEW = 'monitor.view';

/**
 * What the Monitor step shows: a live run, the host's saved history, or a history file the user
 * opened. Points and events are bounded (the timeline merges old points; the newest 500 events), so
 * a run left open for a day costs the page no more than one left for a minute.
 */
export interface MonitorView {
  running: boolean;
  source: 'live' | 'saved' | 'file' | null;
  /** History file (host path, or the opened file's name). */
  file: string | null;
  points: TimelinePoint[];
  events: MonitorEvent[];
  summary: MonitorSummary | null;
  /** Intervals already in the history when this run started (it continues them). */
  previousIntervals: number;
  last: MonitorSample | null;
  error: string | null;
}

export const initialMonitorView: MonitorView = {
  running: false,
  source: null,
  file: null,
  points: [],
  events: [],
  summary: null,
  previousIntervals: 0,
  last: null,
  error: null,
};

/** One monitor per window, owned by the session: it keeps running while the user looks elsewhere. */
export class MonitorController {
  private controller: AbortController | null = null;
  private readonly store: SessionStore;

  constructor(store: SessionStore) {
    this.store = store;
    store.onConnectionLost((reason) => {
      if (!this.view().running) return;
      this.controller = null;
      this.set({ running: false, error: `The monitor was cut off: ${reason}` });
    });
    store.onReset(() => this.stop());
  }

  view(): MonitorView {
    return this.store.slice(MONITOR_VIEW, initialMonitorView);
  }

  private set(patch: Partial<MonitorView>): void {
    this.store.setSlice<MonitorView>(MONITOR_VIEW, (v) => ({ ...(v ?? initialMonitorView), ...patch }));
  }

  stop(): void {
    this.controller?.abort();
  }

  /** Runs `monitor.run` until stopped; the view follows every interval and event. */
  async start(input: MonitorInput): Promise<void> {
    this.controller?.abort();
    const c = new AbortController();
    this.controller = c;
    const timeline = new TimelineBuilder(1500);
    const events = new RecentEvents(500);
    const summary = new SummaryBuilder();
    this.store.setSlice<MonitorView>(MONITOR_VIEW, { ...initialMonitorView, running: true, source: 'live' });
    const publish = (last?: MonitorSample) =>
      this.set({
        points: timeline.build(),
        events: events.build(),
        summary: summary.build(),
        ...(last ? { last } : {}),
      });
    try {
      const result = await this.store.bridge.call('monitor.run', input, {
        signal: c.signal,
        onEvent: (e) => {
          if (this.controller !== c) return;
          if (e.kind === 'started') {
            this.set({ file: e.file, previousIntervals: e.previousIntervals });
            return;
          }
          if (e.kind === 'interval') {
            timeline.add(e.sample);
            summary.add(e.sample);
            publish(e.sample);
          } else {
            events.add(e.event);
            summary.add(e.event);
            publish();
          }
        },
      });
      if (this.controller === c) this.set({ summary: result.summary });
    } catch (err) {
      if (this.controller === c)
        this.set({ error: err instanceof NatScopeError ? err.message : String(err) });
    } finally {
      if (this.controller === c) {
        this.controller = null;
        this.set({ running: false });
      }
    }
  }

  /** The host's saved history (the default file, which the CLI and this page write). */
  async loadSaved(): Promise<void> {
    try {
      this.show('saved', await this.store.bridge.call('monitor.history', {}));
    } catch (err) {
      this.set({ error: (err as Error).message });
    }
  }

  /** A history file the user picked (read and parsed here; nothing is sent to the host). */
  openFile(name: string, text: string): void {
    this.show('file', readHistoryText(text, name));
  }

  private show(source: 'saved' | 'file', h: MonitorHistory): void {
    if (this.view().running) return;
    this.set({
      source,
      file: h.file,
      points: h.points,
      events: h.events,
      summary: h.summary,
      previousIntervals: 0,
      last: null,
      error: h.exists
        ? h.skippedLines
          ? `${h.skippedLines} line(s) of ${h.file} were not monitor records and were skipped`
          : null
        : `No history yet at ${h.file}: start the monitor (here, or natscope monitor).`,
    });
  }
}

const controllers = new WeakMap<SessionStore, MonitorController>();

export function monitorController(store: SessionStore): MonitorController {
  let c = controllers.get(store);
  if (!c) controllers.set(store, (c = new MonitorController(store)));
  return c;
}
