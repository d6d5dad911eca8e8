import { describe, expect, it } from 'vitest';
import { buildRegistry, type Feature } from './registry.ts';
import { FEATURES } from './features.ts';

const Nothing = () => null;

describe('UI registry', () => {
  it('orders steps, slot components and verdict rows by their order, whichever feature brings them', () => {
    const extra: Feature = {
      id: 'relay',
      steps: [{ id: 'timeline', title: 'Timeline', summary: '', order: 55, Component: Nothing }],
      slots: [
        { slot: 'nat.cards', id: 'b', order: 30, Component: Nothing },
        { slot: 'nat.cards', id: 'a', order: 20, Component: Nothing },
      ],
      verdicts: [
        {
          id: 'extra',
          title: 'Extra',
          order: 70,
          evaluate: () => ({ tone: 'ok', headline: '', evidence: [] }),
        },
      ],
    };
    const r = buildRegistry([...FEATURES, extra]);
    expect(r.steps.map((s) => s.id)).toEqual([
      'home',
      'network',
      'nat',
      'router',
      'alg',
      'echo',
      'webrtc',
      'timeline',
      'incoming',
      'monitor',
      'report',
    ]);
    expect(r.slots['nat.cards'].map((s) => s.id)).toEqual(['relay.card', 'a', 'b']);
    expect(r.verdicts.map((v) => v.id)).toEqual([
      'public-ip',
      'nat',
      'router',
      'alg',
      'call',
      'relay',
      'webrtc',
      'incoming',
      'extra',
    ]);
  });

  it('refuses two steps with one id', () => {
    const twice: Feature = {
      id: 'x',
      steps: [{ id: 'nat', title: 'again', summary: '', order: 1, Component: Nothing }],
    };
    expect(() => buildRegistry([...FEATURES, twice])).toThrow(/two steps registered with id "nat"/);
  });
});
