/**
 * Finds the test signal's tone bursts in the echoed audio and matches each to the burst that was
 * sent (by its marker frequency, see test-signal.ts) to measure audio round-trip latency — what
 * the caller would actually hear, including any jitter buffer or delay inside the echo service.
 * Frequency detection uses the Goertzel algorithm on each 20 ms frame.
 */
import { FRAME_SAMPLES, MARKER_FREQS, SAMPLE_RATE } from './test-signal.ts';

const ONSET_RMS = 1500; // well above G.711 idle noise, well below the burst's ≈ 5650 RMS
const DOMINANCE = 4; // the marker's power must exceed every other marker's by this factor
const MAX_LATENCY_MS = 8000; // the marker cycle is 8 s: beyond that a match would be ambiguous

function goertzelPower(x: Int16Array, freq: number): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / SAMPLE_RATE);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < x.length; i++) {
    const s0 = x[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

export class MarkerDetector {
  private readonly sent = new Map<number, number>(); // burst → send time
  private inBurst = false;
  private quietFrames = 0;
  private readonly latencies: number[] = [];
  private matchedBursts = new Set<number>();

  /** Remembers when burst `burst` started to go out. */
  noteSent(burst: number, atMs: number): void {
    this.sent.set(burst, atMs);
    // Forget bursts older than the ambiguity window.
    for (const k of this.sent.keys()) if (k < burst - 16) this.sent.delete(k);
  }

  /** Feeds one decoded received frame; returns the latency when this frame starts an echoed burst. */
  addFrame(samples: Int16Array, arrivalMs: number): number | null {
    let energy = 0;
    for (let i = 0; i < samples.length; i++) energy += samples[i]! * samples[i]!;
    const rms = Math.sqrt(energy / Math.max(1, samples.length));
    if (rms < ONSET_RMS) {
      if (++this.quietFrames >= 2) this.inBurst = false;
      return null;
    }
    this.quietFrames = 0;
    if (this.inBurst) return null;
    this.inBurst = true;
    const powers = MARKER_FREQS.map((f) => goertzelPower(samples, f));
    let best = 0;
    for (let i = 1; i < powers.length; i++) if (powers[i]! > powers[best]!) best = i;
    if (powers.some((p, i) => i !== best && p * DOMINANCE > powers[best]!)) return null;
    // Sub-frame onset: the first sample clearly above silence (an echo may shift the audio by samples).
    let onset = 0;
    while (onset < samples.length && Math.abs(samples[onset]!) < ONSET_RMS) onset++;
    const heardAt = arrivalMs + (Math.min(onset, FRAME_SAMPLES) / SAMPLE_RATE) * 1000;
    // Match to the most recent sent burst with this marker, within the ambiguity window.
    let match: number | null = null;
    for (const [burst, at] of this.sent) {
      if (burst % MARKER_FREQS.length !== best || at > heardAt || heardAt - at > MAX_LATENCY_MS) continue;
      if (this.matchedBursts.has(burst)) continue;
      if (match === null || burst > match) match = burst;
    }
    if (match === null) return null;
    this.matchedBursts.add(match);
    const latency = heardAt - this.sent.get(match)!;
    this.latencies.push(latency);
    return latency;
  }

  /** Median of the measured latencies (robust to a burst clipped by loss), or null. */
  medianLatencyMs(): number | null {
    if (this.latencies.length === 0) return null;
    const s = [...this.latencies].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  }

  get count(): number {
    return this.latencies.length;
  }
}
