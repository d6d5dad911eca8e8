/**
 * `router.mappings.verify`: does a packet from outside really reach the internal port? Through a
 * NatScope probe helper beyond the NAT when one is given (engine/mappings/reachability.ts), else
 * the service's prober (default: none, "unverified"). Independent of how the mapping was made.
 */
import type { z } from 'zod';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import { MappingsVerifyInputSchema, type MappingsVerifyOutput } from '../../../shared/contracts/router.ts';
import { parseHostPort } from '../../../shared/model/endpoint.ts';
import { noProber, udpHelperProber, verifyUdpMapping } from '../../engine/mappings/reachability.ts';
import type { RouterContext } from './context.ts';
import { toError } from './failures.ts';
import { parseInput } from './input.ts';

export async function verifyMapping(
  rc: RouterContext,
  rawInput: z.input<typeof MappingsVerifyInputSchema>,
  signal?: AbortSignal,
): Promise<MappingsVerifyOutput> {
  const input = parseInput(MappingsVerifyInputSchema, rawInput);
  const { network, clock } = rc.deps;
  let prober = rc.deps.prober ?? noProber;
  if (input.probeHelper) {
    let hp;
    try {
      hp = parseHostPort(input.probeHelper, 3479);
    } catch (err) {
      throw new NatScopeError('bad-request', `probe helper: ${(err as Error).message}`);
    }
    const [address] = await network.resolve(hp.host, 4).catch(() => [] as string[]);
    if (!address) throw new NatScopeError('unreachable', `cannot resolve probe helper ${hp.host}`);
    prober = udpHelperProber(network, clock, { address, port: hp.port });
  }
  if (input.protocol !== 'udp') {
    return {
      status: 'unverified',
      method: prober.method,
      detail: 'only UDP mappings can be verified so far',
      probedEndpoint: null,
      elapsedMs: null,
    };
  }
  try {
    return await verifyUdpMapping({
      network,
      clock,
      prober,
      internalPort: input.internalPort,
      externalPort: input.externalPort,
      timeoutMs: input.timeoutMs,
      signal,
    });
  } catch (err) {
    throw toError(rc, err, signal);
  }
}
