import type { Feature } from '../../app/registry.ts';
import { HomeStep } from './HomeStep.tsx';
import { checkState, algArea, callArea, natArea, publicAddressArea, routerArea } from './verdicts.ts';

export const homeFeature: Feature = {
  id: 'home',
  steps: [
    {
      id: 'home',
      title: 'Your connection',
      summary: 'One click, then the verdict',
      order: 0,
      Component: HomeStep,
      mark: (s) => (checkState(s).status === 'running' ? 'running' : null),
    },
  ],
  verdicts: [publicAddressArea, natArea, routerArea, algArea, callArea],
};
