/**
 * `router.mappings.add`, safely: only with `confirmExposure`; the ledger entry is written BEFORE the
 * router is asked (a crash still leaves a record); adding the same mapping again renews it; a
 * cancelled add removes what the router made; a refusal that points at a double NAT is remembered
 * for the read-only report. The protocol work is the mapper's.
 */
import type { z } from 'zod';
import type { ProgressEvent } from '../../../shared/contracts/common.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import { MappingsAddInputSchema, type RouterErrorDetail } from '../../../shared/contracts/router.ts';
import { isDoubleNatRefusal } from '../../../shared/model/router-errors.ts';
import { newEntryId, type LedgerEntry } from '../../engine/mappings/ledger.ts';
import type { CallContext } from '../call-context.ts';
import type { RouterContext } from './context.ts';
import { toError } from './failures.ts';
import { parseInput } from './input.ts';
import { removeEntry } from './remove.ts';
import { fromLedger } from './views.ts';

export async function addMapping(
  rc: RouterContext,
  rawInput: z.input<typeof MappingsAddInputSchema>,
  cc: CallContext<ProgressEvent>,
) {
  const input = parseInput(MappingsAddInputSchema, rawInput);
  if (input.confirmExposure !== true) {
    throw new NatScopeError(
      'bad-request',
      'adding a port mapping needs confirmExposure: true — it exposes this computer to the internet',
    );
  }
  const { signal } = cc;
  const { ledger, wallNow } = rc;
  const mapper = rc.mappers[input.via];
  await rc.ensureStaleCleanup();
  const site = await rc.locate(input);
  if (!site.localAddress && !input.internalClient)
    throw new NatScopeError('unreachable', 'cannot tell this computer’s LAN address');
  const internalClient = input.internalClient ?? site.localAddress!;
  if (!mapper.capabilities.mapsForOtherHosts && internalClient !== site.localAddress) {
    throw new NatScopeError(
      'bad-request',
      `${input.via} maps ports only to the computer that asks (${site.localAddress}), not to ${internalClient}`,
    );
  }
  const notes: string[] = [];
  const existing = (await ledger.list()).find(
    (e) =>
      e.via === input.via &&
      e.protocol === input.protocol &&
      e.internalPort === input.internalPort &&
      e.internalClient === internalClient &&
      (e.externalPort === input.externalPort || rc.mappers[e.via].capabilities.keyedBy === 'internal-port'),
  );
  const id = existing?.id ?? newEntryId();
  const description = (
    existing?.description ?? `NatScope ${id}${input.description ? ` ${input.description}` : ''}`
  ).slice(0, 64);
  const entry: LedgerEntry = existing ?? {
    id,
    via: input.via,
    protocol: input.protocol,
    externalPort: input.externalPort,
    internalPort: input.internalPort,
    internalClient,
    externalIp: null,
    gateway: site.gateway ?? '',
    description,
    leaseSeconds: input.leaseSeconds,
    createdAt: wallNow(),
    expiresAt: wallNow() + input.leaseSeconds * 1000,
    state: 'pending',
    kept: input.keep === true,
    owner: rc.owner,
  };
  cc.emit({ kind: 'progress', step: `map-${input.via}`, status: 'started' });
  let created: LedgerEntry;
  try {
    await mapper.prepare?.(entry, site, signal);
    if (!existing) await ledger.add(entry); // recorded BEFORE the router is asked
    created = await mapper.add({
      entry,
      site,
      leaseSeconds: input.leaseSeconds,
      externalPort: input.externalPort,
      anyExternalPort: input.anyExternalPort === true,
      allowPermanent: input.allowPermanent === true,
      keep: input.keep === true,
      refresh: existing !== undefined,
      notes,
      patch: (p) => ledger.patch(entry.id, p),
      signal,
    });
  } catch (err) {
    if (!existing) await ledger.remove(id).catch(() => {});
    cc.emit({
      kind: 'progress',
      step: `map-${input.via}`,
      status: 'failed',
      message: (err as Error).message,
    });
    const e = toError(rc, err, signal);
    const pe =
      e instanceof NatScopeError ? (e.detail as RouterErrorDetail | undefined)?.protocolError : undefined;
    if (pe && isDoubleNatRefusal(pe.via, pe.code) && site.gateway) {
      await rc.deps.refusalLog
        ?.record({ gateway: site.gateway, via: pe.via, code: pe.code, at: wallNow() })
        .catch(() => {});
    }
    throw e;
  }
  if (site.gateway) await rc.deps.refusalLog?.clear(site.gateway, created.via).catch(() => {});
  await ledger.update((es) => ({
    entries: [...es.filter((e) => e.id !== created.id && e.id !== id), created],
    result: undefined,
  }));
  if (!created.kept) rc.session.add(created.id);
  if (signal.aborted) {
    // Cancelled while the router was creating it: do not leave the hole open.
    await removeEntry(rc, created).catch(() => {});
    throw toError(rc, signal.reason, signal);
  }
  cc.emit({ kind: 'progress', step: `map-${input.via}`, status: 'done' });
  notes.push(
    'This mapping exposes this computer: anyone on the internet can send to it while it exists.',
    created.leaseSeconds === 0
      ? 'The router only allows permanent mappings; NatScope removes it on exit and, after a crash, at the next start.'
      : created.kept
        ? `Kept after exit; the router drops it when its ${created.leaseSeconds} s lease ends (or: natscope map delete).`
        : `Lease ${created.leaseSeconds} s; NatScope removes it on exit, and after a crash at the next start.`,
  );
  return { mapping: fromLedger(created, wallNow), notes };
}
