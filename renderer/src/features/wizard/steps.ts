/** The wizard's steps, in order. `built: false` steps say so plainly in the UI — nothing is faked. */
export interface StepInfo {
  id: 'network' | 'nat' | 'router' | 'alg' | 'echo' | 'report';
  title: string;
  summary: string;
  built: boolean;
}

export const STEPS: StepInfo[] = [
  { id: 'network', title: 'Network', summary: 'Interfaces, addresses, gateways', built: true },
  { id: 'nat', title: 'NAT type', summary: 'Mapping, filtering, hairpinning (STUN)', built: true },
  { id: 'router', title: 'Router', summary: 'UPnP IGD, NAT-PMP, PCP port mappings', built: true },
  { id: 'alg', title: 'SIP ALG', summary: 'Does the router rewrite SIP?', built: true },
  { id: 'echo', title: 'Echo test', summary: 'A real test call with live audio stats', built: true },
  { id: 'report', title: 'Report', summary: 'Findings and an export for bug reports', built: true },
];
