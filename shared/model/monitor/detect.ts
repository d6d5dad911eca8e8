import type { MonitorEvent, MonitorSample } from '../../contracts/monitor.ts';
import { hostOfEndpoint } from '../endpoint.ts';
import { buildEvent, type EventDraft } from './event-advice.ts';

/**
 * The event detector: a pure function from (what the previous intervals established, this
 * interval's sample) to (the new state, the events this interval reveals). Events fire on changes,
 * not on every interval of a lasting condition; unknown values (a probe that got no answer) never
 * count as a change. The state is plain data, so a restarted monitor rebuilds it by replaying its
 * history.
 */
export interface DetectorState {
  /** ms since 1970 of the last sample. */
  lastAt: number | null;
  stunIp: string | null;
  routerIp: string | null;
  sipMapped: string | null;
  behaviour: string | null;
  /** A different behaviour seen once; an event needs a second interval to agree (no flapping). */
  behaviourPending: string | null;
  epoch: { seconds: number; at: number } | null;
  uptime: { seconds: number; at: number } | null;
  /** Ledger ids of NatScope's own mappings last seen present in the router's table. */
  ownPresent: string[];
  sipBindingOpen: boolean | null;
  stunAnswering: boolean | null;
  registrationOk: boolean | null;
  inLossBurst: boolean;
  mosBaseline: number | null;
  mosDropped: boolean;
  oneWay: boolean | null;
}

export const initialDetectorState: DetectorState = {
  lastAt: null,
  stunIp: null,
  routerIp: null,
  sipMapped: null,
  behaviour: null,
  behaviourPending: null,
  epoch: null,
  uptime: null,
  ownPresent: [],
  sipBindingOpen: null,
  stunAnswering: null,
  registrationOk: null,
  inLossBurst: false,
  mosBaseline: null,
  mosDropped: false,
  oneWay: null,
};

/**
 * Thresholds. A loss burst needs at least 3 lost pings and 10 % (one lost ping of 20 is noise: at
 * 0.5 % background loss, ≥ 3 of 20 happens about once a week at one interval a minute) or an echo
 * call losing more than 3 % (the diagnosis' "poor quality" line). MOS: below 3.6, or 0.5 under the
 * last good call.
 */
export const THRESHOLDS = {
  burstMinLost: 3,
  burstMinPercent: 10,
  burstEndPercent: 5,
  echoLossPercent: 3,
  mosPoor: 3.6,
  mosDrop: 0.5,
} as const;

/** RFC 6886 §3.6 (also PCP, RFC 6887 §8.5; used for UPnP uptime too): the counter must grow by 7/8 of the elapsed time, minus 2 s. */
export function counterWentBack(
  prev: { seconds: number; at: number },
  now: { seconds: number; at: number },
): boolean {
  const elapsed = (now.at - prev.at) / 1000;
  return now.seconds < prev.seconds + (elapsed * 7) / 8 - 2;
}

function behaviourOf(s: MonitorSample): string | null {
  const st = s.stun;
  if (!st || (st.mapping === null && st.portPreserved === null)) return null;
  const pp =
    st.portPreserved === null
      ? 'port preservation unknown'
      : st.portPreserved
        ? 'port preserved'
        : 'port not preserved';
  return `${st.mapping ?? 'mapping unknown'}, ${pp}`;
}

const mappingOf = (key: string) => key.split(', ')[0]!;

