/**
 * What goes out in the RTP stream, one 20 ms G.711 frame at a time: the built-in test signal
 * (test-signal.ts, carrying latency markers) or frames pushed from outside — the renderer's
 * microphone already encoded as G.711 — with silence when none is queued.
 */
import { encodeG711, type G711Law } from './g711.ts';
import { BURST_PERIOD_FRAMES, FRAME_SAMPLES, MARKER_FREQS, testSignalFrame } from './test-signal.ts';

export interface AudioSource {
  /** Frame n: its G.711 payload and, for the test signal, the burst it starts (for latency markers). */
  frame(n: number, law: G711Law): { payload: Uint8Array; burstStart: number | null };
}

/** The signal repeats every 8 bursts (8 s): encoded frames are cached per law. */
const CYCLE_FRAMES = BURST_PERIOD_FRAMES * MARKER_FREQS.length;
const cache = { pcmu: new Map<number, Uint8Array>(), pcma: new Map<number, Uint8Array>() };

export const testSignalSource: AudioSource = {
  frame(n, law) {
    const f = testSignalFrame(n);
    const key = n % CYCLE_FRAMES;
    let payload = cache[law].get(key);
    if (!payload) {
      payload = encodeG711(f.samples, law);
      cache[law].set(key, payload);
    }
    return { payload, burstStart: f.burstStart };
  },
};

const SILENCE = { pcmu: 0xff, pcma: 0xd5 } as const;

/** Frames pushed by the caller (e.g. microphone); at most `maxQueued` are buffered. */
export class QueuedAudioSource implements AudioSource {
  private readonly queue: Uint8Array[] = [];
  private readonly maxQueued: number;
  constructor(maxQueued = 10) {
    this.maxQueued = maxQueued;
  }
  push(payload: Uint8Array): void {
    if (payload.length !== FRAME_SAMPLES) throw new Error(`a frame must be ${FRAME_SAMPLES} G.711 bytes`);
    this.queue.push(payload);
    while (this.queue.length > this.maxQueued) this.queue.shift();
  }
  frame(_n: number, law: G711Law) {
    return {
      payload: this.queue.shift() ?? new Uint8Array(FRAME_SAMPLES).fill(SILENCE[law]),
      burstStart: null,
    };
  }
}
