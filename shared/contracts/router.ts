import { z } from 'zod';
import { AddressClassSchema, ProgressEventSchema } from './common.ts';

/**
 * Contract for the wizard step "Router": what the router's UPnP IGD, NAT-PMP (RFC 6886) and PCP
 * (RFC 6887) say, the port-mapping table, and safe add/delete/verify of mappings.
 *
 * Safety rules enforced by the service (not only by the UI):
 * - `router.mappings.add` needs `confirmExposure: true` — a mapping is a hole in the firewall.
 * - every mapping NatScope creates has a lease (default 600 s), is recorded in a ledger and is
 *   removed on exit, on cancel, and at the next start if a crash left it behind.
 * - `router.mappings.delete` of a mapping NatScope did not create needs `userPicked: true`.
 */
export const MappingViaSchema = z.enum(['upnp', 'natpmp', 'pcp']);
export type MappingVia = z.infer<typeof MappingViaSchema>;
export const MappingProtocolSchema = z.enum(['udp', 'tcp']);
export type MappingProtocol = z.infer<typeof MappingProtocolSchema>;

const Port = z.number().int().min(1).max(65535);
const Ipv4 = z.string().regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/, 'an IPv4 address');
export const DEFAULT_LEASE_SECONDS = 600;
export const MAX_LEASE_SECONDS = 86_400;

/** A protocol-level error code, shown by number and name (e.g. UPnP 718 ConflictInMappingEntry). */
export const ProtocolErrorSchema = z.object({
  via: MappingViaSchema,
  code: z.number().int(),
  name: z.string(),
  meaning: z.string(),
});
export type ProtocolError = z.infer<typeof ProtocolErrorSchema>;

export const RouterFindingSchema = z.object({
  id: z.enum([
    'router-external-private',
    'router-external-cgnat',
    'router-external-unset',
    'router-external-differs-from-stun',
    'mappings-refused',
    'no-mapping-protocol',
    'router-rebooted',
  ]),
  severity: z.enum(['info', 'warning', 'problem']),
  title: z.string(),
  meaning: z.string(),
  evidence: z.array(z.string()),
});
export type RouterFindingOut = z.infer<typeof RouterFindingSchema>;

export const RouterMappingSchema = z.object({
  /** The protocol that created the mapping (and deletes it); rows of the UPnP table not made by NatScope: upnp. */
  via: MappingViaSchema,
  protocol: MappingProtocolSchema,
  /** External IP the mapping is reachable at, when known. */
  externalIp: z.string().nullable(),
  externalPort: Port,
  internalClient: z.string().nullable(),
  internalPort: Port,
  /** UPnP only: remote host filter ('' / null = any). */
  remoteHost: z.string().nullable(),
  description: z.string().nullable(),
  enabled: z.boolean().nullable(),
  /** Lease granted by the router in seconds; 0 = permanent. null = unknown. */
  leaseSeconds: z.number().int().nullable(),
  /** Seconds left (router's value for UPnP, ledger's for NAT-PMP/PCP); null when permanent or unknown. */
  leaseRemainingSeconds: z.number().int().nullable(),
  permanent: z.boolean(),
  createdByNatScope: z.boolean(),
  /** Created with "keep": left in place on exit, bounded by its lease. */
  kept: z.boolean(),
  /** Ledger id of a mapping NatScope created. */
  ledgerId: z.string().nullable(),
});
export type RouterMapping = z.infer<typeof RouterMappingSchema>;

export const SsdpAnswerSchema = z.object({
  /** The responder's address ("ip:port"). */
  from: z.string(),
  /** Local interface address the M-SEARCH left from. */
  via: z.string(),
  st: z.string().nullable(),
  usn: z.string().nullable(),
  server: z.string().nullable(),
  location: z.string().nullable(),
  /** The raw answer (truncated to 2 KiB). */
  raw: z.string(),
  /** Why this answer was not followed (malformed, LOCATION on another host, …); null if used. */
  rejected: z.string().nullable(),
});
export type SsdpAnswer = z.infer<typeof SsdpAnswerSchema>;

export const UpnpServiceSchema = z.object({
  serviceType: z.string(),
  controlUrl: z.string(),
  /** From GetStatusInfo: Connected, Disconnected, … (null when the call failed). */
  connectionStatus: z.string().nullable(),
  chosen: z.boolean(),
  error: z.string().nullable(),
});

