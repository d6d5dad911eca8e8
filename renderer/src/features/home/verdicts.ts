import type { Area } from '../../../../shared/model/diagnosis/findings.ts';
import { BEHAVIOUR_LABEL, CLASSIC_LABEL } from '../../../../shared/model/nat-classic.ts';
import { natSipMeaning } from '../../../../shared/model/nat-meaning.ts';
import { reportLights } from '../../../../shared/model/report/report.ts';
import type { VerdictAreaDef, VerdictRow } from '../../app/registry.ts';
import type { SessionSnapshot } from '../../app/session/store.ts';
import { DEMO_SLICE } from '../../app/session/session-context.tsx';
import { CHECK, IDLE_CHECK, type CheckState } from './check.ts';
import { publicAddresses } from './public-address.ts';

/**
 * The verdict page's rows for the built-in areas. Each row's light is the report's traffic light
 * for its area (the same diagnosis rules as `natscope diagnose` and the exported report), its
 * headline says the result in words, and its evidence lists the facts behind it.
 */

/** Running / failed / skipped / never run: the row's state before there is a result to judge. */
function pending(s: SessionSnapshot, runKey: string, checkKey = runKey): VerdictRow | null {
  const run = s.runs[runKey];
  if (run?.status === 'running') return { tone: 'running', headline: 'Checking…', evidence: [] };
  if (run?.status === 'failed')
    return { tone: 'unknown', headline: 'Could not check', evidence: [run.error.message] };
  const skipped = s.slices[CHECK] ? (s.slices[CHECK] as CheckState).skipped[checkKey] : undefined;
  if (skipped) return { tone: 'not-checked', headline: 'Not checked', evidence: [skipped] };
  return null;
}

const NOT_CHECKED: VerdictRow = { tone: 'not-checked', headline: 'Not checked yet', evidence: [] };

function light(s: SessionSnapshot, area: Area): VerdictRow['tone'] {
  return (s.report && reportLights(s.report)[area]) || 'unknown';
}

function findingTitles(s: SessionSnapshot, area: Area): string[] {
  return (s.report?.findings ?? []).filter((f) => f.area === area && f.severity !== 'ok').map((f) => f.title);
}

export const publicAddressArea: VerdictAreaDef = {
  id: 'public-ip',
  title: 'Public address',
  order: 10,
  stepId: 'nat',
  evaluate(s) {
    const seen = publicAddresses(s.results, { demo: s.slices[DEMO_SLICE] != null });
    if (!seen.ipv4 && !seen.ipv6) return pending(s, 'nat') ?? NOT_CHECKED;
    if (seen.loopback)
      return {
        tone: 'info',
        headline: `${seen.ipv4?.address ?? seen.ipv6?.address} — loopback demo, not a public address`,
        evidence: [seen.ipv4?.evidence ?? seen.ipv6?.evidence ?? ''],
      };
    const lines = [seen.ipv4, seen.ipv6].filter((a) => a !== null);
    return {
      tone: 'ok',
      headline: lines.map((a) => `${a.address} (IPv${a.address.includes(':') ? 6 : 4})`).join(' · '),
      evidence: lines.map((a) => a.evidence),
    };
  },
};

export const natArea: VerdictAreaDef = {
  id: 'nat',
  title: 'NAT type',
  order: 20,
  stepId: 'nat',
  evaluate(s) {
    const nat = s.results.nat;
    if (!nat || s.runs.nat?.status === 'running') return pending(s, 'nat') ?? NOT_CHECKED;
    const summary = natSipMeaning({ ...nat, lifetimeSeconds: nat.lifetimeSeconds ?? null }).find(
      (m) => m.topic === 'summary',
    );
    if (publicAddresses(s.results, { demo: s.slices[DEMO_SLICE] != null }).loopback)
      return {
        tone: light(s, 'nat'),
        headline: 'Loopback only: nothing measured about your NAT',
        detail:
          'The STUN server is on this computer (the offline demo): there is no NAT on loopback to find.',
        evidence: [`mapped ${nat.mappedAddress ?? '—'} from local ${nat.localAddress ?? '—'}`],
      };
    const label = nat.serverSilent
      ? 'Unknown: the STUN server did not answer'
      : nat.udpBlocked
        ? 'UDP blocked'
        : nat.classic
          ? `${CLASSIC_LABEL[nat.classic]}${nat.natDetected ? ' NAT' : ''}`
          : nat.serverCapable
            ? 'NAT behaviour unknown'
            : 'Unknown: the STUN server cannot run behaviour tests';
    return {
      tone: light(s, 'nat'),
      headline: label,
      detail: summary?.text,
      evidence: [
        ...(nat.udpEvidence ? [nat.udpEvidence] : []),
        nat.mapping ? `mapping: ${BEHAVIOUR_LABEL[nat.mapping]}` : 'mapping: unknown',
        nat.filtering ? `filtering: ${BEHAVIOUR_LABEL[nat.filtering]}` : 'filtering: unknown',
        `hairpinning: ${nat.hairpinning === null ? 'unknown' : nat.hairpinning ? 'yes' : 'no'}`,
        `servers: ${nat.servers.map((r) => `${r.server} (${r.serverKind})`).join(', ')} · confidence ${nat.confidence}`,
        ...findingTitles(s, 'nat'),
      ],
    };
  },
};

