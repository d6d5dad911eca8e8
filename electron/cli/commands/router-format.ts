// Human output shared by `natscope router` and `natscope map`: mapping tables, protocol errors, findings.
import type {
  CleanupOutput,
  RouterErrorDetail,
  RouterFindingOut,
  RouterMapping,
} from '../../../shared/contracts/router.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { CliContext, CliIo } from '../command.ts';
import { table } from '../format.ts';

export function mappingsTable(mappings: RouterMapping[]): string {
  if (mappings.length === 0) return 'none';
  return table(
    ['Via', 'Proto', 'External', 'Internal', 'Description', 'Lease left', 'By NatScope'],
    mappings.map((m) => [
      m.via,
      m.protocol.toUpperCase(),
      `${m.externalIp ?? '*'}:${m.externalPort}`,
      `${m.internalClient ?? '?'}:${m.internalPort}`,
      m.description,
      m.permanent ? 'permanent' : m.leaseRemainingSeconds === null ? null : `${m.leaseRemainingSeconds} s`,
      m.createdByNatScope ? (m.kept ? 'yes (kept)' : 'yes') : 'no',
    ]),
  );
}

/** Says plainly that the table shown is not the whole table, and why. */
export function partialNote(reason: string): string {
  return `Partial table — more mappings may exist: ${reason}.`;
}

export function findingsText(findings: RouterFindingOut[]): string {
  return findings
    .map((f) => `[${f.severity}] ${f.title}\n  ${f.meaning}\n${f.evidence.map((e) => `  - ${e}`).join('\n')}`)
    .join('\n');
}

/** Prints the protocol error (number and name) and findings carried by a router NatScopeError. */
export function printRouterErrorDetail(io: CliIo, err: unknown): void {
  if (!(err instanceof NatScopeError) || err.detail === null || typeof err.detail !== 'object') return;
  const d = err.detail as RouterErrorDetail;
  if (d.protocolError)
    io.err(
      `  ${d.protocolError.via} error ${d.protocolError.code} ${d.protocolError.name}: ${d.protocolError.meaning}`,
    );
  if (d.needsConfirmation === 'permanent-lease')
    io.err(
      '  Re-run with --allow-permanent to accept a permanent mapping (NatScope still removes it on exit).',
    );
  if (d.findings?.length) io.err(findingsText(d.findings));
}

function mappingLine(m: RouterMapping): string {
  return `${m.protocol.toUpperCase()} ${m.externalPort} → ${m.internalClient ?? '?'}:${m.internalPort} via ${m.via}`;
}

/**
 * Removes what an earlier NatScope run that did not exit cleanly (crash, SIGKILL, power loss) left
 * on the router, before this command touches it, and says so on stderr. Returns what happened
 * (for --json documents), or null when the ledger could not be read (said as a warning).
 */
export async function removeLeftovers(
  ctx: Pick<CliContext, 'services' | 'io' | 'signal'>,
  target: { gateway?: string; igdLocation?: string },
): Promise<CleanupOutput | null> {
  let r: CleanupOutput;
  try {
    r = await ctx.services.router.cleanupStale(target, ctx.signal);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.io.err(`warning: leftover mappings of earlier runs could not be checked: ${(err as Error).message}`);
    return null;
  }
  if (r.removed.length > 0)
    ctx.io.err(
      `Removed ${r.removed.length} leftover mapping(s) of an earlier NatScope run that did not exit cleanly:\n${r.removed.map((m) => `  ${mappingLine(m)}`).join('\n')}`,
    );
  for (const f of r.failed)
    ctx.io.err(
      `warning: leftover mapping ${mappingLine(f.mapping)} not removed yet (will retry): ${f.error}`,
    );
  return r;
}
