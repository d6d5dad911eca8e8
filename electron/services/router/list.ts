/**
 * `router.mappings.list`: the router's table from the mappers that can read one (UPnP), and — since
 * NAT-PMP and PCP cannot list — NatScope's own mappings from the ledger for the others.
 */
import type { z } from 'zod';
import {
  DEFAULT_LIST_BUDGET_SEC,
  MappingsListInputSchema,
  type RouterMapping,
} from '../../../shared/contracts/router.ts';
import type { MapperListing } from '../../engine/mappings/port-mapper.ts';
import type { RouterContext } from './context.ts';
import { beginTableRequest } from './input.ts';
import { toError } from './failures.ts';
import { eachMapper } from './mappers.ts';
import { fromLedger } from './views.ts';

export async function listMappings(
  rc: RouterContext,
  rawInput: z.input<typeof MappingsListInputSchema>,
  signal?: AbortSignal,
) {
  const { input, own } = await beginTableRequest(rc, MappingsListInputSchema, rawInput);
  const warnings: string[] = [];
  let upnpError: string | null = null;
  let upnpMethod: MapperListing['method'] = null;
  let partial: string | null = null;
  const budgetMs = (input.listBudgetSec ?? DEFAULT_LIST_BUDGET_SEC) * 1000;
  const mappings: RouterMapping[] = [];
  for (const mapper of eachMapper(rc.mappers)) {
    if (!mapper.list || (input.via && input.via !== mapper.via)) continue;
    try {
      const l = await mapper.list(await rc.locate(input), own, { budgetMs, signal });
      mappings.push(...l.mappings);
      upnpError = l.error;
      upnpMethod = l.method;
      partial = l.partial;
    } catch (err) {
      if (input.via === mapper.via) throw toError(rc, err, signal);
      upnpError = (err as Error).message;
    }
  }
  // The others cannot list a table: show what NatScope itself created (unless a table showed it).
  const shown = new Set(mappings.map((m) => m.ledgerId));
  for (const e of own) {
    if (rc.mappers[e.via].capabilities.listsTable || shown.has(e.id) || (input.via && input.via !== e.via))
      continue;
    mappings.push(fromLedger(e, rc.wallNow));
  }
  return { mappings, upnpError, upnpMethod, partial: partial !== null, partialReason: partial, warnings };
}