export const UpnpReportSchema = z.object({
  found: z.boolean(),
  location: z.string().nullable(),
  igdVersion: z.union([z.literal(1), z.literal(2)]).nullable(),
  friendlyName: z.string().nullable(),
  manufacturer: z.string().nullable(),
  model: z.string().nullable(),
  modelNumber: z.string().nullable(),
  /** SERVER header of the SSDP answer (OS, UPnP and implementation versions). */
  server: z.string().nullable(),
  externalIp: z.string().nullable(),
  externalIpClass: AddressClassSchema.nullable(),
  connectionStatus: z.string().nullable(),
  connectionType: z.string().nullable(),
  possibleConnectionTypes: z.string().nullable(),
  uptimeSeconds: z.number().int().nullable(),
  lastConnectionError: z.string().nullable(),
  services: z.array(UpnpServiceSchema),
  mappings: z.array(RouterMappingSchema),
  /** Error met while listing the table (the listing may be partial). */
  mappingsError: z.string().nullable(),
  /** How the table was read: IGD:2 GetListOfPortMappings, or entry by entry. */
  mappingsMethod: z.enum(['GetListOfPortMappings', 'GetGenericPortMappingEntry']).nullable(),
  /** `mappings` is not the whole table: the time budget ran out, the entry cap was hit, or the router failed. */
  mappingsPartial: z.boolean(),
  /** Why the table is partial, in plain words; null when it is complete (or not read). */
  mappingsPartialReason: z.string().nullable(),
  ssdp: z.array(SsdpAnswerSchema),
  /** Malformed or hostile answers and failed calls — reported, never fatal. */
  errors: z.array(z.string()),
});
export type UpnpReport = z.infer<typeof UpnpReportSchema>;

export const NatPmpReportSchema = z.object({
  supported: z.boolean(),
  gateway: z.string().nullable(),
  externalIp: z.string().nullable(),
  externalIpClass: AddressClassSchema.nullable(),
  /** Seconds since the gateway's epoch (RFC 6886 §3.6). */
  epoch: z.number().int().nullable(),
  /** The epoch went backwards since last seen in this process: the router rebooted. */
  epochReset: z.boolean(),
  resultCode: ProtocolErrorSchema.nullable(),
  error: z.string().nullable(),
});
export type NatPmpReport = z.infer<typeof NatPmpReportSchema>;

export const PcpReportSchema = z.object({
  supported: z.boolean(),
  gateway: z.string().nullable(),
  /** Learnt from a MAP response only (PCP has no "get external address"); null until a PCP mapping exists. */
  externalIp: z.string().nullable(),
  epoch: z.number().int().nullable(),
  epochReset: z.boolean(),
  /** The server answered PCP with a NAT-PMP "unsupported version": use NAT-PMP. */
  natPmpOnly: z.boolean(),
  resultCode: ProtocolErrorSchema.nullable(),
  error: z.string().nullable(),
});
export type PcpReport = z.infer<typeof PcpReportSchema>;

export const RouterReportSchema = z.object({
  gateway: z.string().nullable(),
  localAddress: z.string().nullable(),
  upnp: UpnpReportSchema,
  natpmp: NatPmpReportSchema,
  pcp: PcpReportSchema,
  findings: z.array(RouterFindingSchema),
  /** Mappings NatScope created (ledger), with lease remaining — also those made via NAT-PMP/PCP. */
  ownMappings: z.array(RouterMappingSchema),
  warnings: z.array(z.string()),
});
export type RouterReport = z.infer<typeof RouterReportSchema>;

/** Where to find the router; all optional (default: the IPv4 default gateway, SSDP discovery). */
export const RouterTargetSchema = z.object({
  /** Gateway for NAT-PMP/PCP (default: IPv4 default gateway). */
  gateway: Ipv4.optional(),
  /** Skip SSDP and use this IGD description URL (e.g. http://192.168.1.1:5000/rootDesc.xml). */
  igdLocation: z.url().max(512).optional(),
});

/** Total seconds for reading the router's mapping table (a slow, endless table is cut off, shown as partial). */
export const DEFAULT_LIST_BUDGET_SEC = 15;
const ListBudgetSec = z.number().min(1).max(600);

export const RouterProbeInputSchema = RouterTargetSchema.extend({
  /** Public address a STUN server saw, to detect a NAT beyond the router. */
  stunMappedAddress: z.string().max(64).optional(),
  protocols: z.array(MappingViaSchema).min(1).optional(),
  /** List the UPnP mapping table too (default true). */
  listMappings: z.boolean().optional(),
  /** Time budget for the listing, seconds (default DEFAULT_LIST_BUDGET_SEC). */
  listBudgetSec: ListBudgetSec.optional(),
}).strict();

export const MappingsListInputSchema = RouterTargetSchema.extend({
  via: MappingViaSchema.optional(),
  /** Time budget for reading the router's table, seconds (default DEFAULT_LIST_BUDGET_SEC). */
  listBudgetSec: ListBudgetSec.optional(),
}).strict();
export const MappingsListOutputSchema = z.object({
  mappings: z.array(RouterMappingSchema),
  /** UPnP listing failure (table may be partial), null if fine or not asked. */
  upnpError: z.string().nullable(),
  upnpMethod: z.enum(['GetListOfPortMappings', 'GetGenericPortMappingEntry']).nullable(),
  /** The router's table was not read to its end (time budget, entry cap, error): more mappings may exist. */
  partial: z.boolean(),
  /** Why, in plain words; null when the table was read whole (or not read). */
  partialReason: z.string().nullable(),
  warnings: z.array(z.string()),
});

