import type { MonitorRecord, MonitorSummary } from '../../contracts/monitor.ts';
import { EVENT_LABEL, MONITOR_EVENT_KINDS, type MonitorEventKind } from './event-kinds.ts';

/**
 * The history's summary, built record by record in constant memory (24 hour-of-day buckets, a few
 * counters), so it covers a week-long history as cheaply as a minute. "Worst hour" is the hour of
 * day with the most loss, then the most events: the evening every day, not one bad evening.
 */
const MAX_IPS = 20;

interface HourBucket {
  lossSum: number;
  lossN: number;
  events: number;
  intervals: number;
}

/** Hour of day (0–23) in this computer's time zone. */
export const localHour = (iso: string): number => new Date(iso).getHours();

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export class SummaryBuilder {
  private from: string | null = null;
  private to: string | null = null;
  private intervals = 0;
  private runs = 0;
  private readonly counts = new Map<MonitorEventKind, number>();
  private readonly ips: string[] = [];
  private loss = { sum: 0, n: 0, max: null as number | null };
  private rtt = { sum: 0, n: 0 };
  private echo = { calls: 0, mosSum: 0, mosN: 0, mosMin: null as number | null };
  private reg = { ok: 0, failed: 0 };
  private readonly hours: HourBucket[] = Array.from({ length: 24 }, () => ({
    lossSum: 0,
    lossN: 0,
    events: 0,
    intervals: 0,
  }));
  private readonly hourOf: (iso: string) => number;

  constructor(hourOf: (iso: string) => number = localHour) {
    this.hourOf = hourOf;
  }

  add(r: MonitorRecord): void {
    if (r.type === 'start') {
      this.runs++;
      return;
    }
    if (r.type === 'stop') return;
    const hour = this.hours[this.hourOf(r.at)];
    if (r.type === 'event') {
      this.counts.set(r.kind, (this.counts.get(r.kind) ?? 0) + 1);
      if (hour) hour.events++;
      return;
    }
    this.from ??= r.at;
    this.to = r.at;
    this.intervals++;
    if (hour) hour.intervals++;
    if (r.publicIp && !this.ips.includes(r.publicIp) && this.ips.length < MAX_IPS) this.ips.push(r.publicIp);
    const loss = r.stun?.lossPercent ?? null;
    if (loss !== null) {
      this.loss.sum += loss;
      this.loss.n++;
      this.loss.max = Math.max(this.loss.max ?? 0, loss);
      if (hour) {
        hour.lossSum += loss;
        hour.lossN++;
      }
    }
    if (r.stun?.rttMs != null) {
      this.rtt.sum += r.stun.rttMs;
      this.rtt.n++;
    }
    if (r.echo) {
      this.echo.calls++;
      if (r.echo.mos !== null) {
        this.echo.mosSum += r.echo.mos;
        this.echo.mosN++;
        this.echo.mosMin = Math.min(this.echo.mosMin ?? 5, r.echo.mos);
      }
    }
    if (r.registration) this.reg[r.registration.ok ? 'ok' : 'failed']++;
  }

  build(): MonitorSummary {
    let worst: MonitorSummary['worstHour'] = null;
    let worstKey = [0, 0];
    this.hours.forEach((h, hour) => {
      if (h.intervals === 0 && h.events === 0) return;
      const loss = h.lossN ? h.lossSum / h.lossN : null;
      const key = [loss ?? 0, h.events];
      if (key[0]! > worstKey[0]! || (key[0] === worstKey[0] && key[1]! > worstKey[1]!)) {
        worstKey = key;
        worst = {
          hour,
          lossPercent: loss === null ? null : round(loss),
          events: h.events,
          intervals: h.intervals,
        };
      }
    });
    return {
      from: this.from,
      to: this.to,
      intervals: this.intervals,
      runs: this.runs,
      eventCounts: Object.fromEntries(
        MONITOR_EVENT_KINDS.filter((k) => this.counts.has(k)).map((k) => [k, this.counts.get(k)!]),
      ),
      publicIps: [...this.ips],
      lossPercent: this.loss.n ? round(this.loss.sum / this.loss.n, 2) : null,
      maxLossPercent: this.loss.max,
      rttMs: this.rtt.n ? round(this.rtt.sum / this.rtt.n) : null,
      echoCalls: this.echo.calls,
      mosMean: this.echo.mosN ? round(this.echo.mosSum / this.echo.mosN, 2) : null,
      mosMin: this.echo.mosMin,
      registrations: { ...this.reg },
      worstHour: worst,
    };
  }
}

const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;

/** "3 public IP changes, 1 router reboot, worst hour 19:00–20:00 (loss 4.1 %), loss 0.8 % overall, 142 intervals". */
export function summaryText(s: MonitorSummary): string {
  const parts: string[] = [];
  for (const k of MONITOR_EVENT_KINDS) {
    const n = s.eventCounts[k];
    if (n) parts.push(`${n} ${EVENT_LABEL[k][n === 1 ? 0 : 1]}`);
  }
  if (parts.length === 0) parts.push('no events');
  const w = s.worstHour;
  if (w && (w.events > 0 || (w.lossPercent ?? 0) > 0))
    parts.push(
      `worst hour ${hh(w.hour)}–${hh(w.hour + 1)}${w.lossPercent !== null ? ` (loss ${w.lossPercent.toFixed(1)} %)` : ''}`,
    );
  if (s.lossPercent !== null) parts.push(`loss ${s.lossPercent.toFixed(1)} % overall`);
  if (s.mosMean !== null) parts.push(`MOS ${s.mosMean.toFixed(2)} mean, ${s.mosMin?.toFixed(2)} worst`);
  parts.push(`${s.intervals} interval${s.intervals === 1 ? '' : 's'}`);
  return parts.join(', ');
}
