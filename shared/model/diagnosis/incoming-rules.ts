/**
 * Findings of the inbound-call test: do calls reach a registered phone after it was silent, how
 * long may it stay silent, do keep-alives fix it, and does the router treat SIP differently from
 * other UDP (the STUN comparison). Pure; read by `natscope incoming` and `natscope diagnose`.
 */
import { keepAliveSummary, RECOMMENDED_REREGISTER_SECONDS } from '../keepalive-advice.ts';
import type { DiagnosisFacts } from './facts.ts';
import type { Finding, Reference } from './findings.ts';

type Incoming = NonNullable<DiagnosisFacts['incoming']>;

const REFS: Reference[] = [
  {
    title: 'RFC 5626 §4.4 — keep-alives on registered flows (CRLF, STUN)',
    url: 'https://www.rfc-editor.org/rfc/rfc5626#section-4.4',
  },
  {
    title: 'RFC 4787 — NAT behavioural requirements for UDP (REQ-5: ≥ 2 min)',
    url: 'https://www.rfc-editor.org/rfc/rfc4787',
  },
];

/** Phones and PBXs commonly ping every 30 s by default (FreeSWITCH ping-mean-interval, many phones). */
const COMMON_DEFAULT_KEEPALIVE_S = 30;

function evidenceOf(i: Incoming): Finding['evidence'] {
  return {
    server: i.server,
    mode: i.mode,
    transport: i.transport,
    idleTimes: i.tests
      .map(
        (t) => `${t.idleSeconds} s: ${t.received === null ? t.outcome : t.received ? 'arrived' : 'missed'}`,
      )
      .join(', '),
    longestWorkingIdleSeconds: i.longestWorkingIdleSeconds,
    firstFailingIdleSeconds: i.firstFailingIdleSeconds,
    recommendedKeepAliveSeconds: i.recommendedKeepAliveSeconds,
    keepAliveCheck: i.keepAlive
      ? `keep-alive every ${i.keepAlive.intervalSeconds} s, idle ${i.keepAlive.idleSeconds} s: ${i.keepAlive.received === null ? 'inconclusive' : i.keepAlive.received ? 'arrived' : 'missed'}`
      : null,
    keepAliveFixes: i.keepAliveFixes,
  };
}

function keepAliveVerdict(i: Incoming): string[] {
  const k = i.keepAlive;
  if (!k || i.keepAliveFixes === null) return [];
  return i.keepAliveFixes
    ? [
        `Proven here: with a keep-alive every ${k.intervalSeconds} s, a call arrived after ${k.idleSeconds} s of silence.`,
      ]
    : [
        `Keep-alives every ${k.intervalSeconds} s did not make the call arrive after ${k.idleSeconds} s: the binding is not kept by outgoing packets alone. Register over TCP/TLS, or let the server ping you (OPTIONS from the server side).`,
      ];
}

const PBX_NAT_HANDLING =
  'Turn on the PBX’s NAT handling so it calls the address your registration came from, not the private one in your Contact: Asterisk res_pjsip rewrite_contact = yes, force_rport = yes; FreeSWITCH NDLB-received-in-nat-reg-contact = true or aggressive-nat-detection = true; Kamailio fix_nated_register().';

function pbxNeverArrived(i: Incoming, idle: number): Finding {
  return {
    id: 'no-incoming-calls',
    area: 'incoming',
    severity: 'problem',
    title:
      idle > 0
        ? `The call to your extension did not reach this registration after ${idle} s of silence (${i.server})`
        : `The call to your extension never reached this registration (${i.server})`,
    evidence: evidenceOf(i),
    advice:
      idle > 0
        ? [
            `Run the test again with --idle 0. If the call then arrives, your NAT forgets the registration's binding within ${idle} s: send keep-alives more often than that (the phone's "NAT keep-alive", or the PBX's qualify / nat-options-ping).`,
            `If it does not arrive even then, the PBX sends calls elsewhere. ${PBX_NAT_HANDLING}`,
            'If you did not call within the wait, this result says nothing.',
          ]
        : [
            PBX_NAT_HANDLING,
            'Check that the extension you called is the one registered here and that the PBX does not route it elsewhere (call forwarding, another registered device). If you did not call within the wait, this result says nothing.',
          ],
    references: REFS,
  };
}

