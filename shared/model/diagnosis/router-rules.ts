/** Findings about the router: UPnP/NAT-PMP/PCP answers and known quirks, and SIP ALG interference. */
import { isPrivateClass } from '../address-class.ts';
import { findRouterQuirk } from '../../data/router-quirks.ts';
import type { Finding } from './findings.ts';
import { REF, safeClass, type Rule } from './rule-kit.ts';

export const routerRules: Rule = ({ router }) => {
  if (!router) return [];
  const out: Finding[] = [];
  if (!router.upnpFound && !router.natpmpSupported && !router.pcpSupported) {
    out.push({
      id: 'no-upnp',
      area: 'router',
      severity: 'info',
      title: 'The router offers no UPnP IGD, NAT-PMP or PCP',
      evidence: { upnp: false, natpmp: false, pcp: false },
      advice: [
        'Automatic port opening (FreeSWITCH auto-nat, phones’ UPnP) cannot work. Forward your SIP port and RTP range by hand, or enable UPnP/NAT-PMP in the router — knowing it lets any LAN program open ports.',
      ],
      references: [REF.fsAutoNat],
    });
  }
  if (router.mappingFailures.length > 0) {
    out.push({
      id: 'upnp-mapping-failed',
      area: 'router',
      severity: 'warning',
      title: 'The router refused to create a port mapping',
      evidence: Object.fromEntries(router.mappingFailures.map((m) => [m.via, `${m.code} ${m.message}`])),
      advice: [
        'FreeSWITCH auto-nat (nat_map) will fail the same way and calls will lack inbound audio. Check the router’s UPnP/NAT-PMP settings (secure mode only allows mappings to the requesting host).',
        'Refusal of every mapping (UPnP 501, NAT-PMP result 3, PCP NO_RESOURCES) often means the router is itself behind another NAT.',
      ],
      references: [REF.fsAutoNat],
    });
  }
  const quirk = findRouterQuirk(router.manufacturer, router.model);
  if (quirk) {
    out.push({
      id: 'router-quirk',
      area: 'router',
      severity: 'info',
      title: `Known notes for ${quirk.router}`,
      evidence: { manufacturer: router.manufacturer, model: router.model },
      advice: [...quirk.notes, ...(quirk.algHint ? [quirk.algHint] : [])],
      references: [REF.fsAutoNat],
    });
  }
  return out;
};

export const alg: Rule = ({ alg, router }) => {
  if (!alg) return [];
  if (!alg.algDetected) {
    const evidence: Finding['evidence'] = { evidence: alg.evidence };
    for (const r of alg.rewrites) evidence[`${r.transport}/${r.port}`] = r.fields.join(', ') || 'untouched';
    return [
      {
        id: 'no-sip-alg',
        area: 'alg',
        severity: alg.evidence === 'reflector' ? 'ok' : 'info',
        title:
          alg.evidence === 'reflector'
            ? 'No SIP ALG: SIP arrived byte for byte as sent'
            : 'No sign of a SIP ALG (heuristic check only; a reflector test is conclusive)',
        evidence,
        advice: [],
        references: [],
      },
    ];
  }
  const quirk = router ? findRouterQuirk(router.manufacturer, router.model) : null;
  const wrongAddr = alg.rewrites.find(
    (r) => r.rewrittenTo && isPrivateClass(safeClass(r.rewrittenTo) ?? 'public'),
  );
  const evidence: Finding['evidence'] = { evidence: alg.evidence };
  for (const r of alg.rewrites) evidence[`${r.transport}/${r.port}`] = r.fields.join(', ') || 'untouched';
  return [
    {
      id: 'sip-alg',
      area: 'alg',
      severity: alg.evidence === 'reflector' ? 'problem' : 'warning',
      title:
        alg.evidence === 'reflector'
          ? 'A SIP ALG in the router rewrites your SIP messages'
          : 'A SIP ALG probably rewrites your SIP messages (heuristic evidence)',
      evidence,
      advice: [
        quirk?.algHint ??
          'Disable the router’s SIP ALG (often called "SIP ALG", "SIP helper", "SIP passthrough" or "VoIP ALG").',
        ...(wrongAddr
          ? [
              `The ALG wrote ${wrongAddr.rewrittenTo}, which is not a public address: the router is behind another NAT and its ALG advertises an unreachable address. Disabling the ALG is required.`,
            ]
          : []),
        'If it cannot be disabled, move SIP off UDP 5060: use TLS (port 5061, the ALG cannot read it), TCP, or another UDP port on both ends.',
      ],
      references: [REF.fsNat],
    },
  ];
};
