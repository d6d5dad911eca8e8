/**
 * The E-model summary of a measured audio path, shared by the SIP echo and the WebRTC echo so both
 * score MOS the same way: G.107 (shared/model/emodel.ts) with mouth-to-ear delay estimated as half
 * the round trip + one 20 ms frame + a jitter buffer of twice the jitter, G.711 with packet-loss
 * concealment (G.113 Appendix I: Ie 0, Bpl 25.1) and the loss burst ratio where it is known.
 */
import type { EModelSummary } from '../contracts/call.ts';
import { computeEModel, emodelInputsForPath } from './emodel.ts';

export const FRAME_MS = 20;

export interface PathFigures {
  rttMs: number | null;
  jitterMs: number | null;
  lossPercent: number;
  /** G.107 §7.5 BurstR (1 = random loss, the default when unknown). */
  burstRatio?: number;
  codec: 'pcmu' | 'pcma';
}

export function emodelSummary(p: PathFigures): EModelSummary {
  const Ta = (p.rttMs ?? 0) / 2 + FRAME_MS + 2 * (p.jitterMs ?? 0);
  const inputs = emodelInputsForPath({
    oneWayDelayMs: Ta,
    lossPercent: p.lossPercent,
    burstRatio: p.burstRatio ?? 1,
    codec: p.codec,
    plc: true,
  });
  const r = computeEModel(inputs);
  return {
    R: round(r.R, 1),
    mos: round(r.MOS, 2),
    inputs: {
      Ta: round(inputs.Ta!, 1),
      rttMs: p.rttMs === null ? null : round(p.rttMs, 1),
      T: round(inputs.T!, 1),
      Tr: round(inputs.Tr!, 1),
      Ppl: round(inputs.Ppl!, 2),
      BurstR: round(inputs.BurstR!, 2),
      Ie: inputs.Ie!,
      Bpl: inputs.Bpl!,
      codec: p.codec,
    },
    Ro: round(r.Ro, 2),
    Is: round(r.Is, 2),
    Id: round(r.Id, 2),
    IeEff: round(r.IeEff, 2),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
