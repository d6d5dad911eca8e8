/**
 * The verdicts of RFC 5780 behaviour discovery from the probes' outcomes: mapping (§4.3: the mapped
 * address seen from the alternate IP and port), filtering (§4.4: CHANGE-REQUEST answers let in or
 * not, with a control probe that proves the server honours CHANGE-REQUEST), whether the server can
 * run the tests at all, hairpinning (§4.5) and port preservation. discovery.ts runs the probes.
 */
import type {
  FilteringBehaviour,
  MappingBehaviour,
  NatServerRun,
  PortObservation,
} from '../../../shared/contracts/nat.ts';
import { formatEndpoint, type Endpoint } from '../../../shared/model/endpoint.ts';
import { tryGetAttribute } from './attribute.ts';
import { ErrorCode } from './attr-error-code.ts';
import { ProbeContext, changeRequest, mappedOf } from './probe.ts';
import type { RunRecorder } from './recorder.ts';
import { sameEndpoint, type StunUdpPort, type TransactionOutcome } from './transaction.ts';

type ChangeVerdict = 'honoured' | 'silent' | 'ignored' | 'wrong-source' | 'rejected' | 'failed';

function judgeChange(o: TransactionOutcome, expected: Endpoint, primary: Endpoint): ChangeVerdict {
  if (o.outcome === 'timeout') return 'silent';
  if (o.outcome !== 'response' || !o.response || !o.from) return 'failed';
  if (o.response.cls === 'error') return 'rejected';
  if (sameEndpoint(o.from, expected)) return 'honoured';
  if (sameEndpoint(o.from, primary)) return 'ignored';
  return 'wrong-source';
}

function describeError(o: TransactionOutcome): string {
  const e = o.response ? tryGetAttribute(o.response, ErrorCode) : undefined;
  return e ? `${e.code} ${e.reason}` : 'error response';
}

/**
 * §4.3 tests II and III from the first socket; returns the alternate address, or null when it does
 * not answer (the server cannot run the tests).
 */
export async function judgeMapping(
  ctx: ProbeContext,
  rec: RunRecorder,
  result: NatServerRun,
  o: { s0: StunUdpPort; P: Endpoint; A: Endpoint; mapped0: Endpoint },
): Promise<Endpoint | null> {
  const { s0, P, mapped0, A } = o;
  rec.start('mapping', `Binding requests to the alternate address ${formatEndpoint(A)}`);
  const [m2, m3] = await Promise.all([
    ctx.probe({
      test: 'mapping',
      step: 'to alternate IP, primary port (§4.3 test II)',
      from: s0,
      to: { address: A.address, port: P.port },
    }),
    ctx.probe({ test: 'mapping', step: 'to alternate IP and port (§4.3 test III)', from: s0, to: A }),
  ]);
  const M1 = mappedOf(m2);
  const M2 = mappedOf(m3);
  if (!M1 && !M2) {
    result.incapableReason = `the alternate address ${formatEndpoint(A)} does not answer`;
    rec.finish('mapping', 'failed', null, result.incapableReason);
    return null;
  }
  let mapping: MappingBehaviour | null = null;
  if (M1 && sameEndpoint(M1, mapped0))
    mapping = M2 && !sameEndpoint(M2, mapped0) ? null : 'endpoint-independent';
  else if (M1 && M2) mapping = sameEndpoint(M1, M2) ? 'address-dependent' : 'address-and-port-dependent';
  else if (!M1 && M2 && sameEndpoint(M2, mapped0)) mapping = 'endpoint-independent';
  result.mapping = mapping;
  const seen = [mapped0, M1, M2].map((x) => (x ? formatEndpoint(x) : '—')).join(' / ');
  if (mapping) rec.finish('mapping', 'done', mapping, `${mapping} (mapped addresses ${seen})`);
  else rec.finish('mapping', 'inconclusive', null, `inconsistent mapped addresses ${seen}`);
  return A;
}

/**
 * §4.4 from the CHANGE-REQUEST probes sent at t = 0 on fresh sockets; returns the alternate address,
 * or null when the server turned out not to honour CHANGE-REQUEST.
 */
