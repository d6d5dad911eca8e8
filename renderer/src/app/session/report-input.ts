import { HOST_RESULT_STEPS } from '../../../../shared/contracts/report.ts';
import type { MethodInput } from '../../../../shared/contracts/index.ts';
import type { SessionResults } from './store.ts';

/**
 * The `report.build` input for the session's results. The host keeps the latest result of each
 * step it ran for this window, so they are named (`fromHost`) rather than sent back: a large
 * router table would not fit in one web-mode frame. Only what the host cannot know travels: the
 * per-second call samples, the path hops, the WebRTC echo (it ran in the browser) and the secrets
 * to redact.
 */
export function reportInput(results: SessionResults, loopbackDemo = false): MethodInput<'report.build'> {
  const { secrets, callSamples, path, webrtc } = results;
  return {
    loopbackDemo,
    fromHost: HOST_RESULT_STEPS.filter((s) => results[s] !== undefined),
    monitorHistory: results.monitorHistory !== undefined,
    ...(path ? { path } : {}),
    ...(webrtc ? { webrtc } : {}),
    secrets: secrets ?? [],
    callSamples: callSamples?.map((s) => ({
      t: Math.round(s.elapsedSec),
      lossPercent: s.lossPercent,
      jitterMs: s.jitterMs,
      rttMs: s.rttMs,
      mos: s.mos,
    })),
  };
}