export const routerArea: VerdictAreaDef = {
  id: 'router',
  title: 'Router: UPnP / NAT-PMP / PCP',
  order: 30,
  stepId: 'router',
  evaluate(s) {
    const r = s.results.router;
    if (!r || s.runs.router?.status === 'running') return pending(s, 'router') ?? NOT_CHECKED;
    const yes = (b: boolean) => (b ? 'yes' : 'no');
    const protocols = `UPnP IGD ${yes(r.upnp.found)} · NAT-PMP ${yes(r.natpmp.supported)} · PCP ${yes(r.pcp.supported)}`;
    const ext = r.upnp.externalIp ?? r.natpmp.externalIp ?? r.pcp.externalIp;
    return {
      tone: light(s, 'router'),
      headline:
        r.upnp.found || r.natpmp.supported || r.pcp.supported
          ? protocols
          : 'No port-mapping protocol answered',
      evidence: [
        protocols,
        ext ? `router's external address: ${ext}` : 'the router reported no external address',
        r.upnp.friendlyName ? `device: ${r.upnp.friendlyName}` : `gateway: ${r.gateway ?? 'none found'}`,
        ...findingTitles(s, 'router'),
      ],
    };
  },
};

export const algArea: VerdictAreaDef = {
  id: 'alg',
  title: 'SIP ALG',
  order: 40,
  stepId: 'alg',
  evaluate(s) {
    const a = s.results.alg;
    if (!a || s.runs.alg?.status === 'running') return pending(s, 'alg') ?? NOT_CHECKED;
    const how = a.mode === 'reflector' ? 'reflector test: conclusive' : 'heuristics: weaker evidence';
    return {
      tone: light(s, 'alg'),
      headline: `${a.algDetected ? 'SIP ALG rewrites your SIP' : 'No SIP ALG detected'} (${how})`,
      evidence: [a.summary, ...findingTitles(s, 'alg')],
    };
  },
};

export const callArea: VerdictAreaDef = {
  id: 'call',
  title: 'Call quality',
  order: 50,
  stepId: 'echo',
  evaluate(s) {
    const view = s.slices['echo.view'] as { running?: boolean; state?: string | null } | undefined;
    if (view?.running)
      return { tone: 'running', headline: `Calling… (${view.state ?? 'preparing'})`, evidence: [] };
    const c = s.results.call;
    const skipped = (s.slices[CHECK] as CheckState | undefined)?.skipped.echo;
    if (!c)
      return skipped ? { tone: 'not-checked', headline: 'Not checked', evidence: [skipped] } : NOT_CHECKED;
    const rtp = c.rtp;
    const fmt = (v: number | null | undefined, unit: string, d = 0) =>
      v == null ? '—' : `${v.toFixed(d)} ${unit}`;
    const headline = !c.answered
      ? `The call failed: ${c.sipStatus ?? ''} ${c.sipReason ?? c.endReason}`.replace(/\s+/g, ' ')
      : c.oneWayAudio
        ? 'One-way audio: the echo never came back'
        : rtp?.mos != null
          ? `MOS ${rtp.mos.toFixed(1)}: ${rtp.mos >= 4 ? 'good' : rtp.mos >= 3.6 ? 'fair' : 'poor'} — audio flows both ways`
          : 'Audio flows both ways';
    return {
      tone: light(s, 'call'),
      headline,
      evidence: [
        `echo service: ${c.target ?? ''}`.trim(),
        rtp
          ? `loss ${fmt(rtp.lossPercent, '%', 1)} · jitter ${fmt(rtp.jitterMs, 'ms', 1)} · RTT ${fmt(rtp.rttMs, 'ms')}`
          : 'no RTP statistics',
        ...findingTitles(s, 'call'),
      ],
    };
  },
};

/** The check's own state, for the page (not a verdict row). */
export const checkState = (s: SessionSnapshot): CheckState =>
  (s.slices[CHECK] as CheckState | undefined) ?? IDLE_CHECK;
