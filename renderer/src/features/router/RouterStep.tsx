import { useCallback, useEffect, useState } from 'react';
import type { MappingVia, RouterMapping, RouterReport } from '../../../../shared/contracts/router.ts';
import { recordAs } from '../../app/session/record.ts';
import { useRun, useSession, useSessionState } from '../../app/session/session-context.tsx';
import type { RunOptions } from '../../app/session/store.ts';
import { SelectField } from '../../components/Field.tsx';
import { Badge } from '../../components/Tone.tsx';
import { AddMappingDialog } from './AddMappingDialog.tsx';
import { mappingKey } from './mapping-model.ts';
import { MappingTable } from './MappingTable.tsx';
import { ProtocolPanel, RouterCard } from './RouterCard.tsx';
import { useMappingActions } from './use-mapping-actions.ts';

function allMappings(r: RouterReport): RouterMapping[] {
  // UPnP's table plus NatScope's own NAT-PMP/PCP mappings (those protocols cannot list a table).
  const seen = new Set(r.upnp.mappings.map(mappingKey));
  return [...r.upnp.mappings, ...r.ownMappings.filter((m) => !seen.has(mappingKey(m)))];
}

/** Where the router is: found on the LAN, or the offline demo's simulated router on loopback. */
export interface RouterTarget {
  gateway: string;
  igdLocation: string;
}

const BEHIND_NAT = new Set([
  'router-external-cgnat',
  'router-external-private',
  'router-external-differs-from-stun',
  'mappings-refused',
]);

/** Every UPnP device that answered SSDP with a usable description URL: the router picker's choices. */
function igdChoices(r: RouterReport | null): { location: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const a of r?.upnp.ssdp ?? [])
    if (a.location && !a.rejected && !seen.has(a.location))
      seen.set(a.location, `${a.from.replace(/:\d+$/, '')}${a.server ? ` — ${a.server}` : ''}`);
  return [...seen].map(([location, label]) => ({ location, label }));
}

/** Records the probe; an automatic one (SSDP) also remembers every IGD that answered, for the picker. */
const RECORD: RunOptions<'router.probe'> = {
  record: (out, store) => {
    recordAs('router')(out, store);
    const found = igdChoices(out);
    if (found.length > 0) store.setSlice(IGDS, found);
  },
};
const IGDS = 'router.igds';

export function RouterStep({ simulated, demo }: { simulated: RouterTarget | null; demo: boolean }) {
  const { state, run } = useRun('router', 'router.probe', RECORD);
  const session = useSession();
  const report = session.results.router ?? null;
  // The user's pick among several IGDs on the LAN ('' = automatic: the gateway's own, via SSDP).
  const [picked, setPicked] = useSessionState('router.igdLocation', '');
  const choices = (session.slices[IGDS] as { location: string; label: string }[] | undefined) ?? [];
  const gateway = simulated?.gateway;
  const location = simulated?.igdLocation ?? picked;
  const target = { ...(gateway ? { gateway } : {}), ...(location ? { igdLocation: location } : {}) };
  const [adding, setAdding] = useState(false);

  // The demo without its simulated router must not ask the real LAN.
  const blocked = demo && !simulated;
  const probe = useCallback(() => {
    if (!blocked)
      void run({ ...(gateway ? { gateway } : {}), ...(location ? { igdLocation: location } : {}) });
  }, [run, gateway, location, blocked]);
  // Asked once when first shown; Refresh (or picking another router) asks again.
  const idle = state.status === 'idle' && !report;
  useEffect(() => {
    if (idle) probe();
  }, [idle, probe]);
  // Lease countdowns run from when the table was read.
  const loadedAt = state.status === 'idle' ? 0 : state.startedAt;
  const actions = useMappingActions(target, probe);
  const available: MappingVia[] = report
    ? (['upnp', 'natpmp', 'pcp'] as const).filter((v) =>
        v === 'upnp' ? report.upnp.found : report[v].supported,
      )
    : [];
  const behindNat =
    report?.findings.find((f) => BEHIND_NAT.has(f.id)) ??
    session.report?.findings.find((f) => f.id === 'double-nat' || f.id === 'cgnat');

  return (
    <>
      {simulated && (
        <div className="notice" role="status" data-testid="router-simulated">
          <strong>Simulated router (loopback demo).</strong> This is NatScope’s built-in test router on{' '}
          <span className="mono">{simulated.gateway}</span>, not your real one: nothing is sent to your LAN.
        </div>
      )}
      {blocked && (
        <div className="notice" role="status">
          The loopback demo has no router to ask, and does not ask your real one.
        </div>
      )}
      <div className="toolbar">
        {!simulated && choices.length > 1 && (
          <SelectField
            label="Router"
            ariaLabel="Router to ask"
            value={picked}
            onChange={(v) => {
              setPicked(v);
              void run(v ? { igdLocation: v } : {});
            }}
          >
            <option value="">Automatic (the gateway’s IGD)</option>
            {choices.map((c) => (
              <option key={c.location} value={c.location}>
                {c.label}
              </option>
            ))}
          </SelectField>
        )}
        <button type="button" onClick={probe} disabled={state.status === 'running' || blocked}>
          {state.status === 'running' ? 'Asking the router…' : 'Refresh'}
        </button>
        <button
          type="button"
          className="primary"
          disabled={available.length === 0}
          onClick={() => setAdding(true)}
        >
          Add mapping…
        </button>
      </div>
      {state.status === 'running' && (
        <ul className="progress-list" aria-label="Router progress">
          {state.events.map((e, i) => (
            <li key={i}>
              {e.step}: {e.status} {e.message ? <span className="muted">{e.message}</span> : null}
            </li>
          ))}
        </ul>
      )}
      {state.status === 'failed' && (
        <div className="error-banner" role="alert">
          Could not ask the router: {state.error.message}
        </div>
      )}
      {actions.message && (
        <div className={actions.message.tone === 'ok' ? 'notice ok' : 'error-banner'} role="status">
          {actions.message.text}
        </div>
      )}
      {adding && report && (
        <AddMappingDialog
          available={available}
          existing={allMappings(report)}
          localAddress={report.localAddress}
          behindAnotherNat={behindNat ? `${behindNat.title}.` : null}
          busy={actions.busy}
          onAdd={(r) => void actions.add(r).then((ok) => ok && setAdding(false))}
          onClose={() => setAdding(false)}
        />
      )}
      {report && (
        <>
          <RouterCard report={report} />
          {report.findings.map((f) => (
            <div
              key={f.id}
              className={
                f.severity === 'problem'
                  ? 'error-banner'
                  : f.severity === 'warning'
                    ? 'notice warning'
                    : 'notice'
              }
              data-testid={`router-finding-${f.id}`}
            >
              <Badge tone={f.severity}>{f.severity}</Badge> <strong>{f.title}</strong> — {f.meaning}
            </div>
          ))}
          {[...report.warnings, ...report.upnp.errors].map((w) => (
            <div key={w} className="notice warning">
              {w}
            </div>
          ))}
          <MappingTable
            mappings={allMappings(report)}
            loadedAt={loadedAt}
            actions={{
              onDelete: (m) => void actions.remove(m),
              onVerify: (m) => void actions.check(m),
              verify: actions.verify,
            }}
          />
          <ProtocolPanel report={report} />
        </>
      )}
    </>
  );
}
