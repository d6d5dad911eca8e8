import type { Feature } from '../../app/registry.ts';
import { demoStunServer, useDemo } from '../../app/demo-context.tsx';
import { NatStep } from './NatStep.tsx';

function NatStepForMode() {
  const { demo } = useDemo();
  // In the offline demo the step is pointed at the loopback companion server.
  return <NatStep key={demo ? 'demo' : 'live'} presetServers={demo ? [demoStunServer(demo)] : undefined} />;
}

export const natFeature: Feature = {
  id: 'nat',
  steps: [
    {
      id: 'nat',
      title: 'NAT type',
      summary: 'Mapping, filtering, hairpinning (STUN)',
      description:
        'How your NAT maps and filters UDP, found with STUN (RFC 5780) — and what that means for SIP and RTP.',
      order: 20,
      Component: NatStepForMode,
      areas: ['nat'],
      runKeys: ['nat', 'path'],
    },
  ],
};
