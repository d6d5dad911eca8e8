/**
 * Structured logs for the companion server: one JSON object per line (journald / jq friendly).
 * No secrets ever: SIP text passes through the SIP redactor (Authorization, Proxy-Authorization),
 * values are clipped, and the server stores no credentials in the first place.
 */
import { redactSipMessage } from '../sip/redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface CompanionLogger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
  /** Whether `level` is written at all: hot paths skip building the fields of a dropped entry. */
  enabled?(level: LogLevel): boolean;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const MAX_FIELD = 512;
const SECRET_KEY = /^(authorization|proxy-authorization|password|secret|token)$/i;

/** JSON lines to `write` (stdout in `natscope server`), filtered by level. */
export function jsonLogger(
  write: (line: string) => void,
  minLevel: LogLevel = 'info',
  now: () => Date = () => new Date(),
): CompanionLogger {
  return {
    enabled: (level) => LEVELS[level] >= LEVELS[minLevel],
    log(level, event, fields = {}) {
      if (LEVELS[level] < LEVELS[minLevel]) return;
      const safe: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(fields)) safe[k] = SECRET_KEY.test(k) ? '[redacted]' : sanitize(v);
      write(JSON.stringify({ ts: now().toISOString(), level, event, ...safe }));
    },
  };
}

export const silentLogger: CompanionLogger = { log() {}, enabled: () => false };

/** Collects entries in memory (tests, the demo's summary). */
export function memoryLogger(
  max = 1000,
): CompanionLogger & { entries: { level: LogLevel; event: string; fields: Record<string, unknown> }[] } {
  const entries: { level: LogLevel; event: string; fields: Record<string, unknown> }[] = [];
  return {
    entries,
    log(level, event, fields = {}) {
      if (entries.length >= max) entries.shift();
      entries.push({ level, event, fields });
    },
  };
}

function sanitize(v: unknown): unknown {
  if (typeof v === 'string') {
    const s = redactSipMessage(v);
    return s.length > MAX_FIELD ? `${s.slice(0, MAX_FIELD)}…` : s;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return v;
  if (Array.isArray(v)) return v.slice(0, 20).map(sanitize);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>).slice(0, 30)) {
      out[k] = SECRET_KEY.test(k) ? '[redacted]' : sanitize(x);
    }
    return out;
  }
  return String(v);
}
