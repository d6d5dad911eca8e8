/**
 * From per-path probe results to the verdict the user reads: did an ALG touch SIP, where, what did
 * it write (and is that address even right — behind a CGN the home router's ALG writes its
 * 100.64/10 WAN address), and what to do about it. Pure.
 */
import type { AlgAdvice, AlgHeuristic, AlgPath, AlgResult } from '../contracts/alg.ts';
import { ADDRESS_CLASS_LABEL, classifyAddress } from './address-class.ts';
import { baseFieldName } from './alg-compare.ts';

export function summarizePath(p: AlgPath): AlgPath {
  const msgs = p.messages;
  const fields = unique(msgs.flatMap((m) => m.outbound.map((c) => baseFieldName(c.field))));
  const inbound = unique(msgs.flatMap((m) => m.inbound.map((c) => baseFieldName(c.field))));
  const written = unique(msgs.flatMap((m) => m.outbound.flatMap((c) => c.writtenAddresses)));
  let status: AlgPath['status'];
  if (msgs.length === 0) status = p.status === 'error' ? 'error' : 'skipped';
  else if (msgs.some((m) => m.status === 'rewritten')) status = 'rewritten';
  else if (msgs.every((m) => m.status === 'dropped')) status = 'dropped';
  else if (msgs.some((m) => m.status === 'dropped')) status = 'partial';
  else if (msgs.some((m) => m.status === 'error')) status = 'error';
  else status = 'untouched';
  const dropped = msgs.filter((m) => m.status === 'dropped').map((m) => m.method);
  let note = p.note;
  if (status === 'rewritten' && dropped.length)
    note = [note, `no answer to ${dropped.join(', ')}`].filter(Boolean).join('; ');
  if (status === 'error' && !note) note = msgs.find((m) => m.error)?.error ?? null;
  return {
    ...p,
    status,
    rewrittenFields: fields,
    inboundRewrittenFields: inbound,
    writtenAddresses: written,
    note,
  };
}

export function pathLabel(p: Pick<AlgPath, 'transport' | 'destinationPort'>): string {
  return `${p.transport} ${p.destinationPort}`;
}

type Verdict = Pick<AlgResult, 'algDetected' | 'evidence' | 'summary' | 'wrongAddress' | 'advice'>;

export function judgeReflectorRun(
  paths: AlgPath[],
  o: { loopbackDemo: boolean; routerModel?: string },
): Verdict {
  const touched = paths.filter((p) => p.status === 'rewritten');
  const algDetected = touched.length > 0;
  const tested = paths.filter((p) => p.status !== 'skipped' && p.status !== 'error');
  const publicAddr = paths.flatMap((p) => p.messages).find((m) => m.observedSource)?.observedSource ?? null;
  const publicIp = publicAddr ? publicAddr.replace(/^\[?([^\]]*?)\]?:\d+$/, '$1') : null;
  const wrongAddress = findWrongAddress(touched, publicIp);
  const advice: AlgAdvice[] = [];
  if (tested.length === 0) {
    return {
      algDetected: false,
      evidence: 'none',
      summary: 'No path could be tested (see the notes per path).',
      wrongAddress: null,
      advice: [
        {
          id: 'alg-untested',
          severity: 'warning',
          title: 'The ALG test did not run',
          detail:
            paths
              .map((p) => p.note)
              .filter(Boolean)
              .join('; ') || 'every path failed or was skipped',
        },
      ],
    };
  }
  if (algDetected) {
    advice.push({
      id: 'alg-disable',
      severity: 'critical',
      title: 'Turn off the SIP ALG on your router',
      detail: `Something between you and the server rewrites SIP (${unique(touched.flatMap((p) => [...p.rewrittenFields, ...p.inboundRewrittenFields])).join(', ')}). SIP ALGs cause unstable registrations, one-way audio and missed incoming calls; a modern phone or PBX handles NAT itself (rport, STUN, keep-alives). ${routerHint(o.routerModel)}`,
    });
    const clean = tested.filter((p) => p.status === 'untouched');
    const cleanTcp = clean.some((p) => p.transport === 'TCP') && !touched.some((p) => p.transport === 'TCP');
    const cleanPorts = unique(
      clean
        .filter((p) => !touched.some((t) => t.destinationPort === p.destinationPort))
        .map((p) => String(p.destinationPort)),
    );
    const ways = [
      cleanTcp ? 'SIP over TCP or TLS (untouched here)' : 'SIP over TLS (an ALG cannot read it)',
      ...cleanPorts.map((port) => `a SIP port other than 5060 (port ${port} was untouched)`),
    ];
    advice.push({
      id: 'alg-avoid',
      severity: 'warning',
      title: 'If you cannot turn it off, route around it',
      detail: `Ask your provider for ${ways.join(' or ')}.`,
    });
  }
  if (wrongAddress) {
    advice.push({
      id: 'alg-wrong-address',
      severity: 'critical',
      title: 'The ALG writes an address the internet cannot reach',
      detail: wrongAddress.explanation,
    });
  }
  if (paths.some((p) => p.messages.some((m) => m.contentLengthConsistent === false))) {
    advice.push({
      id: 'alg-broken-length',
      severity: 'critical',
      title: 'The rewrite breaks messages',
      detail:
        'After the rewrite Content-Length no longer matches the body: strict servers reject such messages or cut the SDP.',
    });
  }
  const dropped = tested.filter((p) => p.status === 'dropped');
  if (dropped.length) {
    advice.push({
      id: 'alg-dropped',
      severity: 'warning',
      title: `No answer on ${unique(dropped.map(pathLabel)).join(', ')}`,
      detail:
        'Messages on these paths never came back while others did: an ALG or firewall drops them (some ALGs drop messages they cannot parse).',
    });
  }
  if (!algDetected && !dropped.length) {
    advice.push({
      id: 'alg-none',
      severity: 'info',
      title: o.loopbackDemo ? 'Loopback demo: nothing in the path' : 'No SIP ALG in the path',
      detail: o.loopbackDemo
        ? 'The demo runs against the companion server on this machine, so no router is involved: this is what a clean result looks like.'
        : 'Every message arrived byte-identical in both directions. Nothing to change here.',
    });
  }
  return {
    algDetected,
    evidence: 'conclusive',
    summary: summaryLine(paths, wrongAddress),
    wrongAddress,
    advice,
  };
}

