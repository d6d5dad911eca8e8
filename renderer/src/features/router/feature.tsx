import type { Feature } from '../../app/registry.ts';
import { useDemo } from '../../app/demo-context.tsx';
import { RouterStep } from './RouterStep.tsx';

function RouterStepForMode() {
  const { demo } = useDemo();
  return <RouterStep key={demo ? 'demo' : 'live'} simulated={demo?.router ?? null} demo={demo !== null} />;
}

export const routerFeature: Feature = {
  id: 'router',
  steps: [
    {
      id: 'router',
      title: 'Router',
      summary: 'UPnP IGD, NAT-PMP, PCP port mappings',
      description:
        'What your router says through UPnP IGD, NAT-PMP and PCP — the same channels FreeSWITCH auto-nat uses.',
      order: 30,
      Component: RouterStepForMode,
      areas: ['router'],
    },
  ],
};
