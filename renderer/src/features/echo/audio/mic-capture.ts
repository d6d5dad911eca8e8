import { encodeG711, type G711Law } from '../../../../../shared/model/audio/g711.ts';
import { bytesToBase64 } from './base64.ts';

const FRAME = 160; // 20 ms at 8 kHz

/**
 * Microphone → 8 kHz → G.711 frames of 20 ms (base64), handed to `onFrames` in small batches.
 * Uses a ScriptProcessorNode: an AudioWorklet would need a separate module file, which the strict
 * CSP of both front doors would have to allow; the processor is enough for 8 kHz telephony audio.
 */
export async function startMicCapture(
  law: G711Law,
  onFrames: (frames: string[]) => void,
): Promise<() => void> {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true },
  });
  const ctx = new AudioContext({ sampleRate: 8000 });
  const source = ctx.createMediaStreamSource(stream);
  const proc = ctx.createScriptProcessor(1024, 1, 1);
  const ratio = ctx.sampleRate / 8000; // 1 where the browser honours 8 kHz; otherwise decimate
  let pending: number[] = [];
  let pos = 0;
  proc.onaudioprocess = (ev) => {
    const input = ev.inputBuffer.getChannelData(0);
    for (; pos < input.length; pos += ratio) pending.push(Math.round(input[Math.floor(pos)]! * 32767));
    pos -= input.length;
    const frames: string[] = [];
    while (pending.length >= FRAME) {
      frames.push(bytesToBase64(encodeG711(pending.slice(0, FRAME), law)));
      pending = pending.slice(FRAME);
    }
    if (frames.length) onFrames(frames);
  };
  source.connect(proc);
  proc.connect(ctx.destination); // required for onaudioprocess to fire; the output buffer stays silent
  return () => {
    proc.disconnect();
    source.disconnect();
    for (const t of stream.getTracks()) t.stop();
    void ctx.close();
  };
}
