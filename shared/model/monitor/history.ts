import {
  MonitorRecordSchema,
  type MonitorEvent,
  type MonitorHistory,
  type MonitorRecord,
  type MonitorSample,
  type MonitorSummary,
} from '../../contracts/monitor.ts';
import { detect, initialDetectorState, type DetectorState } from './detect.ts';
import { localHour, SummaryBuilder } from './summary.ts';
import { RecentEvents, TimelineBuilder } from './timeline.ts';

/**
 * Reading a monitor history (JSON lines). Every line is validated; a line that is not a record (the
 * torn last line of a power cut, a hand edit) is counted and skipped, never fatal. The same replay
 * serves the service (resume: detector state, next sequence number, summary) and the renderer (a
 * history file the user opened).
 */
export function parseHistoryLine(line: string): MonitorRecord | null {
  const t = line.trim();
  if (!t.startsWith('{')) return null;
  try {
    const r = MonitorRecordSchema.safeParse(JSON.parse(t));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export class HistoryReplay {
  detector: DetectorState = initialDetectorState;
  /** Sequence number the next interval gets. */
  nextSeq = 0;
  intervals = 0;
  skipped = 0;
  readonly summary: SummaryBuilder;
  /** The timeline view (points and recent events); absent for a running monitor, which needs neither. */
  readonly timeline: TimelineBuilder | null;
  readonly events: RecentEvents | null;

  constructor(o: { hourOf?: (iso: string) => number; maxPoints?: number; view?: boolean } = {}) {
    this.summary = new SummaryBuilder(o.hourOf ?? localHour);
    const view = o.view ?? true;
    this.timeline = view ? new TimelineBuilder(o.maxPoints ?? 1500) : null;
    this.events = view ? new RecentEvents(500) : null;
  }

  /** Adds one line of the file; returns the record, or null if the line was skipped. */
  line(text: string): MonitorRecord | null {
    if (text.trim() === '') return null;
    const r = parseHistoryLine(text);
    if (!r) {
      this.skipped++;
      return null;
    }
    this.record(r);
    return r;
  }

  /** A record read back from the file: events are not re-detected (the file has them), only the state. */
  record(r: MonitorRecord): void {
    if (r.type === 'interval') this.interval(r);
    else {
      this.summary.add(r);
      if (r.type === 'event') this.events?.add(r);
    }
  }

  /** A new interval: updates the state and returns the events it reveals (added here too). */
  observe(s: MonitorSample): MonitorEvent[] {
    const events = this.interval(s);
    for (const e of events) this.record(e);
    return events;
  }

  private interval(s: MonitorSample): MonitorEvent[] {
    const found = detect(this.detector, s);
    this.detector = found.state;
    this.summary.add(s);
    this.timeline?.add(s);
    this.nextSeq = Math.max(this.nextSeq, s.seq + 1);
    this.intervals++;
    return found.events;
  }

  result(file: string, exists: boolean): MonitorHistory {
    return {
      file,
      exists,
      summary: this.summary.build(),
      points: this.timeline?.build() ?? [],
      events: this.events?.build() ?? [],
      skippedLines: this.skipped,
    };
  }
}

/** Replays a whole history text (a file the user opened in the UI). */
export function readHistoryText(
  text: string,
  file = 'history',
): MonitorHistory & { summary: MonitorSummary } {
  const replay = new HistoryReplay();
  for (const line of text.split('\n')) replay.line(line);
  return replay.result(file, true);
}
