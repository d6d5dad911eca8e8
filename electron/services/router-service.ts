/**
 * Router service: what the router's UPnP IGD, NAT-PMP and PCP say, its mapping table, and safe
 * add / delete / verify of mappings. Safety rules live HERE (not only in the UI):
 * - add needs `confirmExposure: true`; every mapping has a lease (default 600 s);
 * - a ledger entry is written before the router is asked, so crashes leave a record; mappings of
 *   this process are removed on cancel and on `releaseSession()` (exit); leftovers of dead
 *   processes are removed at the first router call of the next run;
 * - a mapping NatScope did not create is only deleted with `userPicked: true`.
 */
import { randomBytes } from 'node:crypto';
import { NatScopeError } from '../../shared/contracts/errors.ts';
import {
  CleanupOutputSchema,
  MappingsAddInputSchema,
  MappingsDeleteInputSchema,
  MappingsListInputSchema,
  MappingsVerifyInputSchema,
  RouterProbeInputSchema,
  type CleanupOutput,
  type MappingVia,
  type MappingsVerifyOutput,
  type NatPmpReport,
  type PcpReport,
  type ProtocolError,
  type RouterErrorDetail,
  type RouterMapping,
  type RouterReport,
  type UpnpReport,
} from '../../shared/contracts/router.ts';
import type { ProgressEvent } from '../../shared/contracts/common.ts';
import { classifyAddress, type AddressClass } from '../../shared/model/address-class.ts';
import { formatEndpoint, parseHostPort } from '../../shared/model/endpoint.ts';
import { describeCode, isDoubleNatRefusal } from '../../shared/model/router-errors.ts';
import { analyzeRouter } from '../../shared/model/router-findings.ts';
import type { Clock } from '../engine/clock/clock.ts';
import {
  currentOwner,
  isOwnerAlive,
  newEntryId,
  type LedgerEntry,
  type MappingLedger,
} from '../engine/mappings/ledger.ts';
import {
  noProber,
  udpHelperProber,
  verifyUdpMapping,
  type ReachabilityProber,
} from '../engine/mappings/reachability.ts';
import type { RefusalLog } from '../engine/mappings/refusal-log.ts';
import type { Network } from '../engine/net/network.ts';
import { EpochTracker } from '../engine/natpmp/epoch.ts';
import {
  natpmpExternalAddress,
  natpmpMap,
  natpmpUnmap,
  NatPmpResultError,
  type GatewayContext,
} from '../engine/natpmp/natpmp-client.ts';
import { NatPmpDecodeError } from '../engine/natpmp/natpmp-codec.ts';
import { PcpDecodeError } from '../engine/natpmp/pcp-codec.ts';
import {
  pcpAnnounce,
  pcpDelete,
  pcpMap,
  PcpResultError,
  PcpVersionMismatch,
  type PcpContext,
} from '../engine/natpmp/pcp-client.ts';
import type { RetryPolicy } from '../engine/natpmp/transact.ts';
import { takeNetworkSnapshot } from '../engine/netinfo/snapshot.ts';
import type { SystemSource } from '../engine/netinfo/system-source.ts';
import { discoverIgd, type IgdDiscovery, type IgdFound } from '../engine/upnp/discover-igd.ts';
import {
  addAnyPortMapping,
  addPortMapping,
  deletePortMapping,
  getConnectionTypeInfo,
  getExternalIpAddress,
  getSpecificPortMappingEntry,
  listAllPortMappings,
  UpnpActionError,
  UpnpProtocolError,
  type IgdContext,
  type IgdService,
  type PortMappingEntry,
} from '../engine/upnp/igd-client.ts';
import type { CallContext } from './call-context.ts';
import type { z } from 'zod';

export interface RouterServiceDeps {
  network: Network;
  clock: Clock;
  system: SystemSource;
  ledger: MappingLedger;
  /** Outside helper for reachability checks; default: none ("unverified"). */
  prober?: ReachabilityProber;
  /** Remembers double-NAT refusals across runs for the read-only router report. */
  refusalLog?: RefusalLog;
  /** Wall clock (ms since 1970) for leases in the ledger. */
  wallNow?: () => number;
  retry?: RetryPolicy;
  ssdpTimeoutMs?: number;
  httpTimeoutMs?: number;
}

type Target = { gateway?: string; igdLocation?: string };
interface Located {
  gateway: string | null;
  localAddress: string | null;
  lanAddresses: string[];
}

const IGD_CACHE_MS = 60_000;
/** A lease counts as over this long after its end (clock skew, router timer granularity). */
const EXPIRY_SLACK_MS = 5_000;

