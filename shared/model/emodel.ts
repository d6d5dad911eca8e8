/**
 * The E-model, ITU-T G.107 (06/2015) §7: transmission rating factor R = Ro − Is − Id − Ie,eff + A,
 * and its mapping to MOS-CQE (Annex B, eq. B-4). Pure: all inputs explicit, defaults from
 * G.107 Table 3. Equation numbers in comments refer to G.107 (06/2015).
 */
export interface EModelInputs {
  /** Send / receive loudness ratings, dB. */
  SLR: number;
  RLR: number;
  /** Sidetone masking / listener sidetone ratings, dB. */
  STMR: number;
  LSTR: number;
  /** D-values of telephone send / receive side. */
  Ds: number;
  Dr: number;
  /** Talker echo loudness rating, dB. */
  TELR: number;
  /** Weighted echo path loss, dB. */
  WEPL: number;
  /** Mean one-way delay of the echo path, ms. */
  T: number;
  /** Round-trip delay in a 4-wire loop, ms. */
  Tr: number;
  /** Absolute delay in echo-free connections (mouth-to-ear), ms. */
  Ta: number;
  /** Number of quantization distortion units. */
  qdu: number;
  /** Equipment impairment factor of the codec (G.113 Appendix I; G.711 = 0). */
  Ie: number;
  /** Packet-loss robustness factor of the codec (G.113 Appendix I). */
  Bpl: number;
  /** Random packet-loss probability, %. */
  Ppl: number;
  /** Burst ratio (1 = random loss). */
  BurstR: number;
  /** Circuit noise referred to the 0 dBr point, dBm0p. */
  Nc: number;
  /** Noise floor at the receive side, dBmp. */
  Nfor: number;
  /** Room noise at send / receive side, dB(A). */
  Ps: number;
  Pr: number;
  /** Advantage factor. */
  A: number;
}

/** G.107 Table 3 default values (with Ie = 0, Bpl = 4.3, Ppl = 0: gives R = 93.2). */
export const EMODEL_DEFAULTS: EModelInputs = {
  SLR: 8,
  RLR: 2,
  STMR: 15,
  LSTR: 18,
  Ds: 3,
  Dr: 3,
  TELR: 65,
  WEPL: 110,
  T: 0,
  Tr: 0,
  Ta: 0,
  qdu: 1,
  Ie: 0,
  Bpl: 4.3,
  Ppl: 0,
  BurstR: 1,
  Nc: -70,
  Nfor: -64,
  Ps: 35,
  Pr: 35,
  A: 0,
};

export interface EModelResult {
  R: number;
  MOS: number;
  Ro: number;
  Is: number;
  Id: number;
  IeEff: number;
  A: number;
}

const log10 = Math.log10;
const pow = Math.pow;

