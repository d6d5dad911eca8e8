/**
 * The test signal NatScope sends into an echo call: a 200 ms tone burst once a second, silence in
 * between. Burst k is a sine at MARKER_FREQS[k % 8], so its echo identifies which burst came back
 * (the marker) even through a delayed echo of several seconds. 8 kHz mono, 20 ms frames (G.711).
 */
export const SAMPLE_RATE = 8000;
export const FRAME_SAMPLES = 160; // 20 ms
export const FRAME_MS = 20;
export const BURST_PERIOD_FRAMES = 50; // 1 s
export const BURST_FRAMES = 10; // 200 ms
export const MARKER_FREQS = [500, 700, 900, 1100, 1300, 1500, 1700, 1900] as const;
export const BURST_AMPLITUDE = 8000; // ≈ −12 dBFS: loud enough to detect, far from clipping

export interface FrameInfo {
  samples: Int16Array;
  /** Set on the first frame of a burst: which burst this is. */
  burstStart: number | null;
}

/** Frame n (0-based) of the test signal. */
export function testSignalFrame(n: number): FrameInfo {
  const samples = new Int16Array(FRAME_SAMPLES);
  const posInPeriod = n % BURST_PERIOD_FRAMES;
  const burst = Math.floor(n / BURST_PERIOD_FRAMES);
  if (posInPeriod >= BURST_FRAMES) return { samples, burstStart: null };
  const freq = MARKER_FREQS[burst % MARKER_FREQS.length]!;
  const t0 = posInPeriod * FRAME_SAMPLES;
  for (let i = 0; i < FRAME_SAMPLES; i++) {
    samples[i] = Math.round(BURST_AMPLITUDE * Math.sin((2 * Math.PI * freq * (t0 + i)) / SAMPLE_RATE));
  }
  return { samples, burstStart: posInPeriod === 0 ? burst : null };
}
