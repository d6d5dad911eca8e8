import type { Area, Severity } from '../diagnosis/findings.ts';
import { monitorMarkdown } from './monitor-section.ts';
import { LOOPBACK_DEMO_NOTE, reportLights, type Report } from './report.ts';
import {
  algTable,
  incomingTable,
  candidatesTable,
  interfacesTable,
  keepAliveAdviceTable,
  mappingsTable,
  partialTableNote,
  samplesTable,
  stunLogTable,
  type TableSpec,
} from './tables.ts';

/** Markdown that pastes well into GitHub issues and forums: headings, tables, collapsible raw traces. */
const ICON: Record<Severity, string> = { ok: '🟢', info: '🔵', warning: '🟠', problem: '🔴' };
export const AREA_TITLE: Record<Area, string> = {
  network: 'Network',
  nat: 'NAT behaviour',
  router: 'Router',
  alg: 'SIP ALG',
  call: 'Echo test call',
  relay: 'Media relay (TURN)',
  webrtc: 'Browser softphone (WebRTC)',
  incoming: 'Incoming calls',
};

const cell = (v: unknown) =>
  String(v ?? '—')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
const table = (headers: string[], rows: unknown[][]) =>
  [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
const spec = (t: TableSpec) => table(t.headers, t.rows);
const kv = (o: Record<string, unknown>) => table(['', ''], Object.entries(o));
const fence = (s: string) => `\`\`\`\n${s.replace(/```/g, '`\u200b``')}\n\`\`\``;
const details = (summary: string, body: string) =>
  `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  out.push(`# NatScope report`, '');
  if (r.loopbackDemo) out.push(`> **${LOOPBACK_DEMO_NOTE}**`, '');
  out.push(
    `Generated ${r.generatedAt} by NatScope ${r.app.version} on ${r.app.platform} (Node ${r.app.node}${r.app.electron ? `, Electron ${r.app.electron}` : ''}).`,
  );
  const masked = [
    r.redaction.publicIps && 'public IPs',
    r.redaction.usernames && 'usernames',
    r.redaction.hostnames && 'hostnames',
  ].filter(Boolean);
  out.push(`Secrets are redacted${masked.length ? `; masked: ${masked.join(', ')}` : ''}.`, '');

  out.push('## Summary', '');
  const lights = reportLights(r);
  out.push(
    table(
      ['Area', 'Status'],
      (Object.keys(AREA_TITLE) as Area[])
        .filter((a) => lights[a])
        .map((a) => [AREA_TITLE[a], `${ICON[lights[a]!]} ${lights[a]}`]),
    ),
  );
  const skipped = r.steps.filter((s) => s.status !== 'done');
  if (skipped.length)
    out.push('', ...skipped.map((s) => `- Step **${s.id}** ${s.status}${s.reason ? `: ${s.reason}` : ''}`));

  const todo = r.findings.filter((f) => f.severity === 'problem' || f.severity === 'warning');
  if (todo.length) {
    out.push('', '## What to do next', '');
    todo.forEach((f, i) => out.push(`${i + 1}. **${f.title}** — ${f.advice[0] ?? ''}`));
  }

  out.push('', '## Findings', '');
  for (const f of r.findings) {
    out.push(
      `### ${ICON[f.severity]} ${f.title}`,
      '',
      `\`${f.id}\` · ${AREA_TITLE[f.area]} · ${f.severity}`,
      '',
    );
    if (Object.keys(f.evidence).length) out.push(kv(f.evidence), '');
    for (const a of f.advice) out.push(`- ${a}`);
    if (f.references.length)
      out.push('', `References: ${f.references.map((x) => `[${x.title}](${x.url})`).join(', ')}`);
    out.push('');
  }

  if (r.network) {
    out.push('## Network', '', spec(interfacesTable(r.network)), '');
    out.push(
      `Gateways: ${r.network.gateways.join(', ') || 'none'} · primary address: ${r.network.primary ?? 'none'}`,
      '',
    );
    if (r.network.hops)
      out.push(
        `Path towards ${r.network.hopsTarget ?? 'the STUN server'}: ${r.network.hops.join(' → ')}`,
        '',
      );
  }
  if (r.nat) {
    out.push(`## NAT behaviour (STUN server ${r.nat.server})`, '', kv(r.nat.summary), '');
    out.push(details(`STUN transaction log (${r.nat.transactions.length})`, spec(stunLogTable(r.nat))), '');
  }
  if (r.router) {
    out.push('## Router', '', kv(r.router.summary), '');
    if (r.router.partialReason) out.push(`**${partialTableNote(r.router.partialReason)}**`, '');
    if (r.router.mappings.length) out.push(spec(mappingsTable(r.router)), '');
    else if (!r.router.partialReason) out.push('No port mappings.', '');
  }
  if (r.alg) {
    out.push('## SIP ALG', '', kv(r.alg.summary), '');
    out.push(spec(algTable(r.alg)), '');
  }
  if (r.webrtc) out.push('## Browser softphone (WebRTC echo)', '', kv(r.webrtc.summary), '');
  if (r.relay) {
    out.push('## Media relay (TURN)', '', kv(r.relay.summary), '');
    if (r.relay.candidates.length) out.push(spec(candidatesTable(r.relay)), '');
  }
  if (r.call) {
    out.push('## Echo test call', '', kv(r.call.summary), '');
    if (r.call.samples.length)
      out.push(details(`Per-second stats (${r.call.samples.length})`, spec(samplesTable(r.call))), '');
    out.push(
      details(
        `SIP ladder (${r.call.ladder.length} messages)`,
        r.call.ladder
          .map(
            (m) =>
              `**${m.direction === 'sent' ? '→' : '←'} ${m.summary}** (${m.from} → ${m.to}, ${m.time})\n\n${fence(m.raw)}`,
          )
          .join('\n\n'),
      ),
      '',
    );
  }
  if (r.incoming) {
    out.push('## Incoming calls', '', kv(r.incoming.summary), '', spec(incomingTable(r.incoming)), '');
    if (r.incoming.advice.length) out.push(spec(keepAliveAdviceTable(r.incoming)), '');
  }
  if (r.monitor) out.push(...monitorMarkdown(r.monitor, spec));
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}
