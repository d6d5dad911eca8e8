/**
 * The diagnosis: every rule file's rules run over the facts, findings sorted by severity. A new
 * area's rules are a new file and a line in RULES.
 */
import { callRules, registration } from './call-rules.ts';
import type { DiagnosisFacts } from './facts.ts';
import type { Finding } from './findings.ts';
import { incomingFindings } from './incoming-rules.ts';
import { sortFindings } from './findings.ts';
import { isLoopbackNat, loopbackFinding } from './loopback.ts';
import { hairpin, lifetime, natShape, stunNoAnswer, symmetric, udpBlocked } from './nat-rules.ts';
import { relayRules } from './relay-rules.ts';
import { alg, routerRules } from './router-rules.ts';
import type { Rule } from './rule-kit.ts';
import { webrtcRules } from './webrtc-rules.ts';

const RULES: Rule[] = [
  udpBlocked,
  stunNoAnswer,
  natShape,
  symmetric,
  hairpin,
  lifetime,
  routerRules,
  alg,
  registration,
  callRules,
  relayRules,
  webrtcRules,
  incomingFindings,
];

export function diagnose(facts: DiagnosisFacts): Finding[] {
  // NAT results measured over loopback say nothing about a NAT: judge the rest without them.
  if (isLoopbackNat(facts)) {
    const { nat: _nat, path: _path, ...rest } = facts;
    return sortFindings([loopbackFinding(facts), ...RULES.flatMap((rule) => rule(rest))]);
  }
  return sortFindings(RULES.flatMap((rule) => rule(facts)));
}
