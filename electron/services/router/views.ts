/** A ledger entry (a mapping NatScope made) as the contract shows it, with its lease countdown. */
import type { RouterMapping } from '../../../shared/contracts/router.ts';
import type { LedgerEntry } from '../../engine/mappings/ledger.ts';

export function fromLedger(e: LedgerEntry, wallNow: () => number): RouterMapping {
  return {
    via: e.via,
    protocol: e.protocol,
    externalIp: e.externalIp,
    externalPort: e.externalPort,
    internalClient: e.internalClient,
    internalPort: e.internalPort,
    remoteHost: null,
    description: e.description,
    enabled: true,
    leaseSeconds: e.leaseSeconds,
    leaseRemainingSeconds:
      e.expiresAt === null ? null : Math.max(0, Math.round((e.expiresAt - wallNow()) / 1000)),
    permanent: e.leaseSeconds === 0,
    createdByNatScope: true,
    kept: e.kept,
    ledgerId: e.id,
  };
}
