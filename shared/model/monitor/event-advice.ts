import type { MonitorEvent } from '../../contracts/monitor.ts';
import type { Behaviour, DiagnosisFacts } from '../diagnosis/facts.ts';
import type { FindingId } from '../diagnosis/findings.ts';
import { diagnose } from '../diagnosis/rules.ts';
import type { MonitorEventKind } from './event-kinds.ts';

/**
 * Titles, severities and advice of monitor events. Where a diagnosis finding describes the same
 * situation, the event carries that finding's advice — produced by the same rules from the facts the
 * interval measured — so a one-shot diagnosis and the monitor never give different advice.
 */
type Scalar = string | number | boolean | null;

export interface EventDraft {
  kind: MonitorEventKind;
  seq: number;
  at: string;
  before: Scalar;
  after: Scalar;
  evidence: Record<string, Scalar>;
}

/** The advice of finding `id` for these facts, or [] when the rules do not raise it. */
export function findingAdvice(id: FindingId, facts: DiagnosisFacts): string[] {
  return diagnose(facts).find((f) => f.id === id)?.advice ?? [];
}

const NAT_BASE: NonNullable<DiagnosisFacts['nat']> = {
  udpBlocked: false,
  natDetected: true,
  mapping: null,
  filtering: null,
  hairpinning: null,
  mappedAddress: null,
  localAddress: null,
  classic: null,
  lifetimeSeconds: null,
  server: '',
};

/** Call facts for a measured path: answered, audio both ways, with the interval's numbers. */
function callFacts(e: Record<string, Scalar>, oneWay = false): NonNullable<DiagnosisFacts['call']> {
  const num = (k: string) => (typeof e[k] === 'number' ? (e[k] as number) : null);
  return {
    target: typeof e.target === 'string' ? e.target : 'STUN pings',
    answered: true,
    sipStatus: 200,
    oneWayAudio: oneWay,
    rtpSent: num('sent') ?? 1,
    rtpReceived: oneWay ? 0 : (num('received') ?? 1),
    lossPercent: num('lossPercent'),
    jitterMs: num('jitterMs'),
    rttMs: num('rttMs'),
    mos: num('mos'),
    rtpSourceMismatch: false,
  };
}

interface Described {
  severity: MonitorEvent['severity'];
  title: string;
  advice: string[];
  findingId: FindingId | null;
}

const str = (v: Scalar) => (v === null ? 'unknown' : String(v));

