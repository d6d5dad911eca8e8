/**
 * Collects what a discovery run did — test states, the raw transaction log, warnings — and streams
 * each item as a contract event the moment it happens (live per-test progress in the UI).
 */
import {
  NatTestNameSchema,
  type NatEvent,
  type NatServerRun,
  type NatTestName,
  type NatTestResult,
  type NatTestStatus,
  type NatTransaction,
  type NatTransport,
} from '../../../shared/contracts/nat.ts';
import { formatEndpoint, type Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import { describeAttributes } from './describe.ts';
import { transactionKey } from './message.ts';
import type { TransactionOutcome } from './transaction.ts';

export class RunRecorder {
  readonly transactions: NatTransaction[] = [];
  readonly tests = new Map<NatTestName, NatTestResult>();
  readonly warnings: string[] = [];
  private readonly started = new Map<NatTestName, number>();
  private readonly clock: Clock;
  private readonly t0: number;
  readonly server: string;
  readonly run: number;
  private readonly emit: (e: NatEvent) => void;

  constructor(o: { clock: Clock; server: string; run: number; emit: (e: NatEvent) => void }) {
    this.clock = o.clock;
    this.t0 = o.clock.now();
    this.server = o.server;
    this.run = o.run;
    this.emit = o.emit;
  }

  elapsed(): number {
    return this.clock.now() - this.t0;
  }

  start(test: NatTestName, summary: string): void {
    this.started.set(test, this.clock.now());
    this.emit({
      kind: 'test',
      server: this.server,
      run: this.run,
      test,
      status: 'running',
      verdict: null,
      summary,
    });
  }

  finish(
    test: NatTestName,
    status: Exclude<NatTestStatus, 'running'>,
    verdict: string | null,
    summary: string,
  ): void {
    const begun = this.started.get(test) ?? this.clock.now();
    const result: NatTestResult = {
      name: test,
      status,
      verdict,
      summary,
      durationMs: Math.round(this.clock.now() - begun),
    };
    this.tests.set(test, result);
    this.emit({ kind: 'test', server: this.server, run: this.run, test, status, verdict, summary });
  }

  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  log(
    o: TransactionOutcome,
    meta: {
      test: NatTestName;
      step: string;
      transport: NatTransport;
      local: Endpoint;
      destination: Endpoint;
      mayGoUnanswered: boolean;
      note?: string | null;
    },
  ): NatTransaction {
    const receivedOn =
      o.receivedOn && (o.receivedOn.port !== meta.local.port || o.receivedOn.address !== meta.local.address)
        ? formatEndpoint(o.receivedOn)
        : null;
    const notes = [
      meta.note ?? null,
      o.error,
      o.strays.length ? `ignored answers from ${o.strays.map(formatEndpoint).join(', ')}` : null,
    ].filter(Boolean);
    const t: NatTransaction = {
      id: transactionKey(o.request.transactionId),
      server: this.server,
      run: this.run,
      test: meta.test,
      step: meta.step,
      transport: meta.transport,
      local: formatEndpoint(meta.local),
      destination: formatEndpoint(meta.destination),
      // what the test asked for; the SOFTWARE of IPv6 requests (probe.ts) would only be noise
      sent: describeAttributes(o.request).filter((a) => a.name !== 'SOFTWARE'),
      mayGoUnanswered: meta.mayGoUnanswered,
      outcome: o.outcome,
      responseFrom: o.from ? formatEndpoint(o.from) : null,
      receivedOn,
      responseClass: o.response ? (o.response.cls === 'indication' ? null : o.response.cls) : null,
      response: o.response ? describeAttributes(o.response) : null,
      transmissions: o.transmissions,
      rttMs: o.rttMs === null ? null : Math.round(o.rttMs * 10) / 10,
      startedAtMs: Math.round((o.startedAt - this.t0) * 10) / 10,
      note: notes.length ? notes.join('; ') : null,
    };
    this.transactions.push(t);
    this.emit({ kind: 'transaction', transaction: t });
    return t;
  }

  /** Results in the contract's canonical test order. */
  testList(): NatTestResult[] {
    const order = NatTestNameSchema.options;
    return [...this.tests.values()].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  }
}

/** A run with nothing known yet; discovery fills it in as its tests complete. */
export function emptyServerRun(rec: RunRecorder, address: string, transport: 'udp' | 'tcp'): NatServerRun {
  return {
    server: rec.server,
    address,
    run: rec.run,
    transport,
    serverCapable: false,
    serverKind: 'unreachable',
    incapableReason: null,
    otherAddress: null,
    software: null,
    mapping: null,
    filtering: null,
    hairpinning: null,
    natDetected: null,
    udpBlocked: false,
    portPreserved: null,
    mappedAddress: null,
    localAddress: null,
    classic: null,
    ports: [],
    lifetime: null,
    tests: [],
    transactions: rec.transactions,
    warnings: rec.warnings,
    durationMs: 0,
  };
}
