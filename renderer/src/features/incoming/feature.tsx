import type { Feature, VerdictRow } from '../../app/registry.ts';
import { useDemo } from '../../app/demo-context.tsx';
import { IncomingStep } from './IncomingStep.tsx';

function IncomingStepForMode() {
  const { demo } = useDemo();
  return <IncomingStep key={demo ? 'demo' : 'live'} />;
}

/**
 * "I can call out but get no incoming calls" (issue #14): its own step (a live timeline needs the
 * room) and a row on the verdict page.
 */
export const incomingFeature: Feature = {
  id: 'incoming',
  steps: [
    {
      id: 'incoming',
      title: 'Incoming calls',
      summary: 'Do calls still reach you after silence?',
      description:
        'Calling out works; do calls still reach you after your phone has been quiet? Each idle time gets its own registration, all at once, and the server calls each back after its silence: about 2 minutes with the defaults.',
      order: 57, // after the two echo tests (SIP 50, WebRTC 55)
      Component: IncomingStepForMode,
      areas: ['incoming'],
    },
  ],
  verdicts: [
    {
      id: 'incoming',
      title: 'Incoming calls',
      order: 68, // after relay (60) and WebRTC (65)
      stepId: 'incoming',
      evaluate(s): VerdictRow {
        if (s.runs.incoming?.status === 'running')
          return { tone: 'running', headline: 'Waiting for the calls back…', evidence: [] };
        const r = s.results.incoming;
        if (!r)
          return {
            tone: 'not-checked',
            headline: 'Not checked',
            evidence: ['Run the Incoming calls step (it takes about 2 minutes)'],
          };
        const f = r.findings[0];
        return {
          tone: f ? (f.severity === 'ok' ? 'ok' : f.severity) : 'unknown',
          headline: f?.title ?? 'No verdict',
          evidence: [
            r.tests
              .map(
                (t) =>
                  `${t.idleSeconds} s: ${t.received === null ? t.outcome : t.received ? 'arrived' : 'no call'}`,
              )
              .join(' · '),
            r.recommendedKeepAliveSeconds !== null
              ? `keep-alive every ${r.recommendedKeepAliveSeconds} s${r.keepAliveFixes ? ' (proven to fix it)' : ''}`
              : `server ${r.server}`,
          ],
        };
      },
    },
  ],
};
