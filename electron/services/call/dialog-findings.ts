/**
 * Findings about what happened inside the dialog once the call was up: the far end moved the media
 * or held the call (RFC 3264 §8, §8.4), and our BYE failed (RFC 3261 §15.1.1: a BYE without a
 * final response leaves the far end's side of the call up until its own timers end it).
 */
import type { Finding, MediaChange } from '../../../shared/contracts/call.ts';
import type { RtpSessionStats } from '../../engine/rtp/rtp-session.ts';
import type { ByeOutcome } from '../../engine/sip/user-agent.ts';

export function dialogFindings(
  changes: readonly MediaChange[],
  stats: RtpSessionStats | null,
  bye: ByeOutcome | null,
): Finding[] {
  const out: Finding[] = [];
  const moves = changes.filter((c, i) => i === 0 || c.remoteRtp !== changes[i - 1]!.remoteRtp);
  if (moves.length > 0)
    out.push({
      code: 'media-moved',
      severity: 'info',
      message: `The far end moved the media during the call (${moves.map((c) => `${c.by} at ${c.atSec} s → ${c.remoteRtp}, ${c.codec.toUpperCase()}`).join('; ')}); NatScope followed, and the figures cover every leg.`,
    });
  const heldSec = (stats?.heldMs ?? 0) / 1000;
  if (heldSec > 0)
    out.push({
      code: 'on-hold',
      severity: 'info',
      message: `The far end put the call on hold for ${heldSec.toFixed(1)} s (RFC 3264 §8.4): NatScope stopped sending, and nothing coming back then is not one-way audio.`,
    });
  if (bye && !bye.ok)
    out.push({
      code: 'bye-failed',
      severity: 'warning',
      message: `Our BYE failed: ${bye.status !== null ? `${bye.status} ${bye.reason}` : bye.reason}. The far end may keep the call up until its own timers end it; if its answers cannot reach us (a NAT mapping that expired, a firewall), the same happens to real calls.`,
    });
  return out;
}
