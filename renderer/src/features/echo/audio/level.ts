import { decodeG711, type G711Law } from '../../../../../shared/model/audio/g711.ts';
import { base64ToBytes } from './base64.ts';

/** RMS level of one G.711 frame in dBFS (−∞ for digital silence, shown as −96). */
export function frameLevelDb(payloadB64: string, law: G711Law): number {
  const pcm = decodeG711(base64ToBytes(payloadB64), law);
  let sum = 0;
  for (const s of pcm) sum += (s / 32768) ** 2;
  const rms = Math.sqrt(sum / Math.max(1, pcm.length));
  return rms > 0 ? Math.max(-96, 20 * Math.log10(rms)) : -96;
}
