/**
 * Removing mappings: one NatScope made (only while it is still ours), one the user picked
 * (`router.mappings.delete` with `userPicked`), this run's mappings on exit (`releaseSession`),
 * and leftovers of runs that died (`cleanupStale`, once per process before the first router call).
 */
import type { z } from 'zod';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import {
  CleanupOutputSchema,
  MappingsDeleteInputSchema,
  type CleanupOutput,
} from '../../../shared/contracts/router.ts';
import { isOwnerAlive, type LedgerEntry } from '../../engine/mappings/ledger.ts';
import type { RouterContext } from './context.ts';
import { beginTableRequest } from './input.ts';
import { toError } from './failures.ts';
import { fromLedger } from './views.ts';

/** A lease counts as over this long after its end (clock skew, router timer granularity). */
const EXPIRY_SLACK_MS = 5_000;

export async function removeEntry(rc: RouterContext, e: LedgerEntry, signal?: AbortSignal): Promise<void> {
  const r = await rc.mappers[e.via].removeOwn(e, signal);
  if (r === 'not-ours')
    throw new NatScopeError(
      'refused',
      `${e.protocol.toUpperCase()} ${e.externalPort} now belongs to another program; left in place`,
    );
  await rc.ledger.remove(e.id);
  rc.session.delete(e.id);
}

export async function deleteMapping(
  rc: RouterContext,
  rawInput: z.input<typeof MappingsDeleteInputSchema>,
  signal?: AbortSignal,
) {
  const { input, own: entries } = await beginTableRequest(rc, MappingsDeleteInputSchema, rawInput);
  const own = entries.find(
    (e) =>
      e.via === input.via &&
      e.protocol === input.protocol &&
      e.externalPort === input.externalPort &&
      (input.internalPort === undefined || e.internalPort === input.internalPort),
  );
  if (own) {
    try {
      await removeEntry(rc, own, signal);
    } catch (err) {
      throw toError(rc, err, signal);
    }
    return { deleted: true, createdByNatScope: true, note: null };
  }
  if (input.userPicked !== true) {
    throw new NatScopeError(
      'refused',
      `${input.via} ${input.protocol.toUpperCase()} ${input.externalPort} was not created by NatScope; deleting it needs an explicit pick by the user (userPicked: true / --force)`,
    );
  }
  const site = await rc.locate(input);
  try {
    await rc.mappers[input.via].removeForeign(input, site, signal);
  } catch (err) {
    throw toError(rc, err, signal);
  }
  return {
    deleted: true,
    createdByNatScope: false,
    note: 'deleted on the user’s explicit pick; it was not created by NatScope',
  };
}

/** Removes what runs that are no longer alive left behind (and drops expired entries). */
export async function cleanupStale(rc: RouterContext, signal?: AbortSignal): Promise<CleanupOutput> {
  const entries = await rc.ledger.list();
  const out: CleanupOutput = { removed: [], failed: [], expired: 0 };
  const drop = new Set<string>();
  for (const e of entries) {
    if (isOwnerAlive(e.owner)) continue; // a running NatScope owns it
    const expired = e.expiresAt !== null && e.expiresAt + EXPIRY_SLACK_MS < rc.wallNow();
    if (e.kept && !expired) continue; // left on purpose; its lease bounds it
    if (expired && rc.mappers[e.via].capabilities.gatewayEnforcesLease) {
      // The gateway ended it with its lease: the mapping is gone.
      out.expired++;
      drop.add(e.id);
      continue;
    }
    try {
      const r = await rc.mappers[e.via].removeOwn(e, signal);
      if (r === 'removed') out.removed.push(fromLedger(e, rc.wallNow));
      else if (expired) out.expired++;
      drop.add(e.id);
    } catch (err) {
      if (signal?.aborted) throw toError(rc, err, signal);
      if (expired) {
        out.expired++;
        drop.add(e.id);
      } else
        out.failed.push({
          mapping: fromLedger(e, rc.wallNow),
          error: err instanceof Error ? err.message : String(err),
        });
    }
  }
  if (drop.size > 0)
    await rc.ledger.update((es) => ({ entries: es.filter((x) => !drop.has(x.id)), result: undefined }));
  return CleanupOutputSchema.parse(out);
}

/** Removes every mapping this process created and did not keep (call on exit / Ctrl-C). */
export async function releaseSession(
  rc: RouterContext,
  only: { gateway?: string } = {},
): Promise<{ removed: number; failed: string[] }> {
  const failed: string[] = [];
  let removed = 0;
  // `gateway`: only that router's (the offline demo releases its simulated router's before it stops).
  const entries = (await rc.ledger.list()).filter(
    (e) => rc.session.has(e.id) && (only.gateway === undefined || e.gateway === only.gateway),
  );
  for (const e of entries) {
    try {
      await removeEntry(rc, e);
      removed++;
    } catch (err) {
      failed.push(`${e.via} ${e.protocol.toUpperCase()} ${e.externalPort}: ${(err as Error).message}`);
    }
  }
  return { removed, failed };
}
