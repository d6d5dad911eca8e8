import type { Feature, VerdictRow } from '../../app/registry.ts';
import { WEBRTC_VIEW, type WebrtcView } from './webrtc-controller.ts';
import { WebrtcStep } from './WebrtcStep.tsx';

/**
 * Browser softphones (issue #16): the WebRTC echo as a wizard step after the SIP echo, and its row
 * on the verdict page.
 */
export const webrtcFeature: Feature = {
  id: 'webrtc',
  steps: [
    {
      id: 'webrtc',
      title: 'WebRTC echo',
      summary: 'A browser softphone call: WebSocket, ICE, DTLS-SRTP',
      description:
        'This browser calls an echo extension the way a WebRTC softphone does: SIP over a secure WebSocket, ICE through your NAT (with STUN/TURN), DTLS-SRTP audio.',
      order: 55,
      Component: WebrtcStep,
      areas: ['webrtc'],
      mark: (s) => ((s.slices[WEBRTC_VIEW] as WebrtcView | undefined)?.running ? 'running' : undefined),
    },
  ],
  verdicts: [
    {
      id: 'webrtc',
      title: 'Browser softphone (WebRTC)',
      order: 65,
      stepId: 'webrtc',
      evaluate(s): VerdictRow {
        if ((s.slices[WEBRTC_VIEW] as WebrtcView | undefined)?.running)
          return { tone: 'running', headline: 'Calling…', evidence: [] };
        const r = s.results.webrtc;
        if (!r)
          return {
            tone: 'not-checked',
            headline: 'Not checked',
            evidence: ['Run the WebRTC echo against your gateway’s wss:// URL'],
          };
        const f = r.findings[0];
        const pair = r.ice.selectedPair;
        return {
          tone: f ? f.severity : 'unknown',
          headline: f?.title ?? r.outcome,
          evidence: [
            `${r.wsUrl}: ${r.websocket.opened ? 'WebSocket open' : 'WebSocket failed'}`,
            ...(pair ? [`chosen pair ${pair.local.type}/${pair.local.protocol} ↔ ${pair.remote.type}`] : []),
          ],
        };
      },
    },
  ],
};
