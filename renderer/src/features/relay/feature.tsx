import type { Feature, VerdictRow } from '../../app/registry.ts';
import { RelayCard } from './RelayCard.tsx';
import { RelayToggle } from './RelayToggle.tsx';
import { RelayUsedPanel } from './RelayUsedPanel.tsx';

/**
 * "Would a relay fix it?" (issue #15): a Relay card in the NAT step, a "through relay" toggle in the
 * echo step, the relay used under the echo results, and a row on the verdict page.
 */
export const relayFeature: Feature = {
  id: 'relay',
  slots: [
    { slot: 'nat.cards', id: 'relay.card', order: 10, Component: RelayCard },
    { slot: 'echo.options', id: 'relay.toggle', order: 10, Component: RelayToggle },
    { slot: 'echo.panels', id: 'relay.used', order: 10, Component: RelayUsedPanel },
  ],
  verdicts: [
    {
      id: 'relay',
      title: 'Media relay (TURN)',
      order: 60,
      stepId: 'nat',
      evaluate(s): VerdictRow {
        const run = s.runs.relay;
        if (run?.status === 'running') return { tone: 'running', headline: 'Checking…', evidence: [] };
        const t = s.results.turn;
        if (!t)
          return {
            tone: 'not-checked',
            headline: 'Not checked',
            evidence: ['Test a TURN server in the NAT step’s Relay card'],
          };
        const f = t.findings[0];
        return {
          tone: f ? (f.severity === 'ok' ? 'ok' : f.severity) : 'unknown',
          headline: f?.title ?? (t.allocated ? `Relayed address ${t.relayedAddress}` : 'No allocation'),
          evidence: [
            `${t.server} over ${t.transport.toUpperCase()}: ${t.allocated ? `relayed address ${t.relayedAddress}` : (t.error?.message ?? 'no allocation')}`,
          ],
        };
      },
    },
  ],
};
