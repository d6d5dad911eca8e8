/** Router requests' input: checked against the contract (`bad-request` naming the first bad field). */
import type { z } from 'zod';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { LedgerEntry } from '../../engine/mappings/ledger.ts';
import type { RouterContext } from './context.ts';

export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const r = schema.safeParse(raw ?? {});
  if (!r.success) {
    const first = r.error.issues[0];
    throw new NatScopeError(
      'bad-request',
      `invalid input${first ? `: ${first.path.join('.') || '(root)'} ${first.message}` : ''}`,
      r.error.issues,
    );
  }
  return r.data;
}

/** A table operation starts alike: valid input, earlier runs' leftovers removed, the ledger read. */
export async function beginTableRequest<S extends z.ZodType>(
  rc: RouterContext,
  schema: S,
  raw: unknown,
): Promise<{ input: z.output<S>; own: LedgerEntry[] }> {
  const input = parseInput(schema, raw);
  await rc.ensureStaleCleanup();
  return { input, own: await rc.ledger.list() };
}