function neverArrived(i: Incoming, first: number): Finding {
  if (i.mode === 'pbx') return pbxNeverArrived(i, first);
  return {
    id: 'no-incoming-calls',
    area: 'incoming',
    severity: 'problem',
    title: `No incoming call reached you, not even after ${first} s of silence`,
    evidence: evidenceOf(i),
    advice: [
      'This is not a timeout: even right after registering, the SIP server’s call back did not get through. A firewall or security software on this computer, or the router’s inbound filtering, drops it.',
      `Try ${i.transport === 'udp' ? '--transport tcp (a connection the server can call back over)' : 'UDP'}, and switch off the router’s SIP ALG if it has one.`,
    ],
    references: REFS,
  };
}

function stopsArriving(i: Incoming, works: number, fails: number): Finding {
  const rec = i.recommendedKeepAliveSeconds ?? works;
  return {
    id: 'no-incoming-calls',
    area: 'incoming',
    severity: works < COMMON_DEFAULT_KEEPALIVE_S ? 'problem' : 'warning',
    title: `Incoming calls stop reaching you after ${works}–${fails} s of silence`,
    evidence: evidenceOf(i),
    advice: [
      `The NAT forgets your registration's binding after between ${works} and ${fails} s without traffic; a call sent later is dropped. Send a keep-alive at least every ${rec} s.`,
      ...keepAliveVerdict(i),
      ...keepAliveSummary({ keepAliveSeconds: rec, transport: i.transport }),
      ...(works < COMMON_DEFAULT_KEEPALIVE_S
        ? [
            `Shorter than the common ${COMMON_DEFAULT_KEEPALIVE_S} s default of phones and PBXs: the defaults are not enough here.`,
          ]
        : []),
    ],
    references: REFS,
  };
}

function allArrived(i: Incoming, longest: number): Finding {
  const rec = i.recommendedKeepAliveSeconds ?? longest;
  return {
    id: 'incoming-calls-ok',
    area: 'incoming',
    severity: 'ok',
    title:
      i.mode === 'pbx'
        ? `The call to your extension reached this registration${longest > 0 ? ` after ${longest} s of silence` : ''}`
        : `Incoming calls arrived after every silence tried (up to ${longest} s)`,
    evidence: evidenceOf(i),
    advice: [
      `Longer silences were not tried: a keep-alive every ${rec} s keeps calls arriving; leave the re-registration interval at about ${RECOMMENDED_REREGISTER_SECONDS / 60} minutes.`,
    ],
    references: REFS,
  };
}

export function incomingFindings({ incoming: i }: DiagnosisFacts): Finding[] {
  if (!i) return [];
  const out: Finding[] = [];
  const conclusive = i.tests.filter((t) => t.received !== null);
  if (conclusive.length === 0) {
    const why = i.tests.map((t) => t.detail).find((d) => d) ?? 'no registration succeeded';
    out.push({
      id: 'registration-failed',
      area: 'incoming',
      severity: 'problem',
      title: `The inbound-call test could not register with ${i.server}`,
      evidence: { server: i.server, transport: i.transport, reason: why },
      advice: ['Check the server address, port and transport (and the account, against your own PBX).'],
      references: [],
    });
  } else if (i.firstFailingIdleSeconds === null) {
    out.push(allArrived(i, Math.max(...conclusive.map((t) => t.idleSeconds))));
  } else if (i.longestWorkingIdleSeconds === null) {
    out.push(neverArrived(i, i.firstFailingIdleSeconds));
  } else {
    out.push(stopsArriving(i, i.longestWorkingIdleSeconds, i.firstFailingIdleSeconds));
  }
  const irregular = i.tests.filter(
    (t) =>
      t.received === true && i.firstFailingIdleSeconds !== null && t.idleSeconds > i.firstFailingIdleSeconds,
  );
  if (irregular.length && out[0]) {
    out[0].evidence.irregular = irregular.map((t) => `${t.idleSeconds} s arrived`).join(', ');
    out[0].advice.push(
      `Irregular: ${irregular.map((t) => `${t.idleSeconds} s`).join(', ')} arrived although ${i.firstFailingIdleSeconds} s did not (packet loss, or a NAT that reuses bindings): run the test again.`,
    );
  }
  if (i.stunAgreement === 'disagree')
    out.push({
      id: 'sip-lifetime-differs',
      area: 'incoming',
      severity: 'warning',
      title: 'The router treats SIP differently from other UDP',
      evidence: { server: i.server, comparison: i.stunSummary.join(' | ') },
      advice: [
        ...i.stunSummary,
        'A router that handles SIP itself (a SIP ALG) often causes this: switch the ALG off and re-test, or use another SIP port or TLS.',
      ],
      references: REFS,
    });
  return out;
}
