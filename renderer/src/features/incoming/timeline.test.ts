import { describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../../../shared/contracts/incoming.ts';
import { rowTone, rowWord, timelineOf } from './timeline.ts';

const test = (
  id: string,
  idleSeconds: number,
  state: string,
  atMs: number,
  keepAliveSeconds: number | null = null,
) => ({ kind: 'test', id, idleSeconds, keepAliveSeconds, state, atMs }) as IncomingEvent;

describe('inbound-call timeline', () => {
  it('one row per registration from the plan, each turning green or red as it resolves', () => {
    const t = timelineOf([
      {
        kind: 'plan',
        tests: [
          { id: 'idle-15', idleSeconds: 15, keepAliveSeconds: null },
          { id: 'idle-60', idleSeconds: 60, keepAliveSeconds: null },
          { id: 'keepalive-12', idleSeconds: 60, keepAliveSeconds: 12 },
        ],
        expectedDurationMs: 65_000,
      },
      test('idle-15', 15, 'idle', 200),
      test('idle-60', 60, 'idle', 210),
      test('idle-15', 15, 'arrived', 15_300),
      test('idle-60', 60, 'missed', 65_300),
      test('keepalive-12', 60, 'cancelled', 15_400, 12),
      { kind: 'stun', port: 'random', aliveAfterSeconds: 15, deadAfterSeconds: 60, done: true },
    ]);
    expect(t.expectedDurationMs).toBe(65_000);
    expect(t.rows.map((r) => [r.id, r.state, rowTone(r)])).toEqual([
      ['idle-15', 'arrived', 'ok'],
      ['idle-60', 'missed', 'problem'],
      ['keepalive-12', 'cancelled', 'unknown'],
    ]);
    expect(t.rows[0]).toMatchObject({ idleAtMs: 200, resolvedAtMs: 15_300 });
    expect(rowWord(t.rows[2]!)).toBe('stopped');
    expect(t.stun.random).toMatchObject({ aliveAfterSeconds: 15, deadAfterSeconds: 60, done: true });
  });

  it('keeps the PBX prompt', () => {
    const t = timelineOf([{ kind: 'prompt', message: 'Call 1001 now', extension: '1001', waitSeconds: 120 }]);
    expect(t.prompt?.extension).toBe('1001');
  });
});
