import { describe, expect, it } from 'vitest';
import { readHistoryText } from './history.ts';
import { SummaryBuilder, summaryText } from './summary.ts';
import { TimelineBuilder } from './timeline.ts';
import { detect, initialDetectorState } from './detect.ts';
import { sampleAt, withStun } from './testing.ts';

const utcHour = (iso: string) => new Date(iso).getUTCHours();

describe('monitor summary', () => {
  it('counts events, finds the worst hour of day by loss and says it in one line', () => {
    const b = new SummaryBuilder(utcHour);
    b.add({ type: 'start', at: '2025-01-01T18:00:00.000Z', version: 't', resumed: false, options: {} });
    // 18:00–19:00 clean, 19:00–20:00 lossy (samples are 60 s apart from 18:00 UTC)
    for (let i = 0; i < 120; i++) {
      const lossy = i >= 60;
      b.add(
        withStun(sampleAt(i), {
          lossPercent: lossy ? 10 : 0,
          pings: { sent: 20, received: lossy ? 18 : 20 },
        }),
      );
    }
    for (const at of ['2025-01-01T19:10:00.000Z', '2025-01-01T19:20:00.000Z', '2025-01-01T19:30:00.000Z'])
      b.add({
        type: 'event',
        kind: 'public-ip-changed',
        seq: 1,
        at,
        severity: 'warning',
        title: 'x',
        before: 'a',
        after: 'b',
        evidence: {},
        advice: [],
        findingId: null,
      });
    const s = b.build();
    expect(s.worstHour).toEqual({ hour: 19, lossPercent: 10, events: 3, intervals: 60 });
    expect(s.lossPercent).toBe(5);
    expect(s.eventCounts).toEqual({ 'public-ip-changed': 3 });
    expect(summaryText(s)).toBe(
      '3 public IP changes, worst hour 19:00–20:00 (loss 10.0 %), loss 5.0 % overall, 120 intervals',
    );
  });

  it('an empty history says so', () => {
    expect(summaryText(new SummaryBuilder().build())).toBe('no events, 0 intervals');
  });
});

describe('monitor timeline', () => {
  it('stays bounded and keeps the worst values of merged intervals', () => {
    const t = new TimelineBuilder(100);
    for (let i = 0; i < 1000; i++) t.add(withStun(sampleAt(i), { lossPercent: i === 537 ? 40 : 0 }));
    const pts = t.build();
    expect(pts.length).toBeLessThanOrEqual(100);
    expect(pts.reduce((n, p) => n + p.n, 0)).toBe(1000);
    expect(Math.max(...pts.map((p) => p.lossPercent ?? 0))).toBe(40);
  });
});

describe('monitor history text', () => {
  it('replays records, skips a torn last line and rebuilds the next sequence number', () => {
    let state = initialDetectorState;
    const lines = [
      JSON.stringify({
        type: 'start',
        at: '2025-01-01T18:00:00.000Z',
        version: 't',
        resumed: false,
        options: {},
      }),
    ];
    for (let i = 0; i < 5; i++) {
      const s = sampleAt(i, i >= 3 ? { publicIp: '198.51.100.7' } : {});
      const r = detect(
        state,
        i >= 3 ? withStun(s, { sipPort: { local: 'l', mapped: '198.51.100.7:5060', rttMs: 1 } }) : s,
      );
      state = r.state;
      lines.push(JSON.stringify(s), ...r.events.map((e) => JSON.stringify(e)));
    }
    const text = `${lines.join('\n')}\n{"type":"interval","seq":5,"at":"2025-01-0`;
    const h = readHistoryText(text);
    expect(h.skippedLines).toBe(1);
    expect(h.summary.intervals).toBe(5);
    expect(h.summary.eventCounts).toEqual({ 'public-ip-changed': 1 });
    expect(h.events[0]!.after).toBe('198.51.100.7');
    expect(h.points).toHaveLength(5);
  });
});
