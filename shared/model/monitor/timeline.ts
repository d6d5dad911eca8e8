import type { MonitorEvent, MonitorSample, TimelinePoint } from '../../contracts/monitor.ts';

/**
 * Timeline points for the charts, in bounded memory: one point per interval until `maxPoints`,
 * then neighbours are merged in pairs (halving the resolution) and merged points keep the worst
 * value of each metric, so a one-minute loss burst stays visible in a week-long chart.
 */
export function pointOf(s: MonitorSample): TimelinePoint {
  return {
    t: Date.parse(s.at),
    seq: s.seq,
    n: 1,
    lossPercent: s.stun?.lossPercent ?? s.echo?.lossPercent ?? null,
    rttMs: s.stun?.rttMs ?? s.echo?.rttMs ?? null,
    jitterMs: s.stun?.jitterMs ?? s.echo?.jitterMs ?? null,
    mos: s.echo?.mos ?? null,
    publicIp: s.publicIp,
    registrationOk: s.registration?.ok ?? null,
  };
}

const worst = (a: number | null, b: number | null, pick: (x: number, y: number) => number) =>
  a === null ? b : b === null ? a : pick(a, b);

export function mergePoints(a: TimelinePoint, b: TimelinePoint): TimelinePoint {
  return {
    t: a.t,
    seq: a.seq,
    n: a.n + b.n,
    lossPercent: worst(a.lossPercent, b.lossPercent, Math.max),
    rttMs: worst(a.rttMs, b.rttMs, Math.max),
    jitterMs: worst(a.jitterMs, b.jitterMs, Math.max),
    mos: worst(a.mos, b.mos, Math.min),
    publicIp: b.publicIp ?? a.publicIp,
    registrationOk:
      a.registrationOk === false || b.registrationOk === false
        ? false
        : (b.registrationOk ?? a.registrationOk),
  };
}

export class TimelineBuilder {
  private points: TimelinePoint[] = [];
  /** Intervals per point at the current resolution. */
  private width = 1;
  private readonly maxPoints: number;

  constructor(maxPoints = 1500) {
    this.maxPoints = Math.max(2, maxPoints);
  }

  add(s: MonitorSample): void {
    this.addPoint(pointOf(s));
  }

  /** A point already built (e.g. a saved history's, to which live intervals are then added). */
  addPoint(p: TimelinePoint): void {
    const last = this.points.at(-1);
    if (last && last.n + p.n <= this.width) this.points[this.points.length - 1] = mergePoints(last, p);
    else this.points.push(p);
    if (this.points.length > this.maxPoints) {
      const merged: TimelinePoint[] = [];
      for (let i = 0; i < this.points.length; i += 2) {
        const b = this.points[i + 1];
        merged.push(b ? mergePoints(this.points[i]!, b) : this.points[i]!);
      }
      this.points = merged;
      this.width *= 2;
    }
  }

  build(): TimelinePoint[] {
    return [...this.points];
  }
}

/** The most recent `max` events (a flapping link must not grow the view without bound). */
export class RecentEvents {
  private list: MonitorEvent[] = [];
  private readonly max: number;
  constructor(max = 500) {
    this.max = max;
  }
  add(e: MonitorEvent): void {
    this.list.push(e);
    if (this.list.length > this.max * 2) this.list = this.list.slice(-this.max);
  }
  build(): MonitorEvent[] {
    return this.list.slice(-this.max);
  }
}