function findWrongAddress(touched: AlgPath[], publicIp: string | null): AlgResult['wrongAddress'] {
  if (!publicIp) return null;
  for (const p of touched) {
    for (const a of p.writtenAddresses) {
      if (a === publicIp) continue;
      const cls = classifyAddress(a);
      if (cls === 'public' || cls === 'documentation') continue; // some other public address — not provably wrong
      return {
        written: a,
        publicAddress: publicIp,
        writtenClass: cls,
        explanation: `The ALG wrote ${a} (${ADDRESS_CLASS_LABEL[cls]}) into ${p.rewrittenFields.join(', ')}, but the server sees you as ${publicIp}. ${cls === 'cgnat' ? 'Your router sits behind a carrier-grade NAT: its "WAN address" is not public, so' : 'That address is not reachable from the internet, so'} the far end sends audio and requests to an address that goes nowhere — one-way or no audio and no incoming calls.`,
      };
    }
  }
  return null;
}

function summaryLine(paths: AlgPath[], wrong: AlgResult['wrongAddress']): string {
  const groups = new Map<string, AlgPath[]>();
  for (const p of paths) groups.set(pathLabel(p), [...(groups.get(pathLabel(p)) ?? []), p]);
  const parts: string[] = [];
  const clean: string[] = [];
  for (const [label, ps] of groups) {
    const rw = ps.filter((p) => p.status === 'rewritten');
    if (rw.length) {
      const fields = unique(rw.flatMap((p) => p.rewrittenFields));
      const inbound = unique(rw.flatMap((p) => p.inboundRewrittenFields));
      const addrs = unique(rw.flatMap((p) => p.writtenAddresses));
      let s = `${label}: `;
      if (fields.length) s += `${joinAnd(fields)} rewritten${addrs.length ? ` to ${joinAnd(addrs)}` : ''}`;
      if (inbound.length) s += `${fields.length ? '; ' : ''}responses rewritten (${joinAnd(inbound)})`;
      const srcKinds = unique(rw.map((p) => p.sourcePortKind));
      if (srcKinds.length === 1 && ps.length > 1)
        s += ` (only from ${srcKinds[0] === 'sip' ? 'local port 5060' : 'a random local port'})`;
      parts.push(s);
    } else if (ps.every((p) => p.status === 'dropped')) parts.push(`${label}: dropped`);
    else if (ps.some((p) => p.status === 'dropped' || p.status === 'partial'))
      parts.push(`${label}: some messages dropped`);
    else if (
      ps.every((p) => p.status === 'untouched' || p.status === 'skipped') &&
      ps.some((p) => p.status === 'untouched')
    )
      clean.push(label);
  }
  if (clean.length && parts.length === 0) {
    const transports = unique(clean.map((l) => l.split(' ')[0]!));
    const ports = unique(clean.map((l) => l.split(' ')[1]!));
    parts.push(
      `no SIP ALG: ${joinAnd(transports)} on port${ports.length > 1 ? 's' : ''} ${joinAnd(ports)} untouched`,
    );
  } else if (clean.length) parts.push(`${compressClean(clean, [...groups.keys()])} untouched`);
  if (wrong) parts.push(`the ALG writes ${wrong.written} but you are ${wrong.publicAddress} on the internet`);
  return parts.length ? capitalize(parts.join('; ')) : 'No path could be tested';
}

