import type { Report } from './report.ts';

/**
 * The report's tables, defined once: Markdown and HTML render the same columns and cells, so the
 * two exports cannot drift apart.
 */
export interface TableSpec {
  headers: string[];
  rows: unknown[][];
}

type R<K extends keyof Report> = NonNullable<Report[K]>;

export const interfacesTable = (n: R<'network'>): TableSpec => ({
  headers: ['Interface', 'Address', 'Class'],
  rows: n.interfaces.map((i) => [i.name, i.address, i.class]),
});

export const stunLogTable = (n: R<'nat'>): TableSpec => ({
  headers: ['Test', 'From', 'To', 'Request', 'Answer from', 'Answer', 'RTT ms'],
  rows: n.transactions.map((t) => [
    t.test,
    t.from,
    t.to,
    t.request,
    t.responseFrom,
    t.response ?? 'timeout',
    t.rttMs,
  ]),
});

/** The router's table was cut short (time budget, a router that stopped answering): say so beside it. */
export const partialTableNote = (reason: string) => `Partial table — more mappings may exist: ${reason}.`;

export const mappingsTable = (r: R<'router'>): TableSpec => ({
  headers: ['Proto', 'External', 'Internal', 'Description', 'Lease s', 'By NatScope'],
  rows: r.mappings.map((m) => [
    m.protocol,
    m.externalPort,
    `${m.internalClient}:${m.internalPort}`,
    m.description,
    m.leaseSeconds ?? 'permanent',
    m.createdByNatScope ? 'yes' : '',
  ]),
});

export const algTable = (a: R<'alg'>): TableSpec => ({
  headers: ['Transport', 'Port', 'Source port', 'Verdict', 'Rewritten fields'],
  rows: a.rows.map((x) => [
    x.transport,
    x.port,
    x.sourcePort,
    x.verdict,
    x.fields.map((f) => `${f.name}: ${f.sent ?? '∅'} → ${f.received ?? '∅'}`).join('; '),
  ]),
});

export const candidatesTable = (r: R<'relay'>): TableSpec => ({
  headers: ['Type', 'Proto', 'Address', 'Learnt from', 'ms', 'Reachable from the internet', 'Why'],
  rows: r.candidates.map((c) => [c.type, c.transport, c.address, c.source, c.gatherMs, c.reachable, c.why]),
});

export const incomingTable = (i: R<'incoming'>): TableSpec => ({
  headers: ['Idle s', 'Keep-alive s', 'Result', 'Arrived after ms', 'From', 'On local socket'],
  rows: i.tests.map((t) => [
    t.idleSeconds,
    t.keepAliveSeconds ?? '',
    t.outcome,
    t.arrivedAfterMs,
    t.from,
    t.localSocket,
  ]),
});

export const keepAliveAdviceTable = (i: R<'incoming'>): TableSpec => ({
  headers: ['Where', 'Keep-alive', 'Re-registration (keep separate)'],
  rows: i.advice.map((a) => [a.product, a.keepAlive.join('; '), a.reRegistration]),
});

export const samplesTable = (c: R<'call'>): TableSpec => ({
  headers: ['t s', 'Loss %', 'Jitter ms', 'RTT ms', 'MOS'],
  rows: c.samples.map((s) => [s.t, s.lossPercent, s.jitterMs, s.rttMs, s.mos]),
});
