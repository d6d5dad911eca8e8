/**
 * The level of the echo that comes back, measured on the decoded remote stream with Web Audio
 * (an AnalyserNode): peak amplitude 0..1 since the last read. inbound-rtp's audioLevel needs the
 * audio to be played out, which a headless browser without a sound device may never do; this
 * meter pulls the audio itself.
 */
export class EchoMeter {
  private readonly ctx = new AudioContext();
  private readonly analyser: AnalyserNode;
  private readonly buf: Float32Array<ArrayBuffer>;
  private peak = 0;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(stream: MediaStream) {
    void this.ctx.resume().catch(() => undefined);
    this.analyser = this.ctx.createAnalyser();
    this.analyser.fftSize = 2048;
    this.buf = new Float32Array(this.analyser.fftSize);
    this.ctx.createMediaStreamSource(stream).connect(this.analyser);
    // ~every 40 ms: the analyser holds the last 2048 samples (43 ms at 48 kHz)
    this.timer = setInterval(() => {
      this.analyser.getFloatTimeDomainData(this.buf);
      for (const v of this.buf) this.peak = Math.max(this.peak, Math.abs(v));
    }, 40);
  }

  /** Peak level since the previous call. */
  take(): number {
    const p = this.peak;
    this.peak = 0;
    return Math.min(1, p);
  }

  close(): void {
    clearInterval(this.timer);
    void this.ctx.close().catch(() => undefined);
  }
}