export const MappingsAddInputSchema = RouterTargetSchema.extend({
  via: MappingViaSchema,
  protocol: MappingProtocolSchema,
  externalPort: Port,
  internalPort: Port,
  /** Default: this computer's address towards the router. */
  internalClient: Ipv4.optional(),
  leaseSeconds: z.number().int().min(1).max(MAX_LEASE_SECONDS).default(DEFAULT_LEASE_SECONDS),
  description: z.string().max(64).optional(),
  /** Must be true: the user confirmed that the mapping exposes this computer to the internet. */
  confirmExposure: z.literal(true),
  /** The user accepted a permanent mapping after UPnP 725 OnlyPermanentLeasesSupported. */
  allowPermanent: z.boolean().optional(),
  /** Accept another external port if the requested one is taken (IGD:2 AddAnyPortMapping, NAT-PMP/PCP). */
  anyExternalPort: z.boolean().optional(),
  /** Leave the mapping in place when NatScope exits (still bounded by its lease). */
  keep: z.boolean().optional(),
}).strict();
export const MappingsAddOutputSchema = z.object({
  mapping: RouterMappingSchema,
  notes: z.array(z.string()),
});

export const MappingsDeleteInputSchema = RouterTargetSchema.extend({
  via: MappingViaSchema,
  protocol: MappingProtocolSchema,
  externalPort: Port,
  /** Needed for NAT-PMP/PCP mappings not in the ledger (they are keyed by internal port). */
  internalPort: Port.optional(),
  /** The user explicitly picked this mapping; required to delete a mapping NatScope did not create. */
  userPicked: z.boolean().optional(),
}).strict();
export const MappingsDeleteOutputSchema = z.object({
  deleted: z.boolean(),
  createdByNatScope: z.boolean(),
  note: z.string().nullable(),
});

export const MappingsVerifyInputSchema = z
  .object({
    protocol: MappingProtocolSchema.default('udp'),
    externalPort: Port,
    internalPort: Port,
    /** A NatScope probe helper outside the NAT ("host:port") that sends a datagram back to the mapping. */
    probeHelper: z.string().max(100).optional(),
    timeoutMs: z.number().int().min(200).max(30_000).default(3000),
  })
  .strict();
export const MappingsVerifyOutputSchema = z.object({
  /** forwarded: an inbound packet from outside arrived on the internal port. */
  status: z.enum(['forwarded', 'not-forwarded', 'unverified']),
  method: z.string(),
  detail: z.string(),
  /** Address:port the packet was sent to (as the helper saw us), when known. */
  probedEndpoint: z.string().nullable(),
  elapsedMs: z.number().nullable(),
});
export type MappingsVerifyOutput = z.infer<typeof MappingsVerifyOutputSchema>;

export const CleanupOutputSchema = z.object({
  removed: z.array(RouterMappingSchema),
  /** Leftovers that could not be removed now (kept in the ledger to retry). */
  failed: z.array(z.object({ mapping: RouterMappingSchema, error: z.string() })),
  /** Ledger entries dropped because their lease had expired. */
  expired: z.number().int(),
});
export type CleanupOutput = z.infer<typeof CleanupOutputSchema>;

/** `detail` of a NatScopeError thrown by router methods. */
export const RouterErrorDetailSchema = z.object({
  protocolError: ProtocolErrorSchema.optional(),
  /** The UI should ask before retrying with `allowPermanent: true` (UPnP 725). */
  needsConfirmation: z.literal('permanent-lease').optional(),
  findings: z.array(RouterFindingSchema).optional(),
});
export type RouterErrorDetail = z.infer<typeof RouterErrorDetailSchema>;

export const routerMethods = {
  'router.probe': { input: RouterProbeInputSchema, output: RouterReportSchema, event: ProgressEventSchema },
  'router.mappings.list': {
    input: MappingsListInputSchema,
    output: MappingsListOutputSchema,
    event: z.never(),
  },
  'router.mappings.add': {
    input: MappingsAddInputSchema,
    output: MappingsAddOutputSchema,
    event: ProgressEventSchema,
  },
  'router.mappings.delete': {
    input: MappingsDeleteInputSchema,
    output: MappingsDeleteOutputSchema,
    event: z.never(),
  },
  'router.mappings.verify': {
    input: MappingsVerifyInputSchema,
    output: MappingsVerifyOutputSchema,
    event: z.never(),
  },
  'router.cleanup': { input: RouterTargetSchema.strict(), output: CleanupOutputSchema, event: z.never() },
};
