import type { CallResult } from '../contracts/call.ts';

/**
 * An echo call's outcome in one line a user can act on ("one-way audio (nothing came back)",
 * "MOS 4.4, loss 0.0 %"), so the direct and the relayed call read side by side the same way in the
 * CLI (`natscope turn --echo-uri`) and the UI.
 */
export function echoVerdict(c: CallResult | null, error?: string): string {
  if (!c) return `failed (${error ?? 'no result'})`;
  if (!c.answered) return `not answered (${c.sipStatus ? `${c.sipStatus} ` : ''}${c.endReason})`;
  const rtp = c.rtp;
  if (!rtp || rtp.received === 0)
    return rtp && rtp.sent > 0 ? 'one-way audio (nothing came back)' : 'no audio';
  if (c.oneWayAudio) return 'one-way audio';
  return `MOS ${rtp.mos === null ? '?' : rtp.mos.toFixed(1)}, loss ${rtp.lossPercent.toFixed(1)} %`;
}
