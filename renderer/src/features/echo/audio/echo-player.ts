import { decodeG711, type G711Law } from '../../../../../shared/model/audio/g711.ts';
import { base64ToBytes } from './base64.ts';

/** Plays echoed G.711 payloads through Web Audio with a small jitter buffer; mutable. */
export class EchoPlayer {
  private readonly ctx = new AudioContext({ sampleRate: 8000 });
  private readonly gain = this.ctx.createGain();
  private playAt = 0;

  constructor() {
    this.gain.connect(this.ctx.destination);
  }

  setMuted(muted: boolean): void {
    this.gain.gain.value = muted ? 0 : 1;
  }

  push(payloadB64: string, law: G711Law): void {
    const pcm = decodeG711(base64ToBytes(payloadB64), law);
    const buf = this.ctx.createBuffer(1, pcm.length, 8000);
    const ch = buf.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) ch[i] = pcm[i]! / 32768;
    const src = this.ctx.createBufferSource();
    src.buffer = buf;
    src.connect(this.gain);
    // 60 ms of buffering absorbs network jitter; if we fell behind, restart the schedule.
    const now = this.ctx.currentTime;
    if (this.playAt < now) this.playAt = now + 0.06;
    src.start(this.playAt);
    this.playAt += buf.duration;
  }

  close(): void {
    void this.ctx.close();
  }
}
