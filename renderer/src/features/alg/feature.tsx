import type { Feature } from '../../app/registry.ts';
import { useDemo } from '../../app/demo-context.tsx';
import { AlgStep } from './AlgStep.tsx';

function AlgStepForMode() {
  const { demo } = useDemo();
  return (
    <AlgStep key={demo ? 'demo' : 'live'} presetReflector={demo?.reflector} presetAltPort={demo?.altPort} />
  );
}

export const algFeature: Feature = {
  id: 'alg',
  steps: [
    {
      id: 'alg',
      title: 'SIP ALG',
      summary: 'Does the router rewrite SIP?',
      order: 40,
      Component: AlgStepForMode,
      areas: ['alg'],
    },
  ],
};
