/**
 * Analysis while media flows: a `stats` event per tick (RFC 3550 loss and jitter, RTT, MOS via
 * engine/rtp/quality.ts) and a `one-way-audio` finding the first time nothing has come back for
 * long enough. Fed by snapshots, so any media path (direct, relayed, WebRTC) can use it.
 */
import type { CallEvent, RtpStats } from '../../../shared/contracts/call.ts';
import { toRtpStats } from '../../engine/rtp/quality.ts';
import type { RtpSessionStats } from '../../engine/rtp/rtp-session.ts';
import { isOneWayAudio } from '../../engine/sip/call-findings.ts';

export class LiveStats {
  private oneWayReported = false;
  private readonly emit: (e: CallEvent) => void;
  private readonly codec: 'pcmu' | 'pcma';

  constructor(emit: (e: CallEvent) => void, codec: 'pcmu' | 'pcma') {
    this.emit = emit;
    this.codec = codec;
  }

  tick(s: RtpSessionStats, mediaSec: number): RtpStats {
    const dto = toRtpStats(s, this.codec);
    if (!this.oneWayReported && isOneWayAudio(s, mediaSec)) {
      this.oneWayReported = true;
      this.emit({
        kind: 'finding',
        finding: {
          code: 'one-way-audio',
          severity: 'error',
          message: `Nothing came back after ${Math.round(mediaSec)} s of sending: one-way audio.`,
        },
      });
    }
    this.emit({ kind: 'stats', stats: dto });
    return dto;
  }
}
