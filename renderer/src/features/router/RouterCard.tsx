import type { RouterReport } from '../../../../shared/contracts/router.ts';
import { Badge } from '../../components/Tone.tsx';
import { ClassBadge } from '../network/NetworkStep.tsx';
import { formatDuration } from './format-duration.ts';

export function RouterCard({ report }: { report: RouterReport }) {
  const { upnp, natpmp, pcp } = report;
  const externalIp = upnp.externalIp ?? natpmp.externalIp ?? pcp.externalIp;
  const externalClass = upnp.externalIpClass ?? natpmp.externalIpClass;
  return (
    <div className="cards">
      <div className="card" data-testid="router-card">
        <div className="card-label">Router</div>
        <div className="card-value">
          {upnp.friendlyName ?? (upnp.found ? 'UPnP device' : (report.gateway ?? 'Unknown'))}
        </div>
        <div className="card-sub">
          {[upnp.manufacturer, upnp.model, upnp.modelNumber].filter(Boolean).join(' · ') ||
            'No UPnP device description'}
        </div>
        {upnp.server && <div className="card-sub mono small">{upnp.server}</div>}
      </div>
      <div className="card" data-testid="router-external-ip">
        <div className="card-label">External IP (as the router says)</div>
        <div className="card-value mono">{externalIp ?? '—'}</div>
        <div className="card-sub">{externalClass ? <ClassBadge cls={externalClass} /> : 'not reported'}</div>
      </div>
      <div className="card" data-testid="router-protocols">
        <div className="card-label">Port-mapping protocols</div>
        <div className="card-sub">
          <Badge tone={upnp.found ? 'ok' : 'unknown'}>
            UPnP IGD{upnp.igdVersion ? `:${upnp.igdVersion}` : ''} {upnp.found ? '✓' : '✗'}
          </Badge>{' '}
          <Badge tone={natpmp.supported ? 'ok' : 'unknown'}>NAT-PMP {natpmp.supported ? '✓' : '✗'}</Badge>{' '}
          <Badge tone={pcp.supported ? 'ok' : 'unknown'}>PCP {pcp.supported ? '✓' : '✗'}</Badge>
        </div>
        <div className="card-sub">
          {upnp.connectionStatus ? `WAN ${upnp.connectionStatus}` : ''}
          {upnp.uptimeSeconds !== null ? ` · up ${formatDuration(upnp.uptimeSeconds)}` : ''}
          {upnp.connectionType ? ` · ${upnp.connectionType}` : ''}
        </div>
      </div>
    </div>
  );
}

export function ProtocolPanel({ report }: { report: RouterReport }) {
  const { natpmp, pcp } = report;
  return (
    <details className="raw-log" data-testid="router-natpmp-pcp">
      <summary>NAT-PMP and PCP details</summary>
      <table className="data small">
        <tbody>
          <tr>
            <th>NAT-PMP (RFC 6886)</th>
            <td>
              {natpmp.supported
                ? `gateway ${natpmp.gateway ?? '?'} · external ${natpmp.externalIp ?? '?'} · epoch ${natpmp.epoch ?? '?'} s${natpmp.epochReset ? ' · router rebooted since last seen' : ''}`
                : (natpmp.error ?? 'no answer')}
              {natpmp.resultCode &&
                ` · result ${natpmp.resultCode.code} ${natpmp.resultCode.name}: ${natpmp.resultCode.meaning}`}
            </td>
          </tr>
          <tr>
            <th>PCP (RFC 6887)</th>
            <td>
              {pcp.supported
                ? `gateway ${pcp.gateway ?? '?'} · external ${pcp.externalIp ?? 'learnt from a MAP response'} · epoch ${pcp.epoch ?? '?'} s`
                : pcp.natPmpOnly
                  ? 'the router speaks NAT-PMP only (answered PCP with "unsupported version")'
                  : (pcp.error ?? 'no answer')}
              {pcp.resultCode &&
                ` · result ${pcp.resultCode.code} ${pcp.resultCode.name}: ${pcp.resultCode.meaning}`}
            </td>
          </tr>
          <tr>
            <th>UPnP services</th>
            <td>
              {report.upnp.services.length
                ? report.upnp.services
                    .map(
                      (s) =>
                        `${s.serviceType}${s.chosen ? ' (used)' : ''}${s.connectionStatus ? ` — ${s.connectionStatus}` : ''}${s.error ? ` — ${s.error}` : ''}`,
                    )
                    .join('; ')
                : 'none'}
            </td>
          </tr>
          <tr>
            <th>SSDP answers</th>
            <td>
              {report.upnp.ssdp.length
                ? report.upnp.ssdp
                    .map((a) => `${a.from} ${a.st ?? ''}${a.rejected ? ` (ignored: ${a.rejected})` : ''}`)
                    .join('; ')
                : 'none'}
            </td>
          </tr>
        </tbody>
      </table>
    </details>
  );
}
