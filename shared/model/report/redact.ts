import { classifyAddress } from '../address-class.ts';

/**
 * Redaction for everything NatScope exports. Secrets are ALWAYS removed: Authorization and
 * Proxy-Authorization values, password-like fields, and every exact secret value the caller knows
 * (the SIP password typed by the user), wherever it appears. Public IPs, usernames and hostnames are
 * masked on request for public posting, consistently (the same address gets the same alias).
 */
export const REDACTED = '[redacted]';

export interface RedactionOptions {
  /** Exact strings that must never appear (passwords). Always applied. */
  secrets: string[];
  maskPublicIps?: boolean;
  usernames?: string[];
  hostnames?: string[];
}

const AUTH_HEADER = /^((?:Proxy-)?Authorization|WWW-Authenticate|Proxy-Authenticate)(\s*:\s*)(.*)$/gim;
const SECRET_KEY = /pass(word)?|secret|token|authorization/i;
const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const IPV6 = /\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{0,4}\b/gi;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  private readonly aliases = new Map<string, string>();
  private readonly opts: RedactionOptions;
  private readonly secretRe: RegExp | null;

  constructor(opts: RedactionOptions) {
    this.opts = opts;
    const secrets = opts.secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
    this.secretRe = secrets.length ? new RegExp(secrets.map(escapeRe).join('|'), 'g') : null;
  }

  text(input: string): string {
    let s = input.replace(AUTH_HEADER, (_m, name: string, sep: string, value: string) =>
      /authenticate/i.test(name)
        ? `${name}${sep}${value.replace(/(nonce|opaque)="[^"]*"/gi, '$1="…"')}`
        : `${name}${sep}${REDACTED}`,
    );
    if (this.secretRe) s = s.replace(this.secretRe, REDACTED);
    if (this.opts.maskPublicIps) {
      s = s.replace(IPV4, (ip) => this.maskIp(ip));
      s = s.replace(IPV6, (ip) => (ip.includes('::') || ip.split(':').length >= 3 ? this.maskIp(ip) : ip));
    }
    for (const u of this.opts.usernames ?? [])
      if (u) s = s.replace(new RegExp(escapeRe(u), 'g'), this.alias('user', u));
    for (const h of this.opts.hostnames ?? [])
      if (h) s = s.replace(new RegExp(escapeRe(h), 'gi'), this.alias('host', h.toLowerCase()));
    return s;
  }

  /** Deep copy of a JSON value with every string redacted and password-like keys blanked. */
  value<T>(input: T): T {
    return this.walk(input, null) as T;
  }

  private walk(v: unknown, key: string | null): unknown {
    if (typeof v === 'string') return key && SECRET_KEY.test(key) ? REDACTED : this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x, null));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[this.text(k)] = this.walk(x, k);
      return out;
    }
    return v;
  }

  private maskIp(ip: string): string {
    let cls;
    try {
      cls = classifyAddress(ip);
    } catch {
      return ip;
    }
    if (cls !== 'public' && cls !== 'documentation') return ip;
    return this.alias('public-ip', ip);
  }

  private alias(kind: string, value: string): string {
    const key = `${kind}:${value}`;
    let a = this.aliases.get(key);
    if (!a) {
      const n = [...this.aliases.keys()].filter((k) => k.startsWith(`${kind}:`)).length + 1;
      a = `[${kind}-${n}]`;
      this.aliases.set(key, a);
    }
    return a;
  }
}
