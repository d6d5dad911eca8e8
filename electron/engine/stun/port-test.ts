/**
 * The mapping of a given local port (RFC 5780 §4.3 applied to SIP's 5060 and an RTP-range port):
 * bind it (the next candidate when in use), one Binding, local vs mapped port.
 */
import type { PortObservation } from '../../../shared/contracts/nat.ts';
import { formatEndpoint, type Endpoint } from '../../../shared/model/endpoint.ts';
import type { UdpDiscoveryOptions } from './udp-discovery-options.ts';
import { normalizeIp } from './ip.ts';
import { ProbeContext, mappedOf } from './probe.ts';

export async function portTest(
  ctx: ProbeContext,
  o: UdpDiscoveryOptions,
  test: 'port-5060' | 'port-rtp',
  label: 'sip-5060' | 'rtp',
  candidates: readonly number[],
  P: Endpoint,
  deadlineMs: () => number,
): Promise<PortObservation | null> {
  ctx.rec.start(test, `Binding from local port ${candidates[0]}`);
  let sock;
  for (const port of candidates) {
    try {
      sock = await ctx.bind(port);
      break;
    } catch {
      /* in use: try the next candidate */
    }
  }
  if (!sock) {
    ctx.rec.finish(test, 'skipped', null, `local port ${candidates.join('/')} is in use here`);
    if (test === 'port-5060')
      ctx.rec.warn(
        'local port 5060 is in use (a SIP client or server runs here), so its mapping was not tested',
      );
    return null;
  }
  const local = await localEndpoint(sock.local, o);
  const out = await ctx.probe({
    test,
    step: `Binding from local port ${local.port}`,
    from: sock,
    to: P,
    deadlineMs,
  });
  const mapped = mappedOf(out);
  const obs: PortObservation = {
    label,
    local: formatEndpoint(local),
    mapped: mapped ? formatEndpoint(mapped) : null,
    preserved: mapped ? mapped.port === local.port : null,
  };
  if (mapped)
    ctx.rec.finish(
      test,
      'done',
      `${local.port}->${mapped.port}`,
      `local ${formatEndpoint(local)} appears as ${formatEndpoint(mapped)}`,
    );
  else ctx.rec.finish(test, 'failed', null, 'no answer');
  return obs;
}

export async function localEndpoint(local: Endpoint, o: UdpDiscoveryOptions): Promise<Endpoint> {
  const address = normalizeIp(local.address);
  if (address !== '0.0.0.0' && address !== '::') return { address, port: local.port };
  return { address: o.localAddress ?? o.localAddresses?.[0] ?? address, port: local.port };
}

export function isLocal(mapped: Endpoint, local: Endpoint, o: UdpDiscoveryOptions): boolean {
  const ip = normalizeIp(mapped.address);
  const mine = new Set([normalizeIp(local.address), ...(o.localAddresses ?? []).map(normalizeIp)]);
  return mine.has(ip) && mapped.port === local.port;
}