export function computeEModel(partial: Partial<EModelInputs> = {}): EModelResult {
  const p: EModelInputs = { ...EMODEL_DEFAULTS, ...partial };
  // §7.2 basic signal-to-noise ratio Ro (eqs. 7-3 … 7-8)
  const OLR = p.SLR + p.RLR;
  const Nfo = p.Nfor + p.RLR;
  const Pre = p.Pr + 10 * log10(1 + pow(10, (10 - p.LSTR) / 10));
  const Nor = p.RLR - 121 + Pre + 0.008 * pow(Pre - 35, 2);
  const Nos = p.Ps - p.SLR - p.Ds - 100 + 0.004 * pow(p.Ps - OLR - p.Ds - 14, 2);
  const No = 10 * log10(pow(10, p.Nc / 10) + pow(10, Nos / 10) + pow(10, Nor / 10) + pow(10, Nfo / 10));
  const Ro = 15 - 1.5 * (p.SLR + No);
  // §7.3 simultaneous impairment factor Is = Iolr + Ist + Iq (eqs. 7-9 … 7-18)
  const Xolr = OLR + 0.2 * (64 + No - p.RLR);
  const Iolr = 20 * (pow(1 + pow(Xolr / 8, 8), 1 / 8) - Xolr / 8);
  const STMRo = -10 * log10(pow(10, -p.STMR / 10) + Math.exp(-p.T / 4) * pow(10, -p.TELR / 10));
  const Ist =
    12 * pow(1 + pow((STMRo - 13) / 6, 8), 1 / 8) -
    28 * pow(1 + pow((STMRo + 1) / 19.4, 35), 1 / 35) -
    13 * pow(1 + pow((STMRo - 3) / 33, 13), 1 / 13) +
    29;
  const Q = 37 - 15 * log10(p.qdu);
  const G = 1.07 + 0.258 * Q + 0.0602 * Q * Q;
  const Z = 46 / 30 - G / 40;
  const Y = (Ro - 100) / 15 + 46 / 8.4 - G / 9;
  const Iq = 15 * log10(1 + pow(10, Y) + pow(10, Z));
  const Is = Iolr + Ist + Iq;
  // §7.4 delay impairment factor Id = Idte + Idle + Idd (eqs. 7-19 … 7-28)
  const Roe = -1.5 * (No - p.RLR);
  let TERV = p.TELR - 40 * log10((1 + p.T / 10) / (1 + p.T / 150)) + 6 * Math.exp(-0.3 * p.T * p.T);
  if (p.STMR < 9) TERV += Ist / 2; // eq. 7-23 (TERVs) for low sidetone
  const Re = 80 + 2.5 * (TERV - 14);
  const Idte = ((Roe - Re) / 2 + Math.sqrt(pow(Roe - Re, 2) / 4 + 100) - 1) * (1 - Math.exp(-p.T));
  const Rle = 10.5 * (p.WEPL + 7) * pow(p.Tr + 1, -0.25);
  const Idle = (Ro - Rle) / 2 + Math.sqrt(pow(Ro - Rle, 2) / 4 + 169);
  let Idd = 0;
  if (p.Ta > 100) {
    const X = log10(p.Ta / 100) / log10(2);
    Idd = 25 * (pow(1 + pow(X, 6), 1 / 6) - 3 * pow(1 + pow(X / 3, 6), 1 / 6) + 2);
  }
  const Id = Idte + Idle + Idd;
  // §7.5 effective equipment impairment factor (eq. 7-29)
  const IeEff = p.Ie + ((95 - p.Ie) * p.Ppl) / (p.Ppl / p.BurstR + p.Bpl);
  const R = Ro - Is - Id - IeEff + p.A;
  return { R, MOS: mosFromR(R), Ro, Is, Id, IeEff, A: p.A };
}

/** G.107 Annex B eq. (B-4): R → MOS-CQE. */
export function mosFromR(R: number): number {
  if (R < 0) return 1;
  if (R > 100) return 4.5;
  return 1 + 0.035 * R + R * (R - 60) * (100 - R) * 7e-6;
}

/**
 * E-model inputs for a measured VoIP path, per the usual planning practice (G.107 Appendix /
 * G.108): the terminal values stay at the Table 3 defaults, Ta = one-way mouth-to-ear delay,
 * T = Ta (echo controlled in the terminals), Tr = 2·Ta, and the codec's Ie / Bpl from G.113 Appendix I.
 */
export function emodelInputsForPath(o: {
  oneWayDelayMs: number;
  lossPercent: number;
  burstRatio: number;
  codec: 'pcmu' | 'pcma';
  plc: boolean;
}): Partial<EModelInputs> {
  const Ta = Math.max(0, o.oneWayDelayMs);
  return {
    Ta,
    T: Ta,
    Tr: 2 * Ta,
    Ie: 0,
    // G.113 Appendix I: G.711 with PLC (G.711 Appendix I) Bpl = 25.1; without PLC, random loss, 4.3.
    Bpl: o.plc ? 25.1 : 4.3,
    Ppl: Math.max(0, Math.min(100, o.lossPercent)),
    BurstR: Math.max(1, o.burstRatio),
  };
}