function describe(d: EventDraft): Described {
  const e = d.evidence;
  switch (d.kind) {
    case 'public-ip-changed': {
      const advice = findingAdvice('nat-detected', {
        nat: { ...NAT_BASE, mappedAddress: `${str(d.after)}:0`, server: str(e.server ?? null) },
      });
      return {
        severity: 'warning',
        title: `Public IP changed from ${str(d.before)} to ${str(d.after)}`,
        findingId: 'nat-detected',
        advice: [
          `Anything configured with the old address ${str(d.before)} (ext-sip-ip, external_media_address, a phone's "public address", a firewall rule) now points nowhere: use STUN or a dynamic DNS name instead of a fixed IP.`,
          'Registrations made from the old address stop receiving calls until the phone re-registers; a short registration expiry recovers faster.',
          ...advice.slice(0, 1),
        ],
      };
    }
    case 'mapped-port-changed':
      return {
        severity: 'warning',
        title: `The SIP port's public mapping moved from ${str(d.before)} to ${str(d.after)}`,
        findingId: null,
        advice: [
          'The NAT gave the SIP port a new public port: a registration made through the old one no longer receives calls until the phone sends its next REGISTER.',
          'Send keep-alives (SIP phone: "NAT keep-alive"; FreeSWITCH: nat-options-ping; Asterisk: qualify_frequency) more often than the monitor interval, or register over TCP/TLS, whose mappings live longer.',
        ],
      };
    case 'mapping-behaviour-changed': {
      const mapping = (typeof e.mappingAfter === 'string' ? e.mappingAfter : null) as Behaviour;
      const worse = mapping !== null && mapping !== 'endpoint-independent';
      return {
        severity: worse ? 'problem' : 'info',
        title: `NAT behaviour changed: ${str(d.before)} → ${str(d.after)}`,
        findingId: worse ? 'symmetric-nat' : null,
        advice: worse
          ? findingAdvice('symmetric-nat', { nat: { ...NAT_BASE, mapping, filtering: null } })
          : e.portPreservedAfter === false
            ? [
                'The router no longer keeps the local port as the public port: setups that rely on 5060 mapping to 5060 (static forwarding, phones without STUN) lose inbound calls.',
              ]
            : [],
      };
    }
    case 'router-rebooted':
      return {
        severity: 'warning',
        title:
          e.withNewPublicIp === true
            ? `The router reset its mapping state along with its new public address (${e.source === 'upnp-uptime' ? 'UPnP uptime' : 'NAT-PMP epoch'} went back)`
            : e.source === 'upnp-uptime'
              ? 'The router rebooted or restarted its internet connection (UPnP uptime went back)'
              : 'The router rebooted or lost its mapping state (NAT-PMP epoch went back, RFC 6886 §3.6)',
        findingId: null,
        advice: [
          'A reboot drops every UPnP/NAT-PMP port mapping and NAT binding: phones must re-register before they receive calls again (a short registration expiry or keep-alives recover faster).',
          'FreeSWITCH with auto-nat: run "nat_map reinit" (or restart the SIP profile) so it maps its ports again. Programs using NAT-PMP/PCP must renew their mappings when the epoch resets.',
          'Reboots you did not do point at power, firmware or overheating problems, or at the provider resetting the line.',
        ],
      };
    case 'mapping-vanished':
      return describeVanished(d);
    case 'registration-failed':
      return {
        severity: 'problem',
        title: `Registration with ${str(e.registrar ?? null)} failed${typeof d.after === 'number' ? ` (SIP ${d.after})` : ''}`,
        findingId: 'registration-failed',
        advice: findingAdvice('registration-failed', {
          registration: {
            registrar: str(e.registrar ?? null),
            ok: false,
            sipStatus: typeof d.after === 'number' ? d.after : null,
            reason: str(e.reason ?? null),
          },
        }),
      };
    case 'loss-burst':
      return {
        severity: 'warning',
        title: `Loss burst: ${str(d.after)} % of packets lost${e.source === 'echo' ? ' in the echo call' : ' (STUN pings)'}`,
        findingId: 'poor-call-quality',
        advice: findingAdvice('poor-call-quality', { call: callFacts(e) }),
      };
    case 'mos-drop':
      return {
        severity: typeof d.after === 'number' && d.after < 3.1 ? 'problem' : 'warning',
        title: `Call quality dropped: MOS ${str(d.before)} → ${str(d.after)}`,
        findingId: 'poor-call-quality',
        advice: findingAdvice('poor-call-quality', { call: callFacts(e) }),
      };
    case 'one-way-audio':
      return {
        severity: 'problem',
        title: 'One-way audio: the echo call sent audio and none came back',
        findingId: 'one-way-audio',
        advice: findingAdvice('one-way-audio', { call: callFacts(e, true) }),
      };
    case 'stun-unreachable':
      return {
        severity: 'warning',
        title: `No STUN answer from ${str(e.server ?? null)} any more`,
        findingId: null,
        advice: [
          'Neither the SIP port nor a fresh port got an answer: the internet connection was down, or UDP to the server is being dropped. A silent server alone does not prove UDP is blocked — compare with the registration and echo results of the same intervals.',
        ],
      };
  }
}

function describeVanished(d: EventDraft): Described {
  const e = d.evidence;
  if (e.subject === 'nat-binding') {
    const idle = typeof e.idleSeconds === 'number' ? e.idleSeconds : null;
    // An idle binding that died within two minutes is the short-lifetime finding (RFC 4787 REQ-5).
    const lifetime =
      idle !== null && idle < 120
        ? findingAdvice('short-binding-lifetime', {
            nat: { ...NAT_BASE, lifetimeSeconds: Math.max(1, Math.round(idle)) },
          })
        : [];
    return {
      severity: 'problem',
      title: `The SIP port's NAT binding ${str(d.before)} vanished: inbound packets no longer reach it`,
      findingId: lifetime.length ? 'short-binding-lifetime' : null,
      advice: [
        'Incoming INVITEs sent to the registered address are dropped until the phone sends again (the router flushed its connection table, rebooted, or the idle binding expired).',
        ...lifetime,
        ...(lifetime.length
          ? []
          : [
              'Bindings that vanish after more than two minutes idle point at a router that clears its table (reboot, firewall reload, WAN reconnect): keep-alives every 20–30 s keep a phone reachable through it.',
            ]),
      ],
    };
  }
  return {
    severity: 'warning',
    title: `NatScope's ${str(e.via ?? null)} mapping ${str(d.before)} is gone from the router`,
    findingId: null,
    advice: [
      'Port mappings are lost when the router or its UPnP daemon restarts, when the table is full, or when another program deletes them. Whatever relied on the mapping (FreeSWITCH auto-nat, a phone with UPnP) has no inbound path until it maps again.',
      'FreeSWITCH with auto-nat: "nat_map reinit" re-creates its mappings. For your own tests: natscope map add … again.',
    ],
  };
}

export function buildEvent(d: EventDraft): MonitorEvent {
  const x = describe(d);
  return {
    type: 'event',
    kind: d.kind,
    seq: d.seq,
    at: d.at,
    severity: x.severity,
    title: x.title,
    before: d.before,
    after: d.after,
    evidence: d.evidence,
    advice: x.advice,
    findingId: x.findingId,
  };
}