export function detect(
  prev: DetectorState,
  s: MonitorSample,
): { state: DetectorState; events: MonitorEvent[] } {
  const at = Date.parse(s.at);
  const drafts: EventDraft[] = [];
  const ev = (d: Omit<EventDraft, 'seq' | 'at'>) => drafts.push({ ...d, seq: s.seq, at: s.at });
  const next: DetectorState = { ...prev, lastAt: at };
  const stun = s.stun;

  // Public address: STUN's view when it answered both times, else the router's.
  const stunIp = stun?.sipPort.mapped ?? stun?.randomPort.mapped ?? null;
  const newStunIp = stunIp ? hostOfEndpoint(stunIp) : null;
  const newRouterIp = s.router?.externalIp ?? null;
  const ipChanged =
    (newStunIp !== null && prev.stunIp !== null && newStunIp !== prev.stunIp) ||
    (!newStunIp &&
      !prev.stunIp &&
      newRouterIp !== null &&
      prev.routerIp !== null &&
      newRouterIp !== prev.routerIp);
  if (newStunIp && prev.stunIp && newStunIp !== prev.stunIp) {
    ev({
      kind: 'public-ip-changed',
      before: prev.stunIp,
      after: newStunIp,
      evidence: {
        source: 'stun',
        server: stun?.server ?? null,
        sipMappedBefore: prev.sipMapped,
        sipMappedAfter: stun?.sipPort.mapped ?? null,
      },
    });
  } else if (!newStunIp && !prev.stunIp && newRouterIp && prev.routerIp && newRouterIp !== prev.routerIp) {
    ev({
      kind: 'public-ip-changed',
      before: prev.routerIp,
      after: newRouterIp,
      evidence: { source: 'router', server: null },
    });
  }
  if (newStunIp) next.stunIp = newStunIp;
  if (newRouterIp) next.routerIp = newRouterIp;

  if (stun) detectStun(prev, next, s, ev, at);
  if (s.router) detectRouter(prev, next, s, ev, at, ipChanged);
  detectSip(prev, next, s, ev);
  return { state: next, events: drafts.map(buildEvent) };
}

type Emit = (d: Omit<EventDraft, 'seq' | 'at'>) => void;

function detectStun(prev: DetectorState, next: DetectorState, s: MonitorSample, ev: Emit, at: number) {
  const stun = s.stun!;
  const answering = stun.sipPort.mapped !== null || stun.randomPort.mapped !== null;
  if (!answering && prev.stunAnswering === true)
    ev({
      kind: 'stun-unreachable',
      before: 'answering',
      after: 'no answer',
      evidence: {
        server: stun.server,
        error: stun.error,
        lastAnswerBefore: prev.lastAt ? new Date(prev.lastAt).toISOString() : null,
      },
    });
  next.stunAnswering = answering;

  const mapped = stun.sipPort.mapped;
  if (
    mapped &&
    prev.sipMapped &&
    hostOfEndpoint(mapped) === hostOfEndpoint(prev.sipMapped) &&
    mapped !== prev.sipMapped
  )
    ev({
      kind: 'mapped-port-changed',
      before: prev.sipMapped,
      after: mapped,
      evidence: { local: stun.sipPort.local, server: stun.server },
    });
  if (mapped) next.sipMapped = mapped;

  if (stun.sipBindingOpen === false && prev.sipBindingOpen !== false)
    ev({
      kind: 'mapping-vanished',
      before: prev.sipMapped,
      after: null,
      evidence: {
        subject: 'nat-binding',
        local: stun.sipPort.local,
        server: stun.server,
        idleSeconds: prev.lastAt ? Math.round((at - prev.lastAt) / 100) / 10 : null,
      },
    });
  if (stun.sipBindingOpen !== null) next.sipBindingOpen = stun.sipBindingOpen;

  const behaviour = behaviourOf(s);
  if (behaviour) {
    if (prev.behaviour === null || behaviour === prev.behaviour) {
      next.behaviour = behaviour;
      next.behaviourPending = null;
    } else if (prev.behaviourPending !== behaviour) {
      next.behaviourPending = behaviour;
    } else {
      ev({
        kind: 'mapping-behaviour-changed',
        before: prev.behaviour,
        after: behaviour,
        evidence: {
          mappingBefore: mappingOf(prev.behaviour),
          mappingAfter: stun.mapping,
          portPreservedAfter: stun.portPreserved,
          randomPortLocal: stun.randomPort.local,
          randomPortMapped: stun.randomPort.mapped,
          server: stun.server,
        },
      });
      next.behaviour = behaviour;
      next.behaviourPending = null;
    }
  }

  const lost = stun.pings.sent - stun.pings.received;
  const loss = stun.lossPercent;
  // A server that answers nothing is an outage (stun-unreachable), not a loss burst.
  if (loss !== null && stun.pings.sent > 0 && answering) {
    const burst = lost >= THRESHOLDS.burstMinLost && loss >= THRESHOLDS.burstMinPercent;
    if (burst && !prev.inLossBurst)
      ev({
        kind: 'loss-burst',
        before: null,
        after: loss,
        evidence: {
          source: 'stun-pings',
          sent: stun.pings.sent,
          received: stun.pings.received,
          lossPercent: loss,
          rttMs: stun.rttMs,
          jitterMs: stun.jitterMs,
          server: stun.server,
        },
      });
    if (burst) next.inLossBurst = true;
    else if (loss < THRESHOLDS.burstEndPercent) next.inLossBurst = false;
  }
}