export function createRouterService(deps: RouterServiceDeps) {
  const { network, clock, ledger } = deps;
  const wallNow = deps.wallNow ?? (() => Date.now());
  const owner = currentOwner();
  const epochs = { natpmp: new Map<string, EpochTracker>(), pcp: new Map<string, EpochTracker>() };
  /** Ledger ids created by this process and not kept: removed by releaseSession(). */
  const session = new Set<string>();
  const refusals: { via: MappingVia; code: number }[] = [];
  let pcpExternalIp: string | null = null;
  let staleCleanup: Promise<CleanupOutput> | null = null;
  let igdCache: { key: string; at: number; igd: IgdFound; discovery: IgdDiscovery } | null = null;

  function tracker(kind: 'natpmp' | 'pcp', gateway: string): EpochTracker {
    let t = epochs[kind].get(gateway);
    if (!t) epochs[kind].set(gateway, (t = new EpochTracker()));
    return t;
  }

  async function locate(target: Target): Promise<Located> {
    const snap = await takeNetworkSnapshot(deps.system);
    const gateway = target.gateway ?? snap.gateways.find((g) => g.family === 4)?.address ?? null;
    const localAddress =
      (gateway ? await deps.system.routeSource(gateway) : null) ?? snap.primary?.address ?? null;
    const lanAddresses = snap.interfaces.flatMap((i) =>
      i.addresses
        .filter((a) => a.family === 4 && !a.internal && a.class !== 'loopback')
        .map((a) => a.address),
    );
    return {
      gateway,
      localAddress: localAddress && !localAddress.includes(':') ? localAddress : null,
      lanAddresses,
    };
  }

  function gatewayCtx(loc: Located, signal?: AbortSignal, kind: 'natpmp' | 'pcp' = 'natpmp'): GatewayContext {
    if (!loc.gateway)
      throw new NatScopeError('unreachable', 'no IPv4 default gateway: pass a gateway address');
    return {
      network,
      clock,
      gateway: loc.gateway,
      localAddress: loc.localAddress ?? undefined,
      retry: deps.retry,
      signal,
      epochs: tracker(kind, loc.gateway),
    };
  }

  function pcpCtx(loc: Located, signal?: AbortSignal): PcpContext {
    const g = gatewayCtx(loc, signal, 'pcp');
    if (!loc.localAddress)
      throw new NatScopeError('unreachable', 'cannot tell this computer’s address towards the gateway');
    return { ...g, localAddress: loc.localAddress };
  }

  function igdCtx(signal?: AbortSignal): IgdContext {
    return { network, clock, timeoutMs: deps.httpTimeoutMs ?? 3000, signal };
  }

  async function discover(
    target: Target,
    loc: Located,
    signal?: AbortSignal,
    fresh = false,
  ): Promise<IgdDiscovery> {
    const key = `${loc.gateway}|${target.igdLocation ?? ''}`;
    if (!fresh && igdCache && igdCache.key === key && clock.now() - igdCache.at < IGD_CACHE_MS)
      return igdCache.discovery;
    const d = await discoverIgd({
      network,
      clock,
      localAddresses: loc.lanAddresses,
      gateway: loc.gateway,
      location: target.igdLocation ? new URL(target.igdLocation) : undefined,
      ssdpTimeoutMs: deps.ssdpTimeoutMs,
      httpTimeoutMs: deps.httpTimeoutMs,
      signal,
    });
    if (d.igd) igdCache = { key, at: clock.now(), igd: d.igd, discovery: d };
    return d;
  }

  async function requireIgd(target: Target, loc: Located, signal?: AbortSignal): Promise<IgdFound> {
    const d = await discover(target, loc, signal);
    if (!d.igd) {
      throw new NatScopeError(
        'unreachable',
        'no UPnP Internet Gateway Device answered on the LAN (UPnP off on the router?)',
        {
          errors: d.errors.slice(0, 20),
        },
      );
    }
    return d.igd;
  }

  // ---- error mapping ----------------------------------------------------------------------

  function protocolError(via: MappingVia, code: number): ProtocolError {
    const info = describeCode(via, code);
    return { via, code, name: info.name, meaning: info.meaning };
  }

  function findingsDetail(): RouterErrorDetail['findings'] {
    const f = analyzeRouter({ externalIps: {}, supported: {}, refusals });
    return f.length > 0 ? f : undefined;
  }

  function toError(err: unknown, signal?: AbortSignal): Error {
    if (signal?.aborted)
      return signal.reason instanceof NatScopeError
        ? signal.reason
        : new NatScopeError('cancelled', 'cancelled');
    if (err instanceof NatScopeError) return err;
    let pe: ProtocolError | null = null;
    if (err instanceof UpnpActionError) pe = protocolError('upnp', err.code);
    else if (err instanceof NatPmpResultError) pe = protocolError('natpmp', err.code);
    else if (err instanceof PcpResultError) pe = protocolError('pcp', err.code);
    if (pe) {
      refusals.push({ via: pe.via, code: pe.code });
      const notSupported =
        (pe.via === 'natpmp' && (pe.code === 1 || pe.code === 5)) ||
        (pe.via === 'pcp' && (pe.code === 1 || pe.code === 4));
      const detail: RouterErrorDetail = { protocolError: pe, findings: findingsDetail() };
      return new NatScopeError(
        notSupported ? 'not-supported' : 'refused',
        `${(err as Error).message}: ${pe.meaning}`,
        detail,
      );
    }
    if (err instanceof PcpVersionMismatch) return new NatScopeError('not-supported', err.message);
    if (err instanceof UpnpProtocolError) {
      return new NatScopeError(err.kind === 'malformed' ? 'malformed-response' : err.kind, err.message);
    }
    if (err instanceof NatPmpDecodeError || err instanceof PcpDecodeError)
      return new NatScopeError('malformed-response', err.message);
    return new NatScopeError('internal', err instanceof Error ? err.message : String(err));
  }

  // ---- views ------------------------------------------------------------------------------

  function leaseRemaining(e: LedgerEntry): number | null {
    return e.expiresAt === null ? null : Math.max(0, Math.round((e.expiresAt - wallNow()) / 1000));
  }

  function fromLedger(e: LedgerEntry): RouterMapping {
    return {
      via: e.via,
      protocol: e.protocol,
      externalIp: e.externalIp,
      externalPort: e.externalPort,
      internalClient: e.internalClient,
      internalPort: e.internalPort,
      remoteHost: null,
      description: e.description,
      enabled: true,
      leaseSeconds: e.leaseSeconds,
      leaseRemainingSeconds: leaseRemaining(e),
      permanent: e.leaseSeconds === 0,
      createdByNatScope: true,
      kept: e.kept,
      ledgerId: e.id,
    };
  }

  /**
   * The ledger entry behind a row of the router's UPnP table. miniupnpd also lists NAT-PMP and PCP
   * mappings there ("NAT-PMP <port> <proto>", "PCP MAP <nonce>"), so those match too.
   */
  function matchUpnp(
    entries: LedgerEntry[],
    m: PortMappingEntry,
    gatewayHost: string,
  ): LedgerEntry | undefined {
    return entries.find(
      (e) =>
        e.protocol === m.protocol &&
        e.externalPort === m.externalPort &&
        e.internalPort === m.internalPort &&
        e.internalClient === m.internalClient &&
        e.gateway === gatewayHost &&
        // miniupnpd labels NAT-PMP/PCP rows itself (its PCP label shows the nonce in host byte order).
        (e.via === 'upnp' ? e.description === m.description : true),
    );
  }

  function fromUpnp(
    m: PortMappingEntry,
    own: LedgerEntry | undefined,
    externalIp: string | null,
  ): RouterMapping {
    return {
      // A NAT-PMP/PCP mapping of NatScope's shows under the protocol that can delete it.
      via: own?.via ?? 'upnp',
      protocol: m.protocol,
      externalIp,
      externalPort: m.externalPort,
      internalClient: m.internalClient || null,
      internalPort: m.internalPort,
      remoteHost: m.remoteHost || null,
      description: m.description || null,
      enabled: m.enabled,
      leaseSeconds: own ? own.leaseSeconds : m.leaseSeconds,
      leaseRemainingSeconds: m.leaseSeconds === 0 ? null : m.leaseSeconds,
      permanent: m.leaseSeconds === 0,
      createdByNatScope: own !== undefined,
      kept: own?.kept ?? false,
      ledgerId: own?.id ?? null,
    };
  }

  function addrClass(ip: string | null): AddressClass | null {
    if (!ip) return null;
    try {
      return classifyAddress(ip);
    } catch {
      return null;
    }
  }

  // ---- stale cleanup ----------------------------------------------------------------------

  async function removeFromRouter(
    e: LedgerEntry,
    signal?: AbortSignal,
  ): Promise<'removed' | 'absent' | 'not-ours'> {
    if (e.via === 'upnp') {
      if (!e.upnp) return 'absent';
      const s: IgdService = { serviceType: e.upnp.serviceType, controlUrl: new URL(e.upnp.controlUrl) };
      const cur = await getSpecificPortMappingEntry(igdCtx(signal), s, {
        protocol: e.protocol,
        externalPort: e.externalPort,
      });
      if (!cur) return 'absent';
      if (
        cur.internalClient !== e.internalClient ||
        cur.internalPort !== e.internalPort ||
        cur.description !== e.description
      )
        return 'not-ours';
      await deletePortMapping(igdCtx(signal), s, { protocol: e.protocol, externalPort: e.externalPort });
      return 'removed';
    }
    const loc: Located = { gateway: e.gateway, localAddress: e.internalClient, lanAddresses: [] };
    if (e.via === 'natpmp') {
      await natpmpUnmap(gatewayCtx(loc, signal), { protocol: e.protocol, internalPort: e.internalPort });
      return 'removed';
    }
    if (!e.pcpNonce) return 'absent';
    await pcpDelete(pcpCtx(loc, signal), {
      nonce: Buffer.from(e.pcpNonce, 'hex'),
      protocol: e.protocol,
      internalPort: e.internalPort,
    });
    return 'removed';
  }

  async function cleanupStale(signal?: AbortSignal): Promise<CleanupOutput> {
    const entries = await ledger.list();
    const out: CleanupOutput = { removed: [], failed: [], expired: 0 };
    const drop = new Set<string>();
    for (const e of entries) {
      if (isOwnerAlive(e.owner)) continue; // a running NatScope owns it
      const expired = e.expiresAt !== null && e.expiresAt + EXPIRY_SLACK_MS < wallNow();
      if (e.kept && !expired) continue; // left on purpose; its lease bounds it
      if (expired && e.via !== 'upnp') {
        // NAT-PMP/PCP leases are enforced by the gateway; the mapping is gone.
        out.expired++;
        drop.add(e.id);
        continue;
      }
      try {
        const r = await removeFromRouter(e, signal);
        if (r === 'removed') out.removed.push(fromLedger(e));
        else if (expired) out.expired++;
        drop.add(e.id);
      } catch (err) {
        if (signal?.aborted) throw toError(err, signal);
        if (expired) {
          out.expired++;
          drop.add(e.id);
        } else
          out.failed.push({
            mapping: fromLedger(e),
            error: err instanceof Error ? err.message : String(err),
          });
      }
    }
    if (drop.size > 0)
      await ledger.update((es) => ({ entries: es.filter((x) => !drop.has(x.id)), result: undefined }));
    return CleanupOutputSchema.parse(out);
  }

  /** Runs the leftover cleanup once per process, before the first router operation. */
  function ensureStaleCleanup(): Promise<CleanupOutput> {
    staleCleanup ??= cleanupStale().catch((err: unknown) => ({
      removed: [],
      failed: [],
      expired: 0,
      error: err instanceof Error ? err.message : String(err),
    }));
    return staleCleanup;
  }

  // ---- probe ------------------------------------------------------------------------------

  async function probeUpnp(
    target: Target,
    loc: Located,
    listMappings: boolean,
    own: LedgerEntry[],
    signal: AbortSignal,
  ): Promise<UpnpReport> {
    const d = await discover(target, loc, signal, true);
    const report: UpnpReport = {
      found: d.igd !== null,
      location: d.igd?.location.href ?? null,
      igdVersion: d.igd?.description.igdVersion ?? null,
      friendlyName: d.igd?.description.friendlyName ?? null,
      manufacturer: d.igd?.description.manufacturer ?? null,
      model: d.igd?.description.modelName ?? null,
      modelNumber: d.igd?.description.modelNumber ?? null,
      server: d.igd?.server ?? null,
      externalIp: null,
      externalIpClass: null,
      connectionStatus: d.igd?.chosen.status?.connectionStatus ?? null,
      connectionType: null,
      possibleConnectionTypes: null,
      uptimeSeconds: d.igd?.chosen.status?.uptimeSeconds ?? null,
      lastConnectionError: d.igd?.chosen.status?.lastConnectionError ?? null,
      services: (d.igd?.services ?? []).map((s) => ({
        serviceType: s.service.serviceType,
        controlUrl: s.service.controlUrl.href,
        connectionStatus: s.status?.connectionStatus ?? null,
        chosen: s === d.igd?.chosen,
        error: s.error,
      })),
      mappings: [],
      mappingsError: null,
      mappingsMethod: null,
      ssdp: d.ssdp.map((a) => ({
        from: formatEndpoint(a.from),
        via: a.via,
        st: a.st,
        usn: a.usn,
        server: a.server,
        location: a.location,
        raw: a.raw,
        rejected: a.rejected,
      })),
      errors: [...d.errors],
    };
    if (!d.igd) return report;
    const svc = d.igd.chosen.service;
    const ctx = igdCtx(signal);
    try {
      report.externalIp = (await getExternalIpAddress(ctx, svc)) || null;
      report.externalIpClass = addrClass(report.externalIp);
    } catch (err) {
      if (signal.aborted) throw err;
      report.errors.push(`GetExternalIPAddress: ${(err as Error).message}`);
    }
    try {
      const t = await getConnectionTypeInfo(ctx, svc);
      report.connectionType = t.connectionType;
      report.possibleConnectionTypes = t.possibleConnectionTypes;
    } catch (err) {
      if (signal.aborted) throw err;
      report.errors.push(`GetConnectionTypeInfo: ${(err as Error).message}`);
    }
    if (listMappings) {
      const l = await listAllPortMappings(ctx, svc);
      const host = d.igd.location.hostname;
      report.mappings = l.entries.map((m) => fromUpnp(m, matchUpnp(own, m, host), report.externalIp));
      report.mappingsError = l.error?.message ?? null;
      report.mappingsMethod = l.method;
    }
    return report;
  }

  async function probeNatPmp(loc: Located, signal: AbortSignal): Promise<NatPmpReport> {
    const r: NatPmpReport = {
      supported: false,
      gateway: loc.gateway,
      externalIp: null,
      externalIpClass: null,
      epoch: null,
      epochReset: false,
      resultCode: null,
      error: null,
    };
    try {
      const a = await natpmpExternalAddress(gatewayCtx(loc, signal));
      Object.assign(r, {
        supported: true,
        externalIp: a.externalIp,
        externalIpClass: addrClass(a.externalIp),
        epoch: a.epoch,
        epochReset: a.epochReset,
      });
    } catch (err) {
      if (signal.aborted) throw err;
      if (err instanceof NatPmpResultError) {
        // The gateway speaks NAT-PMP but has no external address for us (e.g. result 3).
        r.supported = err.code !== 1 && err.code !== 5;
        r.resultCode = protocolError('natpmp', err.code);
        if (isDoubleNatRefusal('natpmp', err.code)) refusals.push({ via: 'natpmp', code: err.code });
      }
      r.error = (err as Error).message;
    }
    return r;
  }

  async function probePcp(loc: Located, signal: AbortSignal): Promise<PcpReport> {
    const r: PcpReport = {
      supported: false,
      gateway: loc.gateway,
      externalIp: pcpExternalIp,
      epoch: null,
      epochReset: false,
      natPmpOnly: false,
      resultCode: null,
      error: null,
    };
    try {
      const a = await pcpAnnounce(pcpCtx(loc, signal));
      r.supported = true;
      r.epoch = a.epoch;
      r.epochReset = a.epochReset;
      if (a.resultCode !== 0) r.resultCode = protocolError('pcp', a.resultCode);
    } catch (err) {
      if (signal.aborted) throw err;
      if (err instanceof PcpVersionMismatch) r.natPmpOnly = err.serverVersion === 0;
      r.error = (err as Error).message;
    }
    return r;
  }

  async function probe(
    rawInput: z.input<typeof RouterProbeInputSchema>,
    cc: CallContext<ProgressEvent>,
  ): Promise<RouterReport> {
    const input = parseInput(RouterProbeInputSchema, rawInput);
    const warnings: string[] = [];
    const cleanup = await ensureStaleCleanup();
    if ('error' in cleanup) warnings.push(`cleanup of leftover mappings failed: ${String(cleanup.error)}`);
    for (const f of cleanup.failed)
      warnings.push(
        `leftover mapping ${f.mapping.protocol}/${f.mapping.externalPort} not removed yet: ${f.error}`,
      );
    const loc = await locate(input);
    if (!loc.gateway) warnings.push('no IPv4 default gateway: NAT-PMP and PCP were not asked');
    const want = new Set(input.protocols ?? ['upnp', 'natpmp', 'pcp']);
    const own = await ledger.list();
    const step = async <T>(
      name: MappingVia,
      enabled: boolean,
      fn: () => Promise<T>,
      skipped: T,
    ): Promise<T> => {
      if (!enabled) {
        cc.emit({ kind: 'progress', step: name, status: 'skipped' });
        return skipped;
      }
      cc.emit({ kind: 'progress', step: name, status: 'started' });
      try {
        const v = await fn();
        cc.emit({ kind: 'progress', step: name, status: 'done' });
        return v;
      } catch (err) {
        cc.emit({ kind: 'progress', step: name, status: 'failed', message: (err as Error).message });
        throw toError(err, cc.signal);
      }
    };
    const emptyUpnp: UpnpReport = {
      found: false,
      location: null,
      igdVersion: null,
      friendlyName: null,
      manufacturer: null,
      model: null,
      modelNumber: null,
      server: null,
      externalIp: null,
      externalIpClass: null,
      connectionStatus: null,
      connectionType: null,
      possibleConnectionTypes: null,
      uptimeSeconds: null,
      lastConnectionError: null,
      services: [],
      mappings: [],
      mappingsError: null,
      mappingsMethod: null,
      ssdp: [],
      errors: [],
    };
    const emptyNatPmp: NatPmpReport = {
      supported: false,
      gateway: loc.gateway,
      externalIp: null,
      externalIpClass: null,
      epoch: null,
      epochReset: false,
      resultCode: null,
      error: 'not asked',
    };
    const emptyPcp: PcpReport = {
      supported: false,
      gateway: loc.gateway,
      externalIp: null,
      epoch: null,
      epochReset: false,
      natPmpOnly: false,
      resultCode: null,
      error: 'not asked',
    };
    const [upnp, natpmp, pcp] = await Promise.all([
      step(
        'upnp',
        want.has('upnp'),
        () => probeUpnp(input, loc, input.listMappings ?? true, own, cc.signal),
        emptyUpnp,
      ),
      step(
        'natpmp',
        want.has('natpmp') && loc.gateway !== null,
        () => probeNatPmp(loc, cc.signal),
        emptyNatPmp,
      ),
      step(
        'pcp',
        want.has('pcp') && loc.gateway !== null && loc.localAddress !== null,
        () => probePcp(loc, cc.signal),
        emptyPcp,
      ),
    ]);
    const supported: Partial<Record<MappingVia, boolean>> = {};
    if (want.has('upnp')) supported.upnp = upnp.found;
    if (want.has('natpmp') && loc.gateway) supported.natpmp = natpmp.supported;
    if (want.has('pcp') && loc.gateway) supported.pcp = pcp.supported;
    // Refusals seen by earlier runs (e.g. `natscope map add`) count too: the probe itself maps nothing.
    const seen = loc.gateway
      ? ((await deps.refusalLog?.recent(loc.gateway, wallNow()).catch(() => [])) ?? [])
      : [];
    const allRefusals = [...refusals];
    for (const r of seen)
      if (!allRefusals.some((x) => x.via === r.via && x.code === r.code))
        allRefusals.push({ via: r.via, code: r.code });
    const findings = analyzeRouter({
      externalIps: { upnp: upnp.externalIp, natpmp: natpmp.externalIp, pcp: pcp.externalIp },
      supported,
      stunMappedAddress: input.stunMappedAddress ?? null,
      refusals: allRefusals,
      epochReset: natpmp.epochReset || pcp.epochReset,
    });
    return {
      gateway: loc.gateway,
      localAddress: loc.localAddress,
      upnp,
      natpmp,
      pcp,
      findings,
      ownMappings: own.map(fromLedger),
      warnings,
    };
  }

  // ---- list -------------------------------------------------------------------------------

  async function listMappings(rawInput: z.input<typeof MappingsListInputSchema>, signal?: AbortSignal) {
    const input = parseInput(MappingsListInputSchema, rawInput);
    await ensureStaleCleanup();
    const own = await ledger.list();
    const warnings: string[] = [];
    let upnpError: string | null = null;
    let upnpMethod: 'GetListOfPortMappings' | 'GetGenericPortMappingEntry' | null = null;
    const mappings: RouterMapping[] = [];
    if (!input.via || input.via === 'upnp') {
      try {
        const loc = await locate(input);
        const igd = await requireIgd(input, loc, signal);
        const ctx = igdCtx(signal);
        const externalIp = await getExternalIpAddress(ctx, igd.chosen.service).catch(() => null);
        const l = await listAllPortMappings(ctx, igd.chosen.service);
        mappings.push(
          ...l.entries.map((m) => fromUpnp(m, matchUpnp(own, m, igd.location.hostname), externalIp || null)),
        );
        upnpError = l.error?.message ?? null;
        upnpMethod = l.method;
      } catch (err) {
        if (input.via === 'upnp') throw toError(err, signal);
        upnpError = (err as Error).message;
      }
    }
    // NAT-PMP and PCP cannot list a table: show what NatScope itself created (unless the UPnP table showed it).
    const shown = new Set(mappings.map((m) => m.ledgerId));
    for (const e of own) {
      if (e.via === 'upnp' || shown.has(e.id) || (input.via && input.via !== e.via)) continue;
      mappings.push(fromLedger(e));
    }
    return { mappings, upnpError, upnpMethod, warnings };
  }

  // ---- add --------------------------------------------------------------------------------

  async function addMapping(
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
    const signal = cc.signal;
    await ensureStaleCleanup();
    const loc = await locate(input);
    if (!loc.localAddress && !input.internalClient)
      throw new NatScopeError('unreachable', 'cannot tell this computer’s LAN address');
    const internalClient = input.internalClient ?? loc.localAddress!;
    if (input.via !== 'upnp' && internalClient !== loc.localAddress) {
      throw new NatScopeError(
        'bad-request',
        `${input.via} maps ports only to the computer that asks (${loc.localAddress}), not to ${internalClient}`,
      );
    }
    const notes: string[] = [];
    const existing = (await ledger.list()).find(
      (e) =>
        e.via === input.via &&
        e.protocol === input.protocol &&
        e.internalPort === input.internalPort &&
        e.internalClient === internalClient &&
        (e.externalPort === input.externalPort || e.via !== 'upnp'),
    );
    const id = existing?.id ?? newEntryId();
    const description = (
      existing?.description ?? `NatScope ${id}${input.description ? ` ${input.description}` : ''}`
    ).slice(0, 64);
    const nonce = existing?.pcpNonce ? Buffer.from(existing.pcpNonce, 'hex') : randomBytes(12);
    const entry: LedgerEntry = existing ?? {
      id,
      via: input.via,
      protocol: input.protocol,
      externalPort: input.externalPort,
      internalPort: input.internalPort,
      internalClient,
      externalIp: null,
      gateway: loc.gateway ?? '',
      description,
      leaseSeconds: input.leaseSeconds,
      createdAt: wallNow(),
      expiresAt: wallNow() + input.leaseSeconds * 1000,
      state: 'pending',
      kept: input.keep === true,
      owner,
      pcpNonce: input.via === 'pcp' ? Buffer.from(nonce).toString('hex') : undefined,
    };
    cc.emit({ kind: 'progress', step: `map-${input.via}`, status: 'started' });
    let created: LedgerEntry;
    try {
      if (input.via === 'upnp') {
        const igd = await requireIgd(input, loc, signal);
        entry.gateway = igd.location.hostname;
        entry.upnp = {
          controlUrl: igd.chosen.service.controlUrl.href,
          serviceType: igd.chosen.service.serviceType,
        };
        if (!existing) await ledger.add(entry); // recorded BEFORE the router is asked
        created = await addUpnp(igd, entry, input, notes, !!existing, signal);
      } else if (input.via === 'natpmp') {
        if (!existing) await ledger.add(entry);
        created = await addNatPmp(loc, entry, input, notes, signal);
      } else {
        if (!existing) await ledger.add(entry);
        created = await addPcp(loc, entry, nonce, input, notes, signal);
      }
    } catch (err) {
      if (!existing) await ledger.remove(id).catch(() => {});
      cc.emit({
        kind: 'progress',
        step: `map-${input.via}`,
        status: 'failed',
        message: (err as Error).message,
      });
      const e = toError(err, signal);
      const pe =
        e instanceof NatScopeError ? (e.detail as RouterErrorDetail | undefined)?.protocolError : undefined;
      if (pe && isDoubleNatRefusal(pe.via, pe.code) && loc.gateway) {
        await deps.refusalLog
          ?.record({ gateway: loc.gateway, via: pe.via, code: pe.code, at: wallNow() })
          .catch(() => {});
      }
      throw e;
    }
    if (loc.gateway) await deps.refusalLog?.clear(loc.gateway, created.via).catch(() => {});
    await ledger.update((es) => ({
      entries: [...es.filter((e) => e.id !== created.id && e.id !== id), created],
      result: undefined,
    }));
    if (!created.kept) session.add(created.id);
    if (signal.aborted) {
      // Cancelled while the router was creating it: do not leave the hole open.
      await removeEntry(created).catch(() => {});
      throw toError(signal.reason, signal);
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
    return { mapping: fromLedger(created), notes };
  }

  async function addUpnp(
    igd: IgdFound,
    entry: LedgerEntry,
    input: z.output<typeof MappingsAddInputSchema>,
    notes: string[],
    refresh: boolean,
    signal: AbortSignal,
  ): Promise<LedgerEntry> {
    const ctx = igdCtx(signal);
    const svc = igd.chosen.service;
    const args = {
      protocol: entry.protocol,
      externalPort: entry.externalPort,
      internalPort: entry.internalPort,
      internalClient: entry.internalClient,
      description: entry.description,
      leaseSeconds: refresh && entry.leaseSeconds === 0 ? 0 : input.leaseSeconds,
    };
    const current = await getSpecificPortMappingEntry(ctx, svc, {
      protocol: entry.protocol,
      externalPort: entry.externalPort,
    });
    const ours =
      current &&
      current.internalClient === entry.internalClient &&
      current.internalPort === entry.internalPort &&
      current.description === entry.description;
    let externalPort = entry.externalPort;
    if (current && !ours) {
      // Never overwrite or take over another program's mapping.
      if (!input.anyExternalPort || igd.description.igdVersion !== 2) {
        throw new NatScopeError(
          'refused',
          `external port ${entry.protocol.toUpperCase()} ${entry.externalPort} is already mapped to ${current.internalClient}:${current.internalPort} ("${current.description}") — not by NatScope; choose another external port${igd.description.igdVersion === 2 ? ' or allow any external port' : ''}`,
        );
      }
      externalPort = await addAnyPortMapping(ctx, svc, args);
      notes.push(
        `External port ${entry.externalPort} was taken; the router reserved ${externalPort} (AddAnyPortMapping).`,
      );
    } else {
      try {
        await addPortMapping(ctx, svc, args);
      } catch (err) {
        if (err instanceof UpnpActionError && err.code === 725) {
          if (!input.allowPermanent || input.keep) {
            const pe = protocolError('upnp', 725);
            throw new NatScopeError(
              'refused',
              `UPnP error 725 OnlyPermanentLeasesSupported: the router accepts only permanent mappings.${input.keep ? ' A kept mapping must have a lease.' : ' Confirm a permanent mapping (allowPermanent) to go on; NatScope still removes it on exit.'}`,
              {
                protocolError: pe,
                needsConfirmation: input.keep ? undefined : 'permanent-lease',
              } satisfies RouterErrorDetail,
            );
          }
          await ledger.patch(entry.id, { leaseSeconds: 0, expiresAt: null });
          await addPortMapping(ctx, svc, { ...args, leaseSeconds: 0 });
          args.leaseSeconds = 0;
          notes.push('The router refused a lease (725); a permanent mapping was made as confirmed.');
        } else if (
          err instanceof UpnpActionError &&
          err.code === 718 &&
          input.anyExternalPort &&
          igd.description.igdVersion === 2
        ) {
          externalPort = await addAnyPortMapping(ctx, svc, args);
          notes.push(
            `External port ${entry.externalPort} conflicted (718); the router reserved ${externalPort}.`,
          );
        } else throw err;
      }
    }
    const check = await getSpecificPortMappingEntry(ctx, svc, {
      protocol: entry.protocol,
      externalPort,
    }).catch(() => null);
    if (check && check.leaseSeconds === 0 && args.leaseSeconds > 0) {
      // Some routers accept a lease and silently make the mapping permanent: track it as such.
      args.leaseSeconds = 0;
      notes.push(
        'The router ignored the lease and made the mapping permanent; NatScope removes it on exit and, after a crash, at the next start.',
      );
    }
    const granted = check?.leaseSeconds ?? args.leaseSeconds;
    const externalIp = (await getExternalIpAddress(ctx, svc).catch(() => '')) || null;
    return {
      ...entry,
      externalPort,
      externalIp,
      leaseSeconds: args.leaseSeconds === 0 ? 0 : granted || args.leaseSeconds,
      expiresAt: args.leaseSeconds === 0 ? null : wallNow() + (granted || args.leaseSeconds) * 1000,
      state: 'active',
    };
  }

  async function addNatPmp(
    loc: Located,
    entry: LedgerEntry,
    input: z.output<typeof MappingsAddInputSchema>,
    notes: string[],
    signal: AbortSignal,
  ): Promise<LedgerEntry> {
    const ctx = gatewayCtx(loc, signal);
    const m = await natpmpMap(ctx, {
      protocol: entry.protocol,
      internalPort: entry.internalPort,
      suggestedExternalPort: entry.externalPort,
      lifetimeSeconds: input.leaseSeconds,
    });
    if (m.epochReset)
      notes.push('The gateway restarted since NatScope last asked (NAT-PMP epoch went back).');
    const made = {
      ...entry,
      externalPort: m.externalPort,
      leaseSeconds: m.lifetimeSeconds,
      expiresAt: wallNow() + m.lifetimeSeconds * 1000,
      state: 'active' as const,
    };
    if (m.externalPort !== input.externalPort) {
      if (!input.anyExternalPort) {
        await natpmpUnmap(ctx, { protocol: entry.protocol, internalPort: entry.internalPort }).catch(
          () => {},
        );
        throw new NatScopeError(
          'refused',
          `the gateway offered external port ${m.externalPort} instead of ${input.externalPort} (taken?); removed again — allow any external port to accept it`,
        );
      }
      notes.push(`The gateway assigned external port ${m.externalPort} instead of ${input.externalPort}.`);
    }
    made.externalIp = await natpmpExternalAddress(ctx).then(
      (a) => a.externalIp,
      () => null,
    );
    return made;
  }

  async function addPcp(
    loc: Located,
    entry: LedgerEntry,
    nonce: Uint8Array,
    input: z.output<typeof MappingsAddInputSchema>,
    notes: string[],
    signal: AbortSignal,
  ): Promise<LedgerEntry> {
    const ctx = pcpCtx(loc, signal);
    let m;
    try {
      m = await pcpMap(ctx, {
        nonce,
        protocol: entry.protocol,
        internalPort: entry.internalPort,
        suggestedExternalPort: entry.externalPort,
        lifetimeSeconds: input.leaseSeconds,
      });
    } catch (err) {
      if (err instanceof PcpVersionMismatch && err.serverVersion === 0) {
        // RFC 6887 §9: a NAT-PMP-only gateway — fall back to NAT-PMP.
        notes.push(
          'The gateway speaks NAT-PMP only (answered PCP with version 0); NAT-PMP was used instead.',
        );
        const fallback: LedgerEntry = { ...entry, via: 'natpmp', pcpNonce: undefined };
        await ledger.patch(entry.id, { via: 'natpmp', pcpNonce: undefined });
        return addNatPmp(loc, fallback, input, notes, signal);
      }
      throw err;
    }
    if (m.epochReset) notes.push('The gateway restarted since NatScope last asked (PCP epoch went back).');
    pcpExternalIp = m.externalIp;
    const made = {
      ...entry,
      externalPort: m.externalPort,
      externalIp: m.externalIp,
      leaseSeconds: m.lifetimeSeconds,
      expiresAt: wallNow() + m.lifetimeSeconds * 1000,
      state: 'active' as const,
    };
    if (m.externalPort !== input.externalPort) {
      if (!input.anyExternalPort) {
        await pcpDelete(ctx, { nonce, protocol: entry.protocol, internalPort: entry.internalPort }).catch(
          () => {},
        );
        throw new NatScopeError(
          'refused',
          `the gateway offered external port ${m.externalPort} instead of ${input.externalPort} (taken?); removed again — allow any external port to accept it`,
        );
      }
      notes.push(`The gateway assigned external port ${m.externalPort} instead of ${input.externalPort}.`);
    }
    return made;
  }

  // ---- delete -----------------------------------------------------------------------------

  async function removeEntry(e: LedgerEntry, signal?: AbortSignal): Promise<void> {
    const r = await removeFromRouter(e, signal);
    if (r === 'not-ours')
      throw new NatScopeError(
        'refused',
        `${e.protocol.toUpperCase()} ${e.externalPort} now belongs to another program; left in place`,
      );
    await ledger.remove(e.id);
    session.delete(e.id);
  }

  async function deleteMapping(rawInput: z.input<typeof MappingsDeleteInputSchema>, signal?: AbortSignal) {
    const input = parseInput(MappingsDeleteInputSchema, rawInput);
    await ensureStaleCleanup();
    const own = (await ledger.list()).find(
      (e) =>
        e.via === input.via &&
        e.protocol === input.protocol &&
        e.externalPort === input.externalPort &&
        (input.internalPort === undefined || e.internalPort === input.internalPort),
    );
    if (own) {
      try {
        await removeEntry(own, signal);
      } catch (err) {
        throw toError(err, signal);
      }
      return { deleted: true, createdByNatScope: true, note: null };
    }
    if (input.userPicked !== true) {
      throw new NatScopeError(
        'refused',
        `${input.via} ${input.protocol.toUpperCase()} ${input.externalPort} was not created by NatScope; deleting it needs an explicit pick by the user (userPicked: true / --force)`,
      );
    }
    const loc = await locate(input);
    try {
      if (input.via === 'upnp') {
        const igd = await requireIgd(input, loc, signal);
        await deletePortMapping(igdCtx(signal), igd.chosen.service, {
          protocol: input.protocol,
          externalPort: input.externalPort,
        });
      } else {
        if (input.internalPort === undefined)
          throw new NatScopeError('bad-request', `${input.via} deletes by internal port: give internalPort`);
        if (input.via === 'natpmp') {
          await natpmpUnmap(gatewayCtx(loc, signal), {
            protocol: input.protocol,
            internalPort: input.internalPort,
          });
        } else {
          // Without the creating nonce the server will normally refuse (NOT_AUTHORIZED), which is reported.
          await pcpDelete(pcpCtx(loc, signal), {
            nonce: randomBytes(12),
            protocol: input.protocol,
            internalPort: input.internalPort,
          });
        }
      }
    } catch (err) {
      throw toError(err, signal);
    }
    return {
      deleted: true,
      createdByNatScope: false,
      note: 'deleted on the user’s explicit pick; it was not created by NatScope',
    };
  }

  // ---- verify -----------------------------------------------------------------------------

  async function verifyMapping(
    rawInput: z.input<typeof MappingsVerifyInputSchema>,
    signal?: AbortSignal,
  ): Promise<MappingsVerifyOutput> {
    const input = parseInput(MappingsVerifyInputSchema, rawInput);
    let prober = deps.prober ?? noProber;
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
      throw toError(err, signal);
    }
  }

  // ---- session ----------------------------------------------------------------------------

  /** Removes every mapping this process created and did not keep (call on exit / Ctrl-C). */
  async function releaseSession(): Promise<{ removed: number; failed: string[] }> {
    const failed: string[] = [];
    let removed = 0;
    const entries = (await ledger.list()).filter((e) => session.has(e.id));
    for (const e of entries) {
      try {
        await removeEntry(e);
        removed++;
      } catch (err) {
        failed.push(`${e.via} ${e.protocol.toUpperCase()} ${e.externalPort}: ${(err as Error).message}`);
      }
    }
    return { removed, failed };
  }

  return {
    probe,
    listMappings,
    addMapping,
    deleteMapping,
    verifyMapping,
    cleanupStale: async (_input: Target = {}, signal?: AbortSignal) => {
      const r = await cleanupStale(signal);
      staleCleanup ??= Promise.resolve(r);
      return r;
    },
    releaseSession,
    /** Ledger ids of this run's mappings (for tests and front doors). */
    sessionIds: () => [...session],
  };
}

export type RouterService = ReturnType<typeof createRouterService>;

function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
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
