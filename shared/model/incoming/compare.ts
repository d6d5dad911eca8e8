/**
 * Do the inbound-call result and the STUN binding lifetimes agree? Each measurement is a bracket
 * (survived `alive` s of silence, gone after `dead` s); two measurements disagree only when their
 * brackets cannot overlap — one survived longer than the other was already gone. A router that
 * treats SIP specially (an ALG keeping SIP flows open for an hour, or a shorter timeout on port
 * 5060) shows up here. Pure.
 */

export interface Bracket {
  aliveAfterSeconds: number | null;
  deadAfterSeconds: number | null;
}

export type Agreement = 'agree' | 'disagree' | 'unknown';

export interface LifetimeComparisonInput {
  /** Inbound SIP: longest working / first failing idle time. */
  sip: Bracket;
  /** STUN binding from a random local port. */
  randomPort: Bracket | null;
  /** STUN binding from local port 5060. */
  sipPort: Bracket | null;
}

export interface LifetimeComparison {
  agreement: Agreement;
  summary: string[];
}

/** 'first' / 'second' when that one survived longer than the other was gone; null when they overlap. */
export function longerOf(a: Bracket, b: Bracket): 'first' | 'second' | null {
  if (
    a.aliveAfterSeconds !== null &&
    b.deadAfterSeconds !== null &&
    a.aliveAfterSeconds >= b.deadAfterSeconds
  )
    return 'first';
  if (
    b.aliveAfterSeconds !== null &&
    a.deadAfterSeconds !== null &&
    b.aliveAfterSeconds >= a.deadAfterSeconds
  )
    return 'second';
  return null;
}

const informative = (b: Bracket | null): b is Bracket =>
  b !== null && (b.aliveAfterSeconds !== null || b.deadAfterSeconds !== null);

export function describeBracket(b: Bracket): string {
  const { aliveAfterSeconds: a, deadAfterSeconds: d } = b;
  if (a !== null && d !== null) return `survived ${a} s, gone after ${d} s`;
  if (a !== null) return `survived ${a} s (the longest tried)`;
  if (d !== null) return `gone after ${d} s (the shortest tried)`;
  return 'not measured';
}

export function compareLifetimes(i: LifetimeComparisonInput): LifetimeComparison {
  const summary: string[] = [];
  const pairs: { a: Bracket; b: Bracket; aName: string; bName: string; longer: string; shorter: string }[] =
    [];
  if (informative(i.sip) && informative(i.randomPort))
    pairs.push({
      a: i.sip,
      b: i.randomPort,
      aName: 'inbound SIP',
      bName: 'a STUN binding on a random port',
      longer:
        'the router keeps SIP flows open longer than other UDP (a SIP ALG or a SIP-specific timeout): calls may work with this server and port but not with others',
      shorter:
        'the router (or a SIP ALG) closes SIP flows sooner than other UDP: keep-alives must follow the SIP figure, or use another SIP port or TCP/TLS',
    });
  if (informative(i.sipPort) && informative(i.randomPort))
    pairs.push({
      a: i.sipPort,
      b: i.randomPort,
      aName: 'a STUN binding from local port 5060',
      bName: 'one from a random port',
      longer: 'the router treats local port 5060 specially (ALG or port-based rule) and keeps it open longer',
      shorter: 'the router gives local port 5060 a shorter timeout than other ports',
    });
  if (informative(i.sip) && informative(i.sipPort) && !informative(i.randomPort))
    pairs.push({
      a: i.sip,
      b: i.sipPort,
      aName: 'inbound SIP',
      bName: 'a STUN binding from local port 5060',
      longer: 'SIP flows outlive plain UDP from the same port (a SIP ALG?)',
      shorter: 'SIP flows end sooner than plain UDP from the same port (a SIP ALG?)',
    });
  if (pairs.length === 0)
    return { agreement: 'unknown', summary: ['not enough lifetime measurements to compare'] };
  let disagree = false;
  for (const p of pairs) {
    const l = longerOf(p.a, p.b);
    if (l === null) {
      summary.push(`${p.aName} (${describeBracket(p.a)}) agrees with ${p.bName} (${describeBracket(p.b)})`);
      continue;
    }
    disagree = true;
    const [long, short] = l === 'first' ? [p.a, p.b] : [p.b, p.a];
    summary.push(
      `${p.aName} ${describeBracket(p.a)}, ${p.bName} ${describeBracket(p.b)}: ${
        l === 'first' ? p.longer : p.shorter
      } (one survived ${long.aliveAfterSeconds} s, the other was gone after ${short.deadAfterSeconds} s)`,
    );
  }
  return { agreement: disagree ? 'disagree' : 'agree', summary };
}
