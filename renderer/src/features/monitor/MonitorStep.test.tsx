// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitorRunEvent } from '../../../../shared/contracts/monitor.ts';
import { detect, initialDetectorState } from '../../../../shared/model/monitor/detect.ts';
import { sampleAt, withStun } from '../../../../shared/model/monitor/testing.ts';
import { renderWithSession, tableBridge } from '../../testing/render-app.tsx';
import { MonitorStep } from './MonitorStep.tsx';

afterEach(cleanup);

// jsdom's File has no text() (browsers have had it since 2020).
if (typeof File.prototype.text !== 'function')
  File.prototype.text = function (this: File) {
    return new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result));
      r.readAsText(this);
    });
  };

const defaults = {
  stunServers: ['stun.example:3478'],
  echoUri: 'sip:echo@example',
  reflector: null,
  source: 'built-in',
};
const moved = (i: number) =>
  withStun(sampleAt(i, { publicIp: '198.51.100.7' }), {
    sipPort: { local: '192.168.1.10:5060', mapped: '198.51.100.7:5060', rttMs: 2 },
  });

describe('Monitor step', () => {
  it('starts monitor.run with the form, follows intervals and events live, and stops', async () => {
    let emit: (e: MonitorRunEvent) => void = () => {};
    let input: unknown = null;
    let finish: (v: unknown) => void = () => {};
    const bridge = tableBridge({
      'app.checkDefaults': async () => defaults,
      'monitor.run': (i: unknown, o?: { onEvent?: (e: MonitorRunEvent) => void }) => {
        input = i;
        emit = o?.onEvent ?? (() => {});
        return new Promise((r) => (finish = r));
      },
    } as never);
    await renderWithSession(<MonitorStep />, bridge);
    await waitFor(() =>
      expect(screen.getByLabelText('STUN server')).toHaveProperty('value', 'stun.example:3478'),
    );
    fireEvent.change(screen.getByLabelText('Interval (s)'), { target: { value: '30' } });
    fireEvent.click(screen.getByText('Start monitoring'));
    expect(input).toEqual({
      stunServer: 'stun.example:3478',
      intervalSec: 30,
      echoUri: 'sip:echo@example',
      echoEvery: 10,
      echoSeconds: 10,
      sipPort: 5060,
      router: true,
    });
    const first = sampleAt(0);
    const second = moved(1);
    const found = detect(detect(initialDetectorState, first).state, second);
    act(() => {
      emit({ kind: 'started', file: '/state/monitor-history.jsonl', resumed: true, previousIntervals: 12 });
      emit({ kind: 'interval', sample: first });
      emit({ kind: 'interval', sample: second });
      for (const event of found.events) emit({ kind: 'event', event });
    });
    expect(screen.getByTestId('monitor-summary').textContent).toMatch(
      /This run \(the history had 12 intervals before\)1 public IP change/,
    );
    expect(screen.getByTestId('monitor-last').textContent).toMatch(/#1 .*198\.51\.100\.7/);
    expect(screen.getByTestId('monitor-events').textContent).toContain(
      'Public IP changed from 203.0.113.2 to 198.51.100.7',
    );
    expect(screen.getByText('Stop monitoring')).toBeTruthy();
    await act(async () => {
      finish({
        file: '/state/monitor-history.jsonl',
        stoppedBy: 'stopped',
        intervals: 2,
        summary: {
          from: null,
          to: null,
          intervals: 14,
          runs: 2,
          eventCounts: { 'public-ip-changed': 1 },
          publicIps: [],
          lossPercent: 0,
          maxLossPercent: 0,
          rttMs: 2,
          echoCalls: 0,
          mosMean: null,
          mosMin: null,
          registrations: { ok: 14, failed: 0 },
          worstHour: null,
        },
      });
    });
    expect(screen.getByText('Start monitoring')).toBeTruthy();
    expect(screen.getByTestId('monitor-summary').textContent).toMatch(/14 intervals/);
  });

  it('opens a history file in the page, skipping lines that are not records', async () => {
    const bridge = tableBridge({ 'app.checkDefaults': async () => defaults } as never);
    await renderWithSession(<MonitorStep />, bridge);
    const lines = [sampleAt(0), moved(1)].map((s) => JSON.stringify(s));
    const e = detect(detect(initialDetectorState, sampleAt(0)).state, moved(1)).events[0]!;
    const text = `${lines.join('\n')}\n${JSON.stringify(e)}\nnot json\n`;
    const file = new File([text], 'isp-week.jsonl');
    await act(async () => {
      fireEvent.change(screen.getByLabelText('History file'), { target: { files: [file] } });
    });
    await waitFor(() =>
      expect(screen.getByTestId('monitor-summary').textContent).toMatch(/Opened file1 public IP change/),
    );
    expect(screen.getByRole('status').textContent).toMatch(
      /1 line\(s\) of isp-week.jsonl were not monitor records/,
    );
    expect(screen.getByTestId('monitor-events').textContent).toContain('Public IP changed');
  });
});