function detectRouter(
  prev: DetectorState,
  next: DetectorState,
  s: MonitorSample,
  ev: Emit,
  at: number,
  ipChanged: boolean,
) {
  const r = s.router!;
  const epochNow = r.epochSeconds !== null ? { seconds: r.epochSeconds, at } : null;
  const upNow = r.uptimeSeconds !== null ? { seconds: r.uptimeSeconds, at } : null;
  const epochReset = epochNow && prev.epoch && counterWentBack(prev.epoch, epochNow);
  const upReset = upNow && prev.uptime && counterWentBack(prev.uptime, upNow);
  if (epochReset || upReset)
    ev({
      kind: 'router-rebooted',
      before: epochReset ? prev.epoch!.seconds : prev.uptime!.seconds,
      after: epochReset ? epochNow.seconds : upNow!.seconds,
      evidence: {
        source: epochReset ? 'natpmp-epoch' : 'upnp-uptime',
        epochBefore: prev.epoch?.seconds ?? null,
        epochAfter: r.epochSeconds,
        uptimeBefore: prev.uptime?.seconds ?? null,
        uptimeAfter: r.uptimeSeconds,
        secondsBetweenProbes: prev.lastAt ? Math.round((at - prev.lastAt) / 1000) : null,
        natpmpMappingsToRenew: r.ownMappings.filter((m) => m.via !== 'upnp').length,
        withNewPublicIp: ipChanged,
      },
    });
  if (epochNow) next.epoch = epochNow;
  if (upNow) next.uptime = upNow;

  const present: string[] = [];
  for (const m of r.ownMappings) {
    // unknown this time (the IGD did not answer): keep what was known
    if (m.present === true || (m.present === null && prev.ownPresent.includes(m.id))) present.push(m.id);
    else if (m.present === false && prev.ownPresent.includes(m.id))
      ev({
        kind: 'mapping-vanished',
        before: `${m.protocol}/${m.externalPort}`,
        after: null,
        evidence: {
          subject: 'router-mapping',
          via: m.via,
          protocol: m.protocol,
          externalPort: m.externalPort,
          internalPort: m.internalPort,
          ledgerId: m.id,
        },
      });
  }
  next.ownPresent = present;
}

function detectSip(prev: DetectorState, next: DetectorState, s: MonitorSample, ev: Emit) {
  const reg = s.registration;
  if (reg) {
    if (!reg.ok && prev.registrationOk !== false)
      ev({
        kind: 'registration-failed',
        before: prev.registrationOk === null ? null : 'registered',
        after: reg.status,
        evidence: { registrar: reg.registrar, status: reg.status, reason: reg.reason },
      });
    next.registrationOk = reg.ok;
  }
  const echo = s.echo;
  if (!echo || !echo.answered) return;
  const e = {
    target: echo.target,
    sent: echo.sent,
    received: echo.received,
    lossPercent: echo.lossPercent,
    jitterMs: echo.jitterMs,
    rttMs: echo.rttMs,
    mos: echo.mos,
  };
  if (echo.oneWayAudio && prev.oneWay !== true)
    ev({ kind: 'one-way-audio', before: null, after: echo.received, evidence: e });
  next.oneWay = echo.oneWayAudio;
  if (echo.oneWayAudio) return;
  if (
    echo.lossPercent !== null &&
    echo.lossPercent > THRESHOLDS.echoLossPercent &&
    !prev.inLossBurst &&
    !next.inLossBurst
  ) {
    ev({ kind: 'loss-burst', before: null, after: echo.lossPercent, evidence: { ...e, source: 'echo' } });
    next.inLossBurst = true;
  }
  const mos = echo.mos;
  if (mos === null) return;
  const base = prev.mosBaseline;
  const poor = mos < THRESHOLDS.mosPoor;
  const dropped = poor || (base !== null && mos <= base - THRESHOLDS.mosDrop);
  if (dropped && !prev.mosDropped) ev({ kind: 'mos-drop', before: base, after: mos, evidence: e });
  if (dropped) next.mosDropped = true;
  else {
    next.mosDropped = false;
    next.mosBaseline = mos;
  }
}
