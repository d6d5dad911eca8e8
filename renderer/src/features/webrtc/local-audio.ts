/**
 * What the WebRTC echo sends: the microphone (getUserMedia, through SIP.js's default factory), or a
 * tone made with Web Audio when there is no microphone to use. Both are real audio the browser
 * encodes and sends over SRTP; the echo that comes back is measured the same way.
 */
import { Web } from 'sip.js';

export interface LocalAudio {
  factory: Web.MediaStreamFactory;
  stop(): void;
}

export function localAudio(kind: 'microphone' | 'tone'): LocalAudio {
  if (kind === 'microphone') return { factory: Web.defaultMediaStreamFactory(), stop: () => {} };
  let ctx: AudioContext | null = null;
  return {
    factory: async () => {
      ctx = new AudioContext();
      await ctx.resume().catch(() => undefined);
      const osc = ctx.createOscillator();
      osc.frequency.value = 440;
      const gain = ctx.createGain();
      gain.gain.value = 0.25;
      const dest = ctx.createMediaStreamDestination();
      osc.connect(gain).connect(dest);
      osc.start();
      return dest.stream;
    },
    stop: () => void ctx?.close().catch(() => undefined),
  };
}
