import type { Feature } from '../../app/registry.ts';
import { NetworkStep } from './NetworkStep.tsx';

export const networkFeature: Feature = {
  id: 'network',
  steps: [
    {
      id: 'network',
      title: 'Network',
      summary: 'Interfaces, addresses, gateways',
      description: "What this computer's network looks like from the inside.",
      order: 10,
      Component: NetworkStep,
      areas: ['network'],
    },
  ],
};
