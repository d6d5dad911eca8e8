// The router lab files' shared pieces: NatScope's router/map JSON shapes as the tests read them, and
// running the CLI with a per-lab ledger directory.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Lab } from './lab.ts';

export interface Mapping {
  via: string;
  protocol: string;
  externalIp: string | null;
  externalPort: number;
  internalClient: string | null;
  internalPort: number;
  description: string | null;
  leaseSeconds: number | null;
  leaseRemainingSeconds: number | null;
  createdByNatScope: boolean;
  ledgerId: string | null;
}
export interface Finding {
  id: string;
  severity: string;
  title?: string;
}
export interface RouterDoc {
  gateway: string;
  upnp: {
    found: boolean;
    externalIp: string | null;
    igdVersion: number | null;
    manufacturer: string | null;
    model: string | null;
    server: string | null;
    services: { serviceType: string; chosen: boolean }[];
    mappings: Mapping[];
  };
  natpmp: {
    supported: boolean;
    externalIp: string | null;
    epoch: number | null;
    resultCode: { code: number } | null;
  };
  pcp: { supported: boolean; externalIp: string | null; natPmpOnly: boolean };
  findings: Finding[];
  ownMappings: Mapping[];
}
export interface AddDoc {
  mapping: Mapping;
  notes: string[];
}
export interface ErrorDoc {
  error: {
    code: string;
    message: string;
    detail?: { protocolError?: { via: string; code: number; name: string }; findings?: Finding[] };
  };
}

/** NatScope with a per-lab ledger directory (NATSCOPE_STATE_DIR), so runs never share state. */
export function natscopeEnv(lab: Lab): NodeJS.ProcessEnv {
  const dir = join(lab.workDir, 'natscope-state');
  mkdirSync(dir, { recursive: true });
  return { ...process.env, NATSCOPE_STATE_DIR: dir };
}

export async function ns<T>(lab: Lab, args: string[]) {
  return lab.natscope<T>('client', args, { env: natscopeEnv(lab) });
}
