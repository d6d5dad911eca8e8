import { describe, expect, it } from 'vitest';
import { computeEModel, emodelInputsForPath, mosFromR } from './emodel.ts';

describe('E-model (ITU-T G.107)', () => {
  it('default values give R = 93.2 with the published component values', () => {
    // G.107 §7.7 / Table 3: Ro = 94.77, Is = 1.41, Id = 0.15, Ie,eff = 0, R = 93.2.
    const r = computeEModel();
    expect(r.Ro).toBeCloseTo(94.77, 2);
    expect(r.Is).toBeCloseTo(1.41, 2);
    expect(r.Id).toBeCloseTo(0.15, 2);
    expect(r.R).toBeCloseTo(93.2, 1);
    expect(r.MOS).toBeCloseTo(4.41, 2);
  });

  it('maps R to MOS per Annex B (B-4) at the G.109 category boundaries', () => {
    // G.109 Table 1 / G.107 Figure B.1: R 90 → 4.34, 80 → 4.03, 70 → 3.60, 60 → 3.10, 50 → 2.58.
    for (const [R, mos] of [
      [90, 4.34],
      [80, 4.03],
      [70, 3.6],
      [60, 3.1],
      [50, 2.58],
    ] as const) {
      expect(Math.abs(mosFromR(R) - mos)).toBeLessThanOrEqual(0.01);
    }
    expect(mosFromR(-5)).toBe(1);
    expect(mosFromR(120)).toBe(4.5);
  });

  it('Ie,eff for G.711 with PLC (G.113 Appendix I: Ie 0, Bpl 25.1)', () => {
    // eq. 7-29: Ie,eff = (95 − Ie)·Ppl / (Ppl/BurstR + Bpl)
    expect(computeEModel({ Bpl: 25.1, Ppl: 2 }).IeEff).toBeCloseTo((95 * 2) / 27.1, 6);
    expect(computeEModel({ Bpl: 25.1, Ppl: 2, BurstR: 2 }).IeEff).toBeCloseTo((95 * 2) / 26.1, 6);
    expect(computeEModel({ Bpl: 4.3, Ppl: 1 }).IeEff).toBeCloseTo(95 / 5.3, 6);
  });

  it('Idd is 0 up to 100 ms and follows eq. 7-28 beyond', () => {
    const id = (Ta: number) => computeEModel({ Ta }).Id - computeEModel({ Ta: 0 }).Id;
    expect(id(100)).toBe(0);
    // Ta = 200 ms → X = 1: Idd = 25·((2)^(1/6) − 3·(1 + 3^-6)^(1/6) + 2)
    const X = 1;
    expect(id(200)).toBeCloseTo(
      25 * (Math.pow(1 + X ** 6, 1 / 6) - 3 * Math.pow(1 + (X / 3) ** 6, 1 / 6) + 2),
      6,
    );
    expect(id(400)).toBeGreaterThan(id(200));
  });

  it('R falls with one-way delay as in G.114 Figure 1 (≈ 90 at 150 ms, ≈ 60 at 400 ms)', () => {
    const at = (ms: number) => computeEModel({ Ta: ms, T: ms, Tr: 2 * ms }).R;
    expect(at(150)).toBeGreaterThan(88);
    expect(at(150)).toBeLessThan(91);
    expect(at(400)).toBeGreaterThan(55);
    expect(at(400)).toBeLessThan(70);
    for (let ms = 0; ms < 600; ms += 50) expect(at(ms + 50)).toBeLessThanOrEqual(at(ms));
  });

  it('path inputs are clamped and documented', () => {
    const i = emodelInputsForPath({
      oneWayDelayMs: -5,
      lossPercent: 150,
      burstRatio: 0.5,
      codec: 'pcmu',
      plc: true,
    });
    expect(i).toMatchObject({ Ta: 0, Ppl: 100, BurstR: 1, Bpl: 25.1, Ie: 0 });
    expect(mosFromR(computeEModel(i).R)).toBeGreaterThanOrEqual(1);
  });
});
