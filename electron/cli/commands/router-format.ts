// Human output shared by `natscope router` and `natscope map`: mapping tables, protocol errors, findings.
import type { RouterErrorDetail, RouterFindingOut, RouterMapping } from '../../../shared/contracts/router.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { CliIo } from '../command.ts';
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
