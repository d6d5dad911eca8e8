/**
 * `router.probe`: ask every wanted protocol, concurrently and read-only, what the router says —
 * with a progress event per protocol — then derive the findings (double NAT, CGNAT, a reboot) from
 * their external addresses, support and refusals, including refusals remembered from earlier runs.
 */
import type { z } from 'zod';
import type { ProgressEvent } from '../../../shared/contracts/common.ts';
import {
  DEFAULT_LIST_BUDGET_SEC,
  RouterProbeInputSchema,
  type MappingVia,
  type RouterReport,
} from '../../../shared/contracts/router.ts';
import { analyzeRouter } from '../../../shared/model/router-findings.ts';
import type { MapperSite, PortMapper, ProbeOptions, Probed } from '../../engine/mappings/port-mapper.ts';
import type { CallContext } from '../call-context.ts';
import type { RouterContext } from './context.ts';
import { toError } from './failures.ts';
import { parseInput } from './input.ts';
import { fromLedger } from './views.ts';

export async function probeRouter(
  rc: RouterContext,
  rawInput: z.input<typeof RouterProbeInputSchema>,
  cc: CallContext<ProgressEvent>,
): Promise<RouterReport> {
  const input = parseInput(RouterProbeInputSchema, rawInput);
  const warnings: string[] = [];
  const cleanup = await rc.ensureStaleCleanup();
  if ('error' in cleanup) warnings.push(`cleanup of leftover mappings failed: ${String(cleanup.error)}`);
  for (const f of cleanup.failed)
    warnings.push(
      `leftover mapping ${f.mapping.protocol}/${f.mapping.externalPort} not removed yet: ${f.error}`,
    );
  const site = await rc.locate(input);
  if (!site.gateway) warnings.push('no IPv4 default gateway: NAT-PMP and PCP were not asked');
  const want = new Set(input.protocols ?? ['upnp', 'natpmp', 'pcp']);
  const own = await rc.ledger.list();
  const options = (via: MappingVia): ProbeOptions => ({
    listMappings: input.listMappings ?? true,
    listBudgetMs: (input.listBudgetSec ?? DEFAULT_LIST_BUDGET_SEC) * 1000,
    own,
    signal: cc.signal,
    // once per kind: a long-running caller (the monitor) probes every interval
    noteRefusal: (code) => {
      if (!rc.refusals.some((r) => r.via === via && r.code === code)) rc.refusals.push({ via, code });
    },
  });
  const run = <V extends MappingVia>(m: PortMapper<V>) =>
    step(rc, cc, site, m, want.has(m.via) && canAsk(m, site), () => m.probe(site, options(m.via)));
  const { upnp, natpmp, pcp } = rc.mappers;
  const [u, n, p] = await Promise.all([run(upnp), run(natpmp), run(pcp)]);
  const probed = { upnp: u, natpmp: n, pcp: p };
  // "Supported" is known when the protocol was wanted and had its gateway (not only when it ran).
  const supported: Partial<Record<MappingVia, boolean>> = {};
  for (const [via, r] of Object.entries(probed) as [MappingVia, Probed<unknown>][])
    if (want.has(via) && (!rc.mappers[via].capabilities.needsGateway || site.gateway))
      supported[via] = r.supported;
  // Refusals seen by earlier runs (e.g. `natscope map add`) count too: the probe itself maps nothing.
  const seen = site.gateway
    ? ((await rc.deps.refusalLog?.recent(site.gateway, rc.wallNow()).catch(() => [])) ?? [])
    : [];
  const allRefusals = [...rc.refusals];
  for (const r of seen)
    if (!allRefusals.some((x) => x.via === r.via && x.code === r.code))
      allRefusals.push({ via: r.via, code: r.code });
  const findings = analyzeRouter({
    externalIps: { upnp: u.externalIp, natpmp: n.externalIp, pcp: p.externalIp },
    supported,
    stunMappedAddress: input.stunMappedAddress ?? null,
    refusals: allRefusals,
    epochReset: n.epochReset || p.epochReset,
  });
  return {
    gateway: site.gateway,
    localAddress: site.localAddress,
    upnp: u.report,
    natpmp: n.report,
    pcp: p.report,
    findings,
    ownMappings: own.map((e) => fromLedger(e, rc.wallNow)),
    warnings,
  };
}

function canAsk(m: PortMapper, site: MapperSite): boolean {
  return (
    (!m.capabilities.needsGateway || site.gateway !== null) &&
    (!m.capabilities.needsLocalAddress || site.localAddress !== null)
  );
}

/** One protocol's probe with its progress events; skipped ones get the "not asked" report. */
async function step<V extends MappingVia>(
  rc: RouterContext,
  cc: CallContext<ProgressEvent>,
  site: MapperSite,
  m: PortMapper<V>,
  enabled: boolean,
  fn: () => Promise<Probed<RouterReport[V]>>,
): Promise<Probed<RouterReport[V]>> {
  if (!enabled) {
    cc.emit({ kind: 'progress', step: m.via, status: 'skipped' });
    return { report: m.notAsked(site), supported: false, externalIp: null, epochReset: false };
  }
  cc.emit({ kind: 'progress', step: m.via, status: 'started' });
  try {
    const v = await fn();
    cc.emit({ kind: 'progress', step: m.via, status: 'done' });
    return v;
  } catch (err) {
    cc.emit({ kind: 'progress', step: m.via, status: 'failed', message: (err as Error).message });
    throw toError(rc, err, cc.signal);
  }
}
