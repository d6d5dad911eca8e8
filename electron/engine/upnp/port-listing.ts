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
 * How long reading the table may take in all. A router that answers slowly and never ends its
 * table (seen: one entry a second) must not hold a diagnosis for minutes; what was read by then is
 * shown, marked partial.
 */
export const DEFAULT_LIST_BUDGET_MS = 15_000;

export interface ListOptions {
  preferList?: boolean;
  concurrency?: number;
  /** Total time for the listing, all requests together (default DEFAULT_LIST_BUDGET_MS). */
  budgetMs?: number;
}

export interface TableListing {
  entries: PortMappingEntry[];
  /** The router's error that ended the listing early, if any. */
  error: Error | null;
  /** Why `entries` is not the whole table (time budget, entry cap, error); null when it is. */
  partial: string | null;
}

/** The listing's deadline on the injected clock; each request may only wait for what is left. */
class ListBudget {
  private readonly ctx: IgdContext;
  private readonly deadline: number;
  readonly ms: number;

  constructor(ctx: IgdContext, ms: number) {
    this.ctx = ctx;
    this.ms = ms;
    this.deadline = ctx.clock.now() + ms;
  }

  get spent(): boolean {
    return this.ctx.clock.now() >= this.deadline;
  }

  /** The context for the next request: its timeout cut to the time left (`cut` when it was). */
  request(): IgdContext & { cut: boolean } {
    const left = Math.max(1, this.deadline - this.ctx.clock.now());
    const own = this.ctx.timeoutMs ?? 3000;
    return { ...this.ctx, timeoutMs: Math.min(own, left), cut: left < own };
  }

  reason(read: number): string {
    return `the router was still answering after the ${this.ms / 1000} s time budget for the table; ${read} entries read`;
  }
}

/**
 * The whole table: on a WAN*Connection:2 service first with GetListOfPortMappings (two requests,
 * UDP and TCP), falling back to GetGenericPortMappingEntry on any error; otherwise the latter. All
 * of it within `budgetMs`.
 */
export async function listAllPortMappings(
  ctx: IgdContext,
  s: IgdService,
  opts: ListOptions = {},
): Promise<TableListing & { method: ListMethod; fallbackReason: string | null }> {
  const budget = new ListBudget(ctx, opts.budgetMs ?? DEFAULT_LIST_BUDGET_MS);
  let fallbackReason: string | null = null;
  if ((opts.preferList ?? true) && /:(\d+)$/.exec(s.serviceType)?.[1] !== '1') {
    try {
      const [udp, tcp] = await Promise.all([
        getListOfPortMappings(budget.request(), s, 'udp'),
        getListOfPortMappings(budget.request(), s, 'tcp'),
      ]);
      const entries = [...udp, ...tcp];
      if (udp.length < MAX_TABLE_ENTRIES && tcp.length < MAX_TABLE_ENTRIES)
        return { entries, error: null, partial: null, method: 'GetListOfPortMappings', fallbackReason };
      fallbackReason = 'GetListOfPortMappings hit the entry cap';
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      fallbackReason = (err as Error).message;
    }
  }
  const r = await listEntryByEntry(ctx, s, opts.concurrency ?? 4, budget);
  return { ...r, method: 'GetGenericPortMappingEntry', fallbackReason };
}

/**
 * Lists the table with GetGenericPortMappingEntry from index 0 until the end-of-table error (713,
 * or 714 / 402 / 501 on some routers), `concurrency` requests in flight. Capped at 1024 entries and
 * at `budgetMs` (a hostile or broken router could answer forever). Returns the entries, the error
 * that ended the listing if it was not a normal end-of-table, and whether the table is partial.
 */
export async function listPortMappings(
  ctx: IgdContext,
  s: IgdService,
  concurrency = 4,
  budgetMs = DEFAULT_LIST_BUDGET_MS,
): Promise<TableListing> {
  return listEntryByEntry(ctx, s, concurrency, new ListBudget(ctx, budgetMs));
}

async function listEntryByEntry(
  ctx: IgdContext,
  s: IgdService,
  concurrency: number,
  budget: ListBudget,
): Promise<TableListing> {
  const entries: PortMappingEntry[] = [];
  for (let base = 0; base < MAX_TABLE_ENTRIES; base += concurrency) {
    if (budget.spent) return { entries, error: null, partial: budget.reason(entries.length) };
    const asks = Array.from({ length: concurrency }, () => budget.request());
    const batch = await Promise.allSettled(asks.map((a, i) => getGenericPortMappingEntry(a, s, base + i)));
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
        return { entries, error: null, partial: null };
      }
      // A request whose wait the budget cut short ended with the budget, not with the router's error.
      if (asks[i]!.cut && err instanceof UpnpProtocolError && err.kind === 'timeout')
        return { entries, error: null, partial: budget.reason(entries.length) };
      const e = err instanceof Error ? err : new Error(String(err));
      return {
        entries,
        error: e,
        partial: `the router failed after ${entries.length} entries: ${e.message}`,
      };
    }
  }
  const cap = `more than ${MAX_TABLE_ENTRIES} mappings; listing stopped`;
  return { entries, error: new Error(cap), partial: cap };
}
