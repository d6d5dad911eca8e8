/**
 * Every SIP message sent and received during a test, with where it came from and went to — the
 * source of the ladder diagram and the report. Text is redacted (redact.ts) before it is stored,
 * so no credential ever reaches the log, an event or a report.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { redactSipMessage } from './redact.ts';

export interface SipLogEntry {
  index: number;
  direction: 'sent' | 'received';
  /** ms since the log was created (the test's start). */
  atMs: number;
  transport: string;
  local: string;
  remote: string;
  /** "INVITE sip:…" or "200 OK" — the first line. */
  summary: string;
  method: string | null;
  status: number | null;
  cseq: string | null;
  callId: string | null;
  /** A retransmission (ours by a timer, or a repeat from the peer). */
  retransmission: boolean;
  raw: string;
}

export class MessageLog {
  private readonly entries: SipLogEntry[] = [];
  private readonly listeners = new Set<(e: SipLogEntry) => void>();
  private readonly now: () => number;
  private readonly start: number;
  private readonly maxEntries: number;
  private dropped = 0;

  constructor(now: () => number, maxEntries = 2000) {
    this.now = now;
    this.start = now();
    this.maxEntries = maxEntries;
  }

  record(o: {
    direction: 'sent' | 'received';
    transport: string;
    local: Endpoint;
    remote: Endpoint;
    text: string;
    retransmission?: boolean;
  }): SipLogEntry | null {
    const firstLine = o.text.slice(0, Math.max(0, o.text.indexOf('\r\n'))) || o.text.slice(0, 200);
    const status = /^SIP\/2\.0 (\d{3})/.exec(firstLine);
    const method = status ? null : (/^([A-Z]+) /.exec(firstLine)?.[1] ?? null);
    const entry: SipLogEntry = {
      index: this.entries.length + this.dropped,
      direction: o.direction,
      atMs: Math.round(this.now() - this.start),
      transport: o.transport,
      local: formatEndpoint(o.local),
      remote: formatEndpoint(o.remote),
      summary: firstLine
        .replace(/ SIP\/2\.0$/, '')
        .replace(/^SIP\/2\.0 /, '')
        .slice(0, 200),
      method,
      status: status ? Number(status[1]) : null,
      cseq: header(o.text, 'CSeq'),
      callId: header(o.text, 'Call-ID', 'i'),
      retransmission: o.retransmission ?? false,
      raw: redactSipMessage(o.text),
    };
    if (this.entries.length >= this.maxEntries) {
      this.dropped++;
      return null;
    }
    this.entries.push(entry);
    for (const l of this.listeners) l(entry);
    return entry;
  }

  onEntry(l: (e: SipLogEntry) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  all(): SipLogEntry[] {
    return [...this.entries];
  }

  get droppedCount(): number {
    return this.dropped;
  }
}

function header(text: string, name: string, compact?: string): string | null {
  const re = new RegExp(`^(?:${name}${compact ? `|${compact}` : ''})[ \\t]*:[ \\t]*(.*)$`, 'im');
  return re.exec(text)?.[1]?.trim() ?? null;
}
