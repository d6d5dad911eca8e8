import type { MonitorEvent, MonitorSample } from '../../../shared/contracts/monitor.ts';
import { cellSafe } from '../terminal-safe.ts';

/**
 * Human output of `natscope monitor`: one line per interval, events with their first advice. Strings
 * from the network (SIP reason phrases, errors) are shown with line breaks escaped, so one interval
 * stays one line.
 */
const time = (iso: string) => new Date(iso).toLocaleTimeString('en-GB', { hour12: false });
const num = (x: number | null | undefined, d = 1) => (x === null || x === undefined ? '—' : x.toFixed(d));

const MAPPING_SHORT = {
  'endpoint-independent': 'EIM',
  'address-dependent': 'ADM',
  'address-and-port-dependent': 'APDM',
} as const;

export function intervalLine(s: MonitorSample): string {
  const parts = [`${time(s.at)} #${s.seq}`, `IP ${s.publicIp ?? '—'}`];
  const st = s.stun;
  if (st) {
    const inbound = st.sipBindingOpen === null ? '' : st.sipBindingOpen ? ' inbound ok' : ' inbound LOST';
    parts.push(`SIP ${st.sipPort.mapped ?? 'no answer'}${inbound}`);
    const nat = [
      st.mapping ? MAPPING_SHORT[st.mapping] : null,
      st.portPreserved === null ? null : st.portPreserved ? 'port kept' : 'port changed',
    ]
      .filter(Boolean)
      .join(' ');
    if (nat) parts.push(`NAT ${nat}`);
    if (st.pings.sent) parts.push(`loss ${num(st.lossPercent)} % rtt ${num(st.rttMs)} ms`);
  }
  const r = s.router;
  if (r)
    parts.push(
      r.error && !r.upnp && !r.natpmp
        ? 'router —'
        : `router ${r.externalIp ?? '?'}${r.ownMappings.length ? ` maps ${r.ownMappings.filter((m) => m.present !== false).length}/${r.ownMappings.length}` : ''}`,
    );
  if (s.registration)
    parts.push(`reg ${s.registration.ok ? 'ok' : `FAILED (${cellSafe(s.registration.reason)})`}`);
  if (s.echo)
    parts.push(
      s.echo.answered
        ? `echo ${s.echo.oneWayAudio ? 'ONE-WAY' : `MOS ${num(s.echo.mos, 2)} loss ${num(s.echo.lossPercent)} %`}`
        : `echo FAILED (${cellSafe(s.echo.error ?? s.echo.endReason)})`,
    );
  return parts.join('  ');
}

export function eventLines(e: MonitorEvent): string[] {
  const mark = e.severity === 'problem' ? '!!' : e.severity === 'warning' ? ' !' : ' i';
  return [`${mark} ${time(e.at)} ${cellSafe(e.title)}`, ...e.advice.slice(0, 2).map((a) => `     → ${a}`)];
}

/** "90", "90s", "30m", "24h", "7d" → seconds. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/i.exec(text.trim());
  if (!m) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