export async function judgeFiltering(
  ctx: ProbeContext,
  rec: RunRecorder,
  result: NatServerRun,
  o: { f2: TransactionOutcome; f3: TransactionOutcome; s0: StunUdpPort; P: Endpoint; A: Endpoint | null },
): Promise<Endpoint | null> {
  const { f2, f3, s0, P } = o;
  let A = o.A;
  if (A) {
    const v2 = judgeChange(f2, A, P);
    const v3 = judgeChange(f3, { address: P.address, port: A.port }, P);
    const bad = (
      [
        ['IP and port', v2, f2],
        ['port', v3, f3],
      ] as const
    ).find(([, v]) => v === 'ignored' || v === 'wrong-source' || v === 'rejected');
    if (bad) {
      const [what, v, out] = bad;
      const from = out.from ? formatEndpoint(out.from) : '?';
      result.incapableReason =
        v === 'ignored'
          ? `the server ignores CHANGE-REQUEST: asked to change ${what}, it answered from ${from} (its primary address)`
          : v === 'wrong-source'
            ? `asked to change ${what}, the server answered from ${from}, not from the address it announced`
            : `the server rejected CHANGE-REQUEST (${describeError(out)})`;
      A = null;
    } else {
      let filtering: FilteringBehaviour | null =
        v2 === 'honoured'
          ? 'endpoint-independent'
          : v3 === 'honoured'
            ? 'address-dependent'
            : v2 === 'silent' && v3 === 'silent'
              ? 'address-and-port-dependent'
              : null;
      if (v2 === 'honoured' && v3 === 'silent')
        rec.warn(
          'the change-port probe went unanswered although the change-IP-and-port one got through (packet loss?)',
        );
      // control: prove the server honours CHANGE-REQUEST where the NAT lets the answer in
      if (v2 === 'silent' && result.mapping === 'endpoint-independent') {
        const control = await ctx.probe({
          test: 'filtering',
          step: 'control: change IP and port from the socket that talked to the alternate address',
          from: s0,
          to: P,
          build: changeRequest(true, true),
          negative: true,
          accept: 'any',
          note: 'this socket has sent to the alternate address, so any NAT lets the answer in',
        });
        const vc = judgeChange(control, A, P);
        if (vc !== 'honoured') {
          result.incapableReason =
            vc === 'silent'
              ? 'the server did not answer CHANGE-REQUEST even where the NAT lets the answer in: it drops CHANGE-REQUEST'
              : `the control CHANGE-REQUEST was answered from ${control.from ? formatEndpoint(control.from) : '?'}, not ${formatEndpoint(A)}`;
          filtering = null;
          A = null;
        }
      } else if (v2 === 'silent' && result.mapping !== null) {
        rec.warn(
          'with this mapping behaviour the server’s CHANGE-REQUEST support cannot be double-checked; the filtering verdict rests on its OTHER-ADDRESS and answering alternate address',
        );
      }
      result.filtering = filtering;
    }
  }
  return A;
}

/** The filtering and server-capability test verdicts, once mapping and filtering are judged. */
export function concludeCapability(rec: RunRecorder, result: NatServerRun, A: Endpoint | null): void {
  if (A && result.filtering) {
    rec.finish('filtering', 'done', result.filtering, `${result.filtering}`);
  } else {
    result.filtering = null;
    rec.finish(
      'filtering',
      'failed',
      null,
      `server cannot run behaviour tests: ${result.incapableReason ?? 'unknown reason'}`,
    );
  }
  result.serverCapable = A !== null && result.mapping !== null && result.filtering !== null;
  if (result.serverCapable) {
    rec.finish(
      'server-capability',
      'done',
      'true',
      `${result.serverKind === 'rfc3489' ? 'RFC 3489 server (CHANGED-ADDRESS)' : 'RFC 5780 server'}; alternate address ${result.otherAddress}`,
    );
  } else {
    result.incapableReason ??= 'mapping behaviour could not be determined';
    rec.finish(
      'server-capability',
      'failed',
      'false',
      `server cannot run behaviour tests: ${result.incapableReason}`,
    );
  }
}

/** §4.5, from the second socket's probe and the socket's own one. */
export function judgeHairpinning(
  rec: RunRecorder,
  result: NatServerRun,
  o: { hair: TransactionOutcome; selfHair: TransactionOutcome; mapped0: Endpoint; negativeWaitMs: number },
): void {
  const { hair, selfHair, mapped0 } = o;
  if (hair.outcome === 'response') {
    result.hairpinning = true;
    rec.finish(
      'hairpinning',
      'done',
      'true',
      `a second socket’s request to ${formatEndpoint(mapped0)} came back in from ${hair.from ? formatEndpoint(hair.from) : '?'}`,
    );
  } else if (selfHair.outcome === 'response') {
    result.hairpinning = true;
    rec.finish(
      'hairpinning',
      'done',
      'true',
      `the NAT hairpins (the socket’s own request came back), but a second socket’s packet was filtered — an inner NAT or firewall drops it until the receiver has sent to the sender`,
    );
    rec.warn(
      'hairpinned packets from a peer behind the same NAT are dropped until the receiver sends to it first (filtering, e.g. double NAT): local calls need ICE or a relay',
    );
  } else if (hair.outcome === 'timeout' && selfHair.outcome === 'timeout') {
    result.hairpinning = false;
    rec.finish('hairpinning', 'done', 'false', `nothing came back within ${Math.round(o.negativeWaitMs)} ms`);
  } else {
    rec.finish('hairpinning', 'failed', null, hair.error ?? selfHair.error ?? hair.outcome);
  }
}

/** Port preservation over the ephemeral socket and the SIP / RTP port tests. */
export function judgePortPreservation(
  rec: RunRecorder,
  result: NatServerRun,
  o: { ephemeralLocal: Endpoint; mapped0: Endpoint; tested: (PortObservation | null)[] },
): void {
  const { ephemeralLocal, mapped0 } = o;
  const ports: PortObservation[] = [
    {
      label: 'ephemeral',
      local: formatEndpoint(ephemeralLocal),
      mapped: formatEndpoint(mapped0),
      preserved: mapped0.port === ephemeralLocal.port,
    },
  ];
  for (const p of o.tested) if (p) ports.push(p);
  result.ports = ports;
  const known = ports.filter((p) => p.preserved !== null);
  result.portPreserved = known.length ? known.every((p) => p.preserved) : null;
  rec.finish(
    'port-preservation',
    'done',
    String(result.portPreserved),
    known.map((p) => `${p.local.split(':').pop()}→${p.mapped?.split(':').pop() ?? '—'}`).join(', '),
  );
}
