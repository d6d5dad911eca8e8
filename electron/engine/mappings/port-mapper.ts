/**
 * One interface for every way of asking the router for a port mapping — UPnP IGD (upnp/), NAT-PMP
 * RFC 6886 (natpmp/), PCP RFC 6887 (pcp/). The router service (services/router/) only picks a
 * mapper, keeps the lease ledger (ledger.ts) and reports progress; everything protocol-specific
 * — discovery, the wire, error codes, what a protocol can and cannot do — is behind this interface.
 * A new protocol is a new file implementing PortMapper and one line in services/router/mappers.ts.
 */
import type { MappingVia, RouterMapping, RouterReport } from '../../../shared/contracts/router.ts';
import type { ErrorCode } from '../../../shared/contracts/errors.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network } from '../net/network.ts';
import type { RetryPolicy } from '../natpmp/transact.ts';
import type { LedgerEntry } from './ledger.ts';

/** Where the router is, as this computer sees it. */
export interface MapperSite {
  /** IPv4 default gateway (NAT-PMP/PCP server), or the one the user named. */
  gateway: string | null;
  /** This computer's address towards the gateway. */
  localAddress: string | null;
  /** Every IPv4 LAN address (SSDP searches from each). */
  lanAddresses: string[];
  /** A UPnP description URL the user gave (skips SSDP). */
  igdLocation?: string;
}

/** What the service hands every mapper once. */
export interface MapperEnv {
  network: Network;
  clock: Clock;
  /** Wall clock (ms since 1970) for leases. */
  wallNow: () => number;
  retry?: RetryPolicy;
  ssdpTimeoutMs?: number;
  httpTimeoutMs?: number;
}

export interface MapperCapabilities {
  /** Reads the router's whole table (UPnP); the others can only show NatScope's own mappings. */
  listsTable: boolean;
  /** Can map a port to another LAN host than the one asking (UPnP's NewInternalClient). */
  mapsForOtherHosts: boolean;
  /** What identifies a mapping: the external port (UPnP) or the internal port (NAT-PMP, PCP). */
  keyedBy: 'external-port' | 'internal-port';
  /** The gateway ends a mapping when its lease ends, so an expired ledger entry needs no delete. */
  gatewayEnforcesLease: boolean;
  /** Needs the default gateway's address / this computer's address to be asked at all. */
  needsGateway: boolean;
  needsLocalAddress: boolean;
}

/** A read-only probe's answer: the protocol's own report section and what the findings need. */
export interface Probed<R> {
  report: R;
  supported: boolean;
  externalIp: string | null;
  epochReset: boolean;
}

export interface ProbeOptions {
  /** Read the mapping table too (where the protocol can). */
  listMappings: boolean;
  /** Total time for reading the table. */
  listBudgetMs: number;
  /** NatScope's ledger, to mark its own rows. */
  own: LedgerEntry[];
  signal: AbortSignal;
  /** A refusal that points at a NAT beyond the router (e.g. NAT-PMP result 3 behind a CGN). */
  noteRefusal: (code: number) => void;
}

export interface MapperListing {
  mappings: RouterMapping[];
  /** An error that ended the listing early. */
  error: string | null;
  /** Why `mappings` is not the whole table (time budget, entry cap, error); null when it is. */
  partial: string | null;
  method: 'GetListOfPortMappings' | 'GetGenericPortMappingEntry' | null;
}

/** One add: the entry is already in the ledger ("pending") when `add` is called. */
export interface AddRequest {
  entry: LedgerEntry;
  site: MapperSite;
  leaseSeconds: number;
  /** The external port the user asked for. */
  externalPort: number;
  anyExternalPort: boolean;
  allowPermanent: boolean;
  keep: boolean;
  /** The entry was already in the ledger: this add renews it. */
  refresh: boolean;
  /** Plain-language notes for the user about what the router did. */
  notes: string[];
  /** Records a change in the ledger before going on (e.g. the lease became permanent). */
  patch: (p: Partial<LedgerEntry>) => Promise<void>;
  signal: AbortSignal;
}

/** A mapping the user picked for deletion (NAT-PMP and PCP identify it by internal port). */
export interface PickedMapping {
  protocol: 'udp' | 'tcp';
  externalPort: number;
  internalPort?: number;
}

/** A protocol failure, told apart so the service can map it to an error code and a finding. */
export type MapperFailure =
  | { kind: 'refused'; code: number; notSupported: boolean }
  | { kind: 'error'; code: ErrorCode; message: string };

export interface PortMapper<V extends MappingVia = MappingVia> {
  readonly via: V;
  readonly capabilities: MapperCapabilities;
  /** Read-only: is it there, the external address, and (where it can) the table. */
  probe(site: MapperSite, o: ProbeOptions): Promise<Probed<RouterReport[V]>>;
  /** The report section when the protocol was not asked. */
  notAsked(site: MapperSite): RouterReport[V];
  /** The router's external address as this protocol tells it (null when it cannot). */
  externalAddress(site: MapperSite, signal?: AbortSignal): Promise<string | null>;
  /** The router's table (only where `capabilities.listsTable`). */
  list?(
    site: MapperSite,
    own: LedgerEntry[],
    o: { budgetMs: number; signal?: AbortSignal },
  ): Promise<MapperListing>;
  /** Fills in protocol fields of a new or renewed entry before it is recorded (e.g. which IGD). */
  prepare?(entry: LedgerEntry, site: MapperSite, signal: AbortSignal): Promise<void>;
  /** Asks the router; returns the entry as granted (state "active"). */
  add(r: AddRequest): Promise<LedgerEntry>;
  /** Removes a mapping NatScope made, only if it is still the one we made. */
  removeOwn(entry: LedgerEntry, signal?: AbortSignal): Promise<'removed' | 'absent' | 'not-ours'>;
  /** Removes a mapping the user picked that NatScope did not make. */
  removeForeign(q: PickedMapping, site: MapperSite, signal?: AbortSignal): Promise<void>;
  /** Tells this protocol's failures apart; null when `err` is not one of them. */
  classify(err: unknown): MapperFailure | null;
}
