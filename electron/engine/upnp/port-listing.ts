/**
 * Reading the router's whole mapping table: IGD:2 GetListOfPortMappings (WANIPConnection:2
 * §2.5.20, one request per protocol) with a fallback to GetGenericPortMappingEntry index by index
 * (WANIPConnection:1 §2.4.14). Both are capped: a hostile or broken router cannot make the listing
 * endless.
 */
import {
  entryFromValues,
  getGenericPortMappingEntry,
  soapCall,
  UpnpActionError,
  UpnpProtocolError,
  type IgdContext,
  type IgdService,
  type PortMappingEntry,
} from './igd-client.ts';
import { child, children, parseXml, text } from './xml.ts';

export const MAX_TABLE_ENTRIES = 1024;
/** A listing of 1024 entries is ~350 KB in miniupnpd's format. */
const MAX_LISTING_BYTES = 1024 * 1024;

/**
 * IGD:2 GetListOfPortMappings (WANIPConnection:2 §2.5.20): the whole table of one protocol in one
 * request. The listing is an XML document inside NewPortListing (CDATA or escaped), parsed with the
 * same safe parser. NewManage=1 asks for every client's mappings.
 */
export async function getListOfPortMappings(
  ctx: IgdContext,
  s: IgdService,
  protocol: 'udp' | 'tcp',
): Promise<PortMappingEntry[]> {
  let v;
  try {
    v = await soapCall(
      ctx,
      s,
      'GetListOfPortMappings',
      [
        ['NewStartPort', 1],
        ['NewEndPort', 65535],
        ['NewProtocol', protocol.toUpperCase()],
        ['NewManage', 1],
        ['NewNumberOfPorts', MAX_TABLE_ENTRIES],
      ],
      MAX_LISTING_BYTES,
    );
  } catch (err) {
    // "no mapping of this protocol" (714 / 730) is an empty list, not a failure
    if (err instanceof UpnpActionError && (err.code === 714 || err.code === 730)) return [];
    throw err;
  }
  const listing = v.NewPortListing ?? '';
  if (listing.trim() === '') return [];
  let doc;
  try {
    // miniupnpd writes a description's "&" raw into the listing; escape bare ampersands so the
    // listing still passes the validating parser (anything else malformed fails → entry-by-entry).
    const fixed = listing.replace(/&(?!(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot|apos);)/g, '&amp;');
    doc = parseXml(fixed, { maxBytes: MAX_LISTING_BYTES });
  } catch (err) {
    throw new UpnpProtocolError('malformed', `GetListOfPortMappings: ${(err as Error).message}`);
  }
  const list = child(doc, 'PortMappingList');
  if (!list) {
    // An empty <p:PortMappingList ...></p:PortMappingList> parses as text, not as an element.
    if (
      Object.hasOwn(doc, 'PortMappingList') &&
      typeof doc.PortMappingList === 'string' &&
      doc.PortMappingList.trim() === ''
    )
      return [];
    throw new UpnpProtocolError('malformed', 'GetListOfPortMappings: no PortMappingList');
  }
  return children(list, 'PortMappingEntry')
    .slice(0, MAX_TABLE_ENTRIES)
    .map((e) => {
      const get = (k: string) => text(e, k) ?? undefined;
      return entryFromValues(
        {
          NewRemoteHost: get('NewRemoteHost') ?? '',
          NewExternalPort: get('NewExternalPort') ?? '',
          NewProtocol: get('NewProtocol') ?? '',
          NewInternalPort: get('NewInternalPort') ?? '',
          NewInternalClient: get('NewInternalClient') ?? '',
          NewEnabled: get('NewEnabled') ?? '',
          NewPortMappingDescription: get('NewDescription') ?? '',
          NewLeaseDuration: get('NewLeaseTime') ?? '',
        },
        'GetListOfPortMappings',
      );
    });
}

export type ListMethod = 'GetListOfPortMappings' | 'GetGenericPortMappingEntry';

/**
 * The whole table: on a WAN*Connection:2 service first with GetListOfPortMappings (two requests,
 * UDP and TCP), falling back to GetGenericPortMappingEntry on any error; otherwise the latter.
 */
export async function listAllPortMappings(
  ctx: IgdContext,
  s: IgdService,
  opts: { preferList?: boolean; concurrency?: number } = {},
): Promise<{
  entries: PortMappingEntry[];
  error: Error | null;
  method: ListMethod;
  fallbackReason: string | null;
}> {
  let fallbackReason: string | null = null;
  if ((opts.preferList ?? true) && /:(\d+)$/.exec(s.serviceType)?.[1] !== '1') {
    try {
      const [udp, tcp] = await Promise.all([
        getListOfPortMappings(ctx, s, 'udp'),
        getListOfPortMappings(ctx, s, 'tcp'),
      ]);
      const entries = [...udp, ...tcp];
      if (udp.length < MAX_TABLE_ENTRIES && tcp.length < MAX_TABLE_ENTRIES)
        return { entries, error: null, method: 'GetListOfPortMappings', fallbackReason };
      fallbackReason = 'GetListOfPortMappings hit the entry cap';
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      fallbackReason = (err as Error).message;
    }
  }
  const r = await listPortMappings(ctx, s, opts.concurrency ?? 4);
  return { ...r, method: 'GetGenericPortMappingEntry', fallbackReason };
}

/**
 * Lists the table with GetGenericPortMappingEntry from index 0 until the end-of-table error (713,
 * or 714 / 402 / 501 on some routers), `concurrency` requests in flight. Capped at 1024 entries (a
 * hostile router could answer forever). Returns the entries and the error that ended the listing
 * if it was not a normal end-of-table.
 */
export async function listPortMappings(
  ctx: IgdContext,
  s: IgdService,
  concurrency = 4,
): Promise<{ entries: PortMappingEntry[]; error: Error | null }> {
  const entries: PortMappingEntry[] = [];
  for (let base = 0; base < MAX_TABLE_ENTRIES; base += concurrency) {
    const batch = await Promise.allSettled(
      Array.from({ length: concurrency }, (_, i) => getGenericPortMappingEntry(ctx, s, base + i)),
    );
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      if (r.status === 'fulfilled') {
        entries.push(r.value);
        continue;
      }
      const err = r.reason as unknown;
      if (
        err instanceof UpnpActionError &&
        (err.code === 713 || err.code === 714 || ((err.code === 402 || err.code === 501) && base + i > 0))
      ) {
        return { entries, error: null };
      }
      return { entries, error: err instanceof Error ? err : new Error(String(err)) };
    }
  }
  return { entries, error: new Error(`more than ${MAX_TABLE_ENTRIES} mappings; listing stopped`) };
}
