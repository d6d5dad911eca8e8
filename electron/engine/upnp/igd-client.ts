/**
 * IGD WAN connection actions over SOAP (WANIPConnection:1 §2.4, WANIPConnection:2 §2.5; the same
 * actions exist on WANPPPConnection:1 and vendor copies such as urn:dslforum-org:…):
 * GetExternalIPAddress, GetStatusInfo, GetConnectionTypeInfo, GetGenericPortMappingEntry,
 * GetSpecificPortMappingEntry, AddPortMapping, AddAnyPortMapping (v2), DeletePortMapping.
 */
import { describeCode } from '../../../shared/model/router-errors.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network } from '../net/network.ts';
import { HttpError, httpRequest } from './http.ts';
import { buildSoapEnvelope, parseSoapResponse } from './soap.ts';

export interface IgdService {
  serviceType: string;
  controlUrl: URL;
}

export interface IgdContext {
  network: Network;
  clock: Clock;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A UPnPError from the router (by number and name). */
export class UpnpActionError extends Error {
  readonly code: number;
  readonly upnpName: string;
  readonly action: string;
  constructor(action: string, code: number, description: string | null) {
    const info = describeCode('upnp', code);
    super(
      `UPnP error ${code} ${info.name}${description && description !== info.name ? ` (${description})` : ''} on ${action}`,
    );
    this.name = 'UpnpActionError';
    this.code = code;
    this.upnpName = info.name;
    this.action = action;
  }
}

/** The router answered something that is not a valid SOAP response. */
export class UpnpProtocolError extends Error {
  readonly kind: 'malformed' | 'timeout' | 'unreachable';
  constructor(kind: UpnpProtocolError['kind'], message: string) {
    super(message);
    this.name = 'UpnpProtocolError';
    this.kind = kind;
  }
}

const MAX_SOAP_BYTES = 64 * 1024;

export async function soapCall(
  ctx: IgdContext,
  service: IgdService,
  action: string,
  args: [string, string | number][] = [],
  maxBytes = MAX_SOAP_BYTES,
): Promise<Record<string, string>> {
  let res;
  try {
    res = await httpRequest(ctx.network, ctx.clock, {
      method: 'POST',
      url: service.controlUrl,
      headers: {
        'Content-Type': 'text/xml; charset="utf-8"',
        SOAPAction: `"${service.serviceType}#${action}"`,
      },
      body: buildSoapEnvelope(service.serviceType, action, args),
      timeoutMs: ctx.timeoutMs ?? 3000,
      maxBodyBytes: maxBytes,
      signal: ctx.signal,
    });
  } catch (err) {
    if (err instanceof HttpError) {
      throw new UpnpProtocolError(
        err.kind === 'timeout' ? 'timeout' : err.kind === 'unreachable' ? 'unreachable' : 'malformed',
        `${action}: ${err.message}`,
      );
    }
    throw err;
  }
  let parsed;
  try {
    parsed = parseSoapResponse(res.body, action, {
      maxBytes: maxBytes === MAX_SOAP_BYTES ? undefined : maxBytes,
    });
  } catch (err) {
    throw new UpnpProtocolError(
      'malformed',
      `${action}: HTTP ${res.status}, unusable SOAP answer: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (!parsed.ok) {
    if (parsed.code !== null) throw new UpnpActionError(action, parsed.code, parsed.description);
    throw new UpnpProtocolError(
      'malformed',
      `${action}: SOAP fault without UPnP error code (${parsed.faultString ?? 'no faultstring'})`,
    );
  }
  if (res.status !== 200)
    throw new UpnpProtocolError(
      'malformed',
      `${action}: HTTP ${res.status} ${res.reason} with a non-fault body`,
    );
  return parsed.values;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export async function getExternalIpAddress(ctx: IgdContext, s: IgdService): Promise<string> {
  const v = await soapCall(ctx, s, 'GetExternalIPAddress');
  const ip = (v.NewExternalIPAddress ?? '').trim();
  if (ip === '') return '';
  if (!IPV4.test(ip) || ip.split('.').some((o) => Number(o) > 255)) {
    throw new UpnpProtocolError(
      'malformed',
      `GetExternalIPAddress: "${ip.slice(0, 60)}" is not an IPv4 address`,
    );
  }
  return ip;
}

export interface StatusInfo {
  connectionStatus: string | null;
  lastConnectionError: string | null;
  uptimeSeconds: number | null;
}

export async function getStatusInfo(ctx: IgdContext, s: IgdService): Promise<StatusInfo> {
  const v = await soapCall(ctx, s, 'GetStatusInfo');
  return {
    connectionStatus: v.NewConnectionStatus ?? null,
    lastConnectionError: v.NewLastConnectionError ?? null,
    uptimeSeconds: toUint(v.NewUptime),
  };
}

export async function getConnectionTypeInfo(
  ctx: IgdContext,
  s: IgdService,
): Promise<{ connectionType: string | null; possibleConnectionTypes: string | null }> {
  const v = await soapCall(ctx, s, 'GetConnectionTypeInfo');
  return {
    connectionType: v.NewConnectionType ?? null,
    possibleConnectionTypes: v.NewPossibleConnectionTypes ?? null,
  };
}

export interface PortMappingEntry {
  remoteHost: string;
  externalPort: number;
  protocol: 'udp' | 'tcp';
  internalPort: number;
  internalClient: string;
  enabled: boolean;
  description: string;
  leaseSeconds: number;
}

function toUint(s: string | undefined): number | null {
  if (s === undefined || !/^\s*\d{1,10}\s*$/.test(s)) return null;
  const n = Number(s);
  return n <= 0xffffffff ? n : null;
}

function toPort(s: string | undefined, field: string, action: string): number {
  const n = toUint(s);
  if (n === null || n > 65535)
    throw new UpnpProtocolError('malformed', `${action}: ${field} "${String(s).slice(0, 20)}" is not a port`);
  return n;
}

function toProtocol(s: string | undefined, action: string): 'udp' | 'tcp' {
  const p = (s ?? '').trim().toUpperCase();
  if (p === 'UDP') return 'udp';
  if (p === 'TCP') return 'tcp';
  throw new UpnpProtocolError(
    'malformed',
    `${action}: protocol "${String(s).slice(0, 20)}" is neither TCP nor UDP`,
  );
}

export function entryFromValues(
  v: Record<string, string>,
  action: string,
  known?: Partial<PortMappingEntry>,
): PortMappingEntry {
  return {
    remoteHost: v.NewRemoteHost ?? known?.remoteHost ?? '',
    externalPort: known?.externalPort ?? toPort(v.NewExternalPort, 'NewExternalPort', action),
    protocol: known?.protocol ?? toProtocol(v.NewProtocol, action),
    internalPort: toPort(v.NewInternalPort, 'NewInternalPort', action),
    internalClient: (v.NewInternalClient ?? '').trim(),
    enabled: v.NewEnabled === '1' || v.NewEnabled?.toLowerCase() === 'true',
    description: v.NewPortMappingDescription ?? '',
    leaseSeconds: toUint(v.NewLeaseDuration) ?? 0,
  };
}

export async function getGenericPortMappingEntry(
  ctx: IgdContext,
  s: IgdService,
  index: number,
): Promise<PortMappingEntry> {
  const v = await soapCall(ctx, s, 'GetGenericPortMappingEntry', [['NewPortMappingIndex', index]]);
  return entryFromValues(v, 'GetGenericPortMappingEntry');
}

/** Returns null when the router says there is no such entry (714 / 730). */
export async function getSpecificPortMappingEntry(
  ctx: IgdContext,
  s: IgdService,
  q: { protocol: 'udp' | 'tcp'; externalPort: number; remoteHost?: string },
): Promise<PortMappingEntry | null> {
  try {
    const v = await soapCall(ctx, s, 'GetSpecificPortMappingEntry', [
      ['NewRemoteHost', q.remoteHost ?? ''],
      ['NewExternalPort', q.externalPort],
      ['NewProtocol', q.protocol.toUpperCase()],
    ]);
    return entryFromValues(v, 'GetSpecificPortMappingEntry', {
      externalPort: q.externalPort,
      protocol: q.protocol,
      remoteHost: q.remoteHost ?? '',
    });
  } catch (err) {
    if (err instanceof UpnpActionError && (err.code === 714 || err.code === 730)) return null;
    throw err;
  }
}

export interface AddMappingArgs {
  protocol: 'udp' | 'tcp';
  externalPort: number;
  internalPort: number;
  internalClient: string;
  description: string;
  leaseSeconds: number;
}

function addArgs(a: AddMappingArgs): [string, string | number][] {
  return [
    ['NewRemoteHost', ''],
    ['NewExternalPort', a.externalPort],
    ['NewProtocol', a.protocol.toUpperCase()],
    ['NewInternalPort', a.internalPort],
    ['NewInternalClient', a.internalClient],
    ['NewEnabled', 1],
    ['NewPortMappingDescription', a.description],
    ['NewLeaseDuration', a.leaseSeconds],
  ];
}

export async function addPortMapping(ctx: IgdContext, s: IgdService, a: AddMappingArgs): Promise<void> {
  await soapCall(ctx, s, 'AddPortMapping', addArgs(a));
}

/** IGD:2 only: the router picks a free external port near the requested one; returns it. */
export async function addAnyPortMapping(ctx: IgdContext, s: IgdService, a: AddMappingArgs): Promise<number> {
  const v = await soapCall(ctx, s, 'AddAnyPortMapping', addArgs(a));
  return toPort(v.NewReservedPort, 'NewReservedPort', 'AddAnyPortMapping');
}

export async function deletePortMapping(
  ctx: IgdContext,
  s: IgdService,
  q: { protocol: 'udp' | 'tcp'; externalPort: number; remoteHost?: string },
): Promise<void> {
  await soapCall(ctx, s, 'DeletePortMapping', [
    ['NewRemoteHost', q.remoteHost ?? ''],
    ['NewExternalPort', q.externalPort],
    ['NewProtocol', q.protocol.toUpperCase()],
  ]);
}
