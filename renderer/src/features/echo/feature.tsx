import type { Feature } from '../../app/registry.ts';
import { useDemo } from '../../app/demo-context.tsx';
import { ECHO_VIEW } from './echo-controller.ts';
import type { EchoView } from './echo-state.ts';
import { EchoStep } from './EchoStep.tsx';

function EchoStepForMode() {
  const { demo } = useDemo();
  return <EchoStep key={demo ? 'demo' : 'live'} presetTarget={demo?.echoUri} demo={demo !== null} />;
}

export const echoFeature: Feature = {
  id: 'echo',
  steps: [
    {
      id: 'echo',
      title: 'Echo test',
      summary: 'A real test call with live audio stats',
      description: 'A real call: NatScope dials an echo service, sends audio and measures what comes back.',
      order: 50,
      Component: EchoStepForMode,
      areas: ['call'],
      // The call belongs to the session, not to a run key: it is running while its view says so.
      mark: (s) => ((s.slices[ECHO_VIEW] as EchoView | undefined)?.running ? 'running' : undefined),
    },
  ],
};
