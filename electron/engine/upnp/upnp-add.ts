/**
 * Adding a UPnP IGD mapping safely (WANIPConnection:1 §2.4.16 AddPortMapping, :2 §2.5.18
 * AddAnyPortMapping): never take over another program's mapping (GetSpecificPortMappingEntry
 * first), ask before a permanent mapping when the router refuses leases (725
 * OnlyPermanentLeasesSupported), let an IGD:2 router pick a free port when asked to (718
 * ConflictInMappingEntry), and read back what the router really granted.
 */
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { RouterErrorDetail } from '../../../shared/contracts/router.ts';
import { describeCode } from '../../../shared/model/router-errors.ts';
import type { LedgerEntry } from '../mappings/ledger.ts';
import type { AddRequest } from '../mappings/port-mapper.ts';
import type { IgdFound } from './discover-igd.ts';
import {
  addAnyPortMapping,
  addPortMapping,
  getExternalIpAddress,
  getSpecificPortMappingEntry,
  UpnpActionError,
  type IgdContext,
} from './igd-client.ts';

export async function addUpnpMapping(
  ctx: IgdContext,
  igd: IgdFound,
  r: AddRequest,
  wallNow: () => number,
): Promise<LedgerEntry> {
  const { entry, notes } = r;
  const svc = igd.chosen.service;
  const igd2 = igd.description.igdVersion === 2;
  const args = {
    protocol: entry.protocol,
    externalPort: entry.externalPort,
    internalPort: entry.internalPort,
    internalClient: entry.internalClient,
    description: entry.description,
    leaseSeconds: r.refresh && entry.leaseSeconds === 0 ? 0 : r.leaseSeconds,
  };
  const current = await getSpecificPortMappingEntry(ctx, svc, {
    protocol: entry.protocol,
    externalPort: entry.externalPort,
  });
  const ours =
    current &&
    current.internalClient === entry.internalClient &&
    current.internalPort === entry.internalPort &&
    current.description === entry.description;
  let externalPort = entry.externalPort;
  if (current && !ours) {
    // Never overwrite or take over another program's mapping.
    if (!r.anyExternalPort || !igd2) {
      throw new NatScopeError(
        'refused',
        `external port ${entry.protocol.toUpperCase()} ${entry.externalPort} is already mapped to ${current.internalClient}:${current.internalPort} ("${current.description}") — not by NatScope; choose another external port${igd2 ? ' or allow any external port' : ''}`,
      );
    }
    externalPort = await addAnyPortMapping(ctx, svc, args);
    notes.push(
      `External port ${entry.externalPort} was taken; the router reserved ${externalPort} (AddAnyPortMapping).`,
    );
  } else {
    try {
      await addPortMapping(ctx, svc, args);
    } catch (err) {
      if (err instanceof UpnpActionError && err.code === 725) {
        if (!r.allowPermanent || r.keep) {
          const info = describeCode('upnp', 725);
          throw new NatScopeError(
            'refused',
            `UPnP error 725 OnlyPermanentLeasesSupported: the router accepts only permanent mappings.${r.keep ? ' A kept mapping must have a lease.' : ' Confirm a permanent mapping (allowPermanent) to go on; NatScope still removes it on exit.'}`,
            {
              protocolError: { via: 'upnp', code: 725, name: info.name, meaning: info.meaning },
              needsConfirmation: r.keep ? undefined : 'permanent-lease',
            } satisfies RouterErrorDetail,
          );
        }
        await r.patch({ leaseSeconds: 0, expiresAt: null });
        await addPortMapping(ctx, svc, { ...args, leaseSeconds: 0 });
        args.leaseSeconds = 0;
        notes.push('The router refused a lease (725); a permanent mapping was made as confirmed.');
      } else if (err instanceof UpnpActionError && err.code === 718 && r.anyExternalPort && igd2) {
        externalPort = await addAnyPortMapping(ctx, svc, args);
        notes.push(
          `External port ${entry.externalPort} conflicted (718); the router reserved ${externalPort}.`,
        );
      } else throw err;
    }
  }
  const check = await getSpecificPortMappingEntry(ctx, svc, {
    protocol: entry.protocol,
    externalPort,
  }).catch(() => null);
  if (check && check.leaseSeconds === 0 && args.leaseSeconds > 0) {
    // Some routers accept a lease and silently make the mapping permanent: track it as such.
    args.leaseSeconds = 0;
    notes.push(
      'The router ignored the lease and made the mapping permanent; NatScope removes it on exit and, after a crash, at the next start.',
    );
  }
  const granted = check?.leaseSeconds ?? args.leaseSeconds;
  const externalIp = (await getExternalIpAddress(ctx, svc).catch(() => '')) || null;
  return {
    ...entry,
    externalPort,
    externalIp,
    leaseSeconds: args.leaseSeconds === 0 ? 0 : granted || args.leaseSeconds,
    expiresAt: args.leaseSeconds === 0 ? null : wallNow() + (granted || args.leaseSeconds) * 1000,
    state: 'active',
  };
}
