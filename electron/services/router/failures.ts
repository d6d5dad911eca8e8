/**
 * Router failures as the contract's errors: a protocol's refusal by number and name (UPnP 718,
 * NAT-PMP 3, PCP 8 …, told apart by the mapper that knows them) with the findings it points to,
 * malformed answers, timeouts, cancellation.
 */
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { MappingVia, ProtocolError, RouterErrorDetail } from '../../../shared/contracts/router.ts';
import { describeCode } from '../../../shared/model/router-errors.ts';
import { analyzeRouter } from '../../../shared/model/router-findings.ts';
import type { RouterContext } from './context.ts';
import { eachMapper } from './mappers.ts';

export function protocolError(via: MappingVia, code: number): ProtocolError {
  const info = describeCode(via, code);
  return { via, code, name: info.name, meaning: info.meaning };
}

export function toError(rc: RouterContext, err: unknown, signal?: AbortSignal): Error {
  if (signal?.aborted)
    return signal.reason instanceof NatScopeError
      ? signal.reason
      : new NatScopeError('cancelled', 'cancelled');
  if (err instanceof NatScopeError) return err;
  for (const mapper of eachMapper(rc.mappers)) {
    const f = mapper.classify(err);
    if (!f) continue;
    if (f.kind === 'error') return new NatScopeError(f.code, f.message);
    const pe = protocolError(mapper.via, f.code);
    rc.refusals.push({ via: pe.via, code: pe.code });
    const found = analyzeRouter({ externalIps: {}, supported: {}, refusals: rc.refusals });
    const detail: RouterErrorDetail = { protocolError: pe, findings: found.length > 0 ? found : undefined };
    return new NatScopeError(
      f.notSupported ? 'not-supported' : 'refused',
      `${(err as Error).message}: ${pe.meaning}`,
      detail,
    );
  }
  return new NatScopeError('internal', err instanceof Error ? err.message : String(err));
}
