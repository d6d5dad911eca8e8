import type { Area, Severity } from '../diagnosis/findings.ts';
import { AREA_TITLE } from './markdown.ts';
import { monitorHtml } from './monitor-section.ts';
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
import { lineChart } from './svg-chart.ts';

/** A single self-contained HTML file: inline CSS, inline SVG charts, no scripts, no external requests. */
const esc = (v: unknown) =>
  String(v ?? '—').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const COLOR: Record<Severity, string> = {
  ok: '#0f7b45',
  info: '#1d4ed8',
  warning: '#9a5b00',
  problem: '#b42318',
};

const table = (headers: string[], rows: unknown[][]) =>
  `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
const spec = (t: TableSpec) => table(t.headers, t.rows);
const kv = (o: Record<string, unknown>) =>
  `<table class="kv"><tbody>${Object.entries(o)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('')}</tbody></table>`;

const CSS = `body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b2330;max-width:1000px;margin:24px auto;padding:0 16px}
h1{font-size:24px}.demo{background:#fdf1dc;border:1px solid #f3d9a4;border-radius:6px;padding:8px 12px}h2{font-size:19px;border-bottom:1px solid #dde3ea;padding-bottom:4px;margin-top:28px}h3{font-size:16px;margin:0 0 4px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef1f4;vertical-align:top}
th{color:#5d6b7e;font-weight:600}table.kv th{width:35%}.finding{border:1px solid #dde3ea;border-left-width:5px;border-radius:6px;padding:10px 14px;margin:10px 0}
.pill{display:inline-block;border-radius:10px;padding:1px 8px;font-size:12px;color:#fff}.muted{color:#5d6b7e;font-size:13px}
.lights{display:flex;gap:10px;flex-wrap:wrap}.light{border:1px solid #dde3ea;border-radius:8px;padding:8px 12px;min-width:140px}
.charts{display:flex;flex-wrap:wrap;gap:12px}pre{background:#f5f7fa;padding:8px;overflow-x:auto;font-size:12px}code{font-size:12px}`;

export function renderHtml(r: Report): string {
  const lights = reportLights(r);
  const parts: string[] = [];
  parts.push(
    `<h1>NatScope report</h1>${r.loopbackDemo ? `<p class="demo" data-testid="report-demo"><strong>${esc(LOOPBACK_DEMO_NOTE)}</strong></p>` : ''}<p class="muted">Generated ${esc(r.generatedAt)} by NatScope ${esc(r.app.version)} on ${esc(r.app.platform)}. Secrets redacted.</p>`,
  );
  parts.push(
    `<h2>Summary</h2><div class="lights">${(Object.keys(AREA_TITLE) as Area[])
      .filter((a) => lights[a])
      .map(
        (a) =>
          `<div class="light" style="border-left:5px solid ${COLOR[lights[a]!]}"><strong>${esc(AREA_TITLE[a])}</strong><br><span class="muted">${esc(lights[a])}</span></div>`,
      )
      .join('')}</div>`,
  );
  const skipped = r.steps.filter((s) => s.status !== 'done');
  if (skipped.length)
    parts.push(
      `<ul>${skipped.map((s) => `<li>Step <b>${esc(s.id)}</b> ${esc(s.status)}${s.reason ? `: ${esc(s.reason)}` : ''}</li>`).join('')}</ul>`,
    );
  const todo = r.findings.filter((f) => f.severity === 'problem' || f.severity === 'warning');
  if (todo.length)
    parts.push(
      `<h2>What to do next</h2><ol>${todo.map((f) => `<li><b>${esc(f.title)}</b> — ${esc(f.advice[0] ?? '')}</li>`).join('')}</ol>`,
    );
  parts.push('<h2>Findings</h2>');
  for (const f of r.findings) {
    parts.push(
      `<div class="finding" id="finding-${esc(f.id)}" style="border-left-color:${COLOR[f.severity]}"><h3>${esc(f.title)}</h3>` +
        `<span class="pill" style="background:${COLOR[f.severity]}">${esc(f.severity)}</span> <code>${esc(f.id)}</code> <span class="muted">${esc(AREA_TITLE[f.area])}</span>` +
        (Object.keys(f.evidence).length ? kv(f.evidence) : '') +
        `<ul>${f.advice.map((a) => `<li>${esc(a)}</li>`).join('')}</ul>` +
        (f.references.length
          ? `<p class="muted">${f.references.map((x) => `<a href="${esc(x.url)}">${esc(x.title)}</a>`).join(' · ')}</p>`
          : '') +
        '</div>',
    );
  }
  if (r.call) {
    const s = r.call.samples;
    parts.push('<h2>Echo test call</h2>', kv(r.call.summary));
    parts.push(
      `<div class="charts" data-testid="call-charts">${[
        lineChart({
          label: 'Jitter',
          unit: 'ms',
          color: '#2563eb',
          points: s.map((p) => ({ x: p.t, y: p.jitterMs })),
        }),
        lineChart({
          label: 'Loss',
          unit: '%',
          color: '#b42318',
          points: s.map((p) => ({ x: p.t, y: p.lossPercent })),
        }),
        lineChart({
          label: 'RTT',
          unit: 'ms',
          color: '#7c3aed',
          points: s.map((p) => ({ x: p.t, y: p.rttMs })),
        }),
        lineChart({ label: 'MOS', unit: '', color: '#0f7b45', points: s.map((p) => ({ x: p.t, y: p.mos })) }),
      ].join('')}</div>`,
    );
    if (s.length)
      parts.push(
        `<details><summary>Per-second stats (${s.length})</summary>${spec(samplesTable(r.call))}</details>`,
      );
    parts.push(
      `<details><summary>SIP ladder (${r.call.ladder.length} messages)</summary>${r.call.ladder
        .map(
          (m) =>
            `<p><b>${m.direction === 'sent' ? '→' : '←'} ${esc(m.summary)}</b> <span class="muted">${esc(m.from)} → ${esc(m.to)} · ${esc(m.time)}</span></p><pre>${esc(m.raw)}</pre>`,
        )
        .join('')}</details>`,
    );
  }
  if (r.network) {
    parts.push('<h2>Network</h2>', spec(interfacesTable(r.network)));
    parts.push(
      `<p class="muted">Gateways: ${esc(r.network.gateways.join(', ') || 'none')} · primary address: ${esc(r.network.primary ?? 'none')}</p>`,
    );
    if (r.network.hops)
      parts.push(
        `<p class="muted">Path towards ${esc(r.network.hopsTarget ?? 'the STUN server')}: ${esc(r.network.hops.join(' → '))}</p>`,
      );
  }
  if (r.nat) {
    parts.push(
      `<h2>NAT behaviour</h2><p class="muted">STUN server ${esc(r.nat.server)}</p>`,
      kv(r.nat.summary),
    );
    parts.push(
      `<details><summary>STUN transaction log (${r.nat.transactions.length})</summary>${spec(stunLogTable(r.nat))}</details>`,
    );
  }
  if (r.router) {
    parts.push('<h2>Router</h2>', kv(r.router.summary));
    if (r.router.partialReason)
      parts.push(`<p><strong>${esc(partialTableNote(r.router.partialReason))}</strong></p>`);
    parts.push(spec(mappingsTable(r.router)));
  }
  if (r.alg) {
    parts.push('<h2>SIP ALG</h2>', kv(r.alg.summary));
    parts.push(spec(algTable(r.alg)));
  }
  if (r.incoming) {
    parts.push('<h2>Incoming calls</h2>', kv(r.incoming.summary), spec(incomingTable(r.incoming)));
    if (r.incoming.advice.length) parts.push(spec(keepAliveAdviceTable(r.incoming)));
  }
  if (r.webrtc) parts.push('<h2>Browser softphone (WebRTC echo)</h2>', kv(r.webrtc.summary));
  if (r.relay) {
    parts.push('<h2>Media relay (TURN)</h2>', kv(r.relay.summary));
    if (r.relay.candidates.length) parts.push(spec(candidatesTable(r.relay)));
  }
  if (r.monitor) parts.push(...monitorHtml(r.monitor, spec, esc));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>NatScope report ${esc(r.generatedAt)}</title><style>${CSS}</style></head><body>${parts.join('\n')}</body></html>\n`;
}