/** "TCP 5060, TCP 5062, UDP 5062" → "TCP and port 5062". */
function compressClean(clean: string[], all: string[]): string {
  const out: string[] = [];
  let rest = [...clean];
  for (const t of ['UDP', 'TCP']) {
    const allT = all.filter((l) => l.startsWith(`${t} `));
    if (allT.length && allT.every((l) => rest.includes(l))) {
      out.push(t);
      rest = rest.filter((l) => !l.startsWith(`${t} `));
    }
  }
  const ports = unique(rest.map((l) => l.split(' ')[1]!));
  for (const port of ports) {
    const ofPort = rest.filter((l) => l.endsWith(` ${port}`));
    out.push(out.length ? `port ${port}` : ofPort.join(', '));
  }
  return joinAnd(out);
}

export function joinAnd(xs: string[]): string {
  if (xs.length <= 1) return xs.join('');
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

function capitalize(s: string): string {
  return s.length ? s[0]!.toUpperCase() + s.slice(1) : s;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Router-specific "how to turn the ALG off" hints, matched on the make/model the user gives. */
const ROUTER_HINTS: { match: RegExp; hint: string }[] = [
  { match: /mikrotik|routeros/i, hint: 'MikroTik: /ip firewall service-port disable sip' },
  {
    match: /cisco.*asa|asa\b/i,
    hint: 'Cisco ASA: policy-map global_policy → class inspection_default → no inspect sip',
  },
  { match: /cisco|ios/i, hint: 'Cisco IOS: no ip nat service sip udp port 5060 (and tcp port 5060)' },
  { match: /juniper|srx/i, hint: 'Juniper SRX: set security alg sip disable' },
  {
    match: /forti/i,
    hint: 'FortiGate: config system settings → set sip-helper disable, set sip-nat-trace disable, set default-voip-alg-mode kernel-helper-based; then delete the "sip" session-helper',
  },
  { match: /draytek|vigor/i, hint: 'DrayTek: telnet to the router and run: sys sip_alg 0' },
  {
    match: /pfsense|opnsense/i,
    hint: 'pfSense/OPNsense: no SIP ALG by default; remove the siproxd package if installed',
  },
  {
    match: /openwrt|linux|ubiquiti|edgerouter|vyos/i,
    hint: 'Linux-based routers: unload the kernel helper (rmmod nf_nat_sip nf_conntrack_sip) or remove the "ct helper" rule; EdgeOS: set system conntrack modules sip disable',
  },
  {
    match: /d-?link/i,
    hint: 'D-Link: Advanced → Advanced Network (or Firewall Settings) → Application Level Gateway → untick SIP',
  },
  { match: /netgear/i, hint: 'NETGEAR: Advanced → Setup → WAN Setup → tick "Disable SIP ALG"' },
  {
    match: /tp-?link/i,
    hint: 'TP-Link: Advanced → Security → ALG (or NAT Forwarding → ALG) → untick SIP ALG',
  },
  { match: /linksys/i, hint: 'Linksys: Administration (or Security) → untick SIP ALG / "SIP passthrough"' },
  { match: /asus/i, hint: 'ASUS: WAN → NAT Passthrough → SIP Passthrough: Disable' },
  { match: /zyxel/i, hint: 'Zyxel: Security → ALG (or Network → ALG) → untick "Enable SIP ALG"' },
  { match: /sonicwall/i, hint: 'SonicWall: VoIP → Settings → untick "Enable SIP Transformations"' },
  { match: /huawei/i, hint: 'Huawei: Security (or Forward Rules) → ALG → untick SIP' },
];

export function routerHint(model: string | undefined): string {
  const hit = model ? ROUTER_HINTS.find((h) => h.match.test(model)) : undefined;
  if (hit) return hit.hint;
  return 'It is usually under Advanced / NAT / Firewall / "Application Level Gateway" or "SIP Passthrough" in the router\'s web page; if there is no switch, ask your ISP or put the router in bridge mode.';
}

/** Verdict for the heuristic (no reflector) mode: weak evidence at best. */
export function judgeHeuristics(h: AlgHeuristic[], routerModel?: string): Verdict {
  const suggests = h.filter((x) => x.suggestsAlg);
  return {
    algDetected: suggests.length > 0,
    evidence: h.length ? 'weak' : 'none',
    summary: suggests.length
      ? `Signs of an ALG (weak evidence, no reflector): ${suggests.map((x) => x.title).join('; ')}`
      : h.length
        ? 'No sign of an ALG in the heuristics (weak evidence: only a reflector can prove it either way)'
        : 'Nothing could be tested',
    wrongAddress: null,
    advice: suggests.length
      ? [
          {
            id: 'alg-suspected',
            severity: 'warning',
            title: 'A SIP ALG is likely',
            detail: `Run \`natscope alg --reflector HOST\` against a \`natscope server\` to be sure. Meanwhile: ${routerHint(routerModel)}`,
          },
        ]
      : [
          {
            id: 'alg-heuristic-clean',
            severity: 'info',
            title: 'No sign of an ALG',
            detail:
              'Heuristics against ordinary servers cannot see every ALG; a reflector test is conclusive.',
          },
        ],
  };
}
