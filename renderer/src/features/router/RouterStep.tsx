import { useCallback, useEffect, useState } from 'react';
import type { MappingVia, RouterMapping, RouterReport } from '../../../../shared/contracts/router.ts';
import { NatScopeError } from '../../../../shared/contracts/errors.ts';
import { useBridge } from '../../app/bridge-context.tsx';
import { recordAs } from '../../app/session/record.ts';
import { useRun, useSession } from '../../app/session/session-context.tsx';
import { Badge } from '../../components/Tone.tsx';
import { AddMappingDialog, type AddRequest } from './AddMappingDialog.tsx';
import { MappingTable, mappingKey } from './MappingTable.tsx';
import { ProtocolPanel, RouterCard } from './RouterCard.tsx';

function allMappings(r: RouterReport): RouterMapping[] {
  // UPnP's table plus NatScope's own NAT-PMP/PCP mappings (those protocols cannot list a table).
  const seen = new Set(r.upnp.mappings.map(mappingKey));
  return [...r.upnp.mappings, ...r.ownMappings.filter((m) => !seen.has(mappingKey(m)))];
}

const errorText = (e: unknown) => (e instanceof NatScopeError ? e.message : String(e));

const RECORD = { record: recordAs('router') };

/** Where the router is: found on the LAN, or the offline demo's simulated router on loopback. */
export interface RouterTarget {
  gateway: string;
  igdLocation: string;
}

export function RouterStep({ simulated, demo }: { simulated: RouterTarget | null; demo: boolean }) {
  const { bridge } = useBridge();
  const { state, run } = useRun('router', 'router.probe', RECORD);
  const report = useSession().results.router ?? null;
  const target = simulated ? { gateway: simulated.gateway, igdLocation: simulated.igdLocation } : {};
  const [loadedAt, setLoadedAt] = useState(() => Date.now());
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'problem'; text: string } | null>(null);
  const [verify, setVerify] = useState<Record<string, string>>({});

  // The demo without its simulated router must not ask the real LAN.
  const blocked = demo && !simulated;
  const probe = useCallback(() => {
    if (blocked) return;
    setLoadedAt(Date.now());
    void run(simulated ? { gateway: simulated.gateway, igdLocation: simulated.igdLocation } : {});
  }, [run, simulated, blocked]);
  // Asked once when first shown; Refresh asks again.
  const idle = state.status === 'idle' && !report;
  useEffect(() => {
    if (idle) probe();
  }, [idle, probe]);
  const available: MappingVia[] = report
    ? (['upnp', 'natpmp', 'pcp'] as const).filter((v) =>
        v === 'upnp' ? report.upnp.found : report[v].supported,
      )
    : [];

  const add = async (r: AddRequest, allowPermanent = false) => {
    setBusy(true);
    try {
      const out = await bridge.call('router.mappings.add', {
        ...target,
        ...r,
        confirmExposure: true,
        allowPermanent,
      });
      setMessage({
        tone: 'ok',
        text: `Mapped ${r.protocol.toUpperCase()} ${out.mapping.externalPort} → ${out.mapping.internalClient}:${out.mapping.internalPort}. ${out.notes.join(' ')}`,
      });
      setAdding(false);
      probe();
    } catch (e) {
      const detail =
        e instanceof NatScopeError ? (e.detail as { needsConfirmation?: string } | undefined) : undefined;
      if (
        detail?.needsConfirmation === 'permanent-lease' &&
        window.confirm(
          'The router only accepts PERMANENT mappings (UPnP 725). A permanent mapping stays until deleted — NatScope will still delete it on exit. Create it anyway?',
        )
      ) {
        return add(r, true);
      }
      setMessage({ tone: 'problem', text: `The router refused the mapping: ${errorText(e)}` });
    } finally {
      setBusy(false);
    }
  };

  const remove = async (m: RouterMapping) => {
    const notOurs = !m.createdByNatScope;
    const question = notOurs
      ? `This mapping (${m.protocol.toUpperCase()} ${m.externalPort} → ${m.internalClient}:${m.internalPort}, "${m.description ?? ''}") was NOT created by NatScope — another program or device relies on it. Delete it anyway?`
      : `Delete NatScope's mapping ${m.protocol.toUpperCase()} ${m.externalPort}?`;
    if (!window.confirm(question)) return;
    try {
      const out = await bridge.call('router.mappings.delete', {
        ...target,
        via: m.via,
        protocol: m.protocol,
        externalPort: m.externalPort,
        internalPort: m.internalPort,
        userPicked: notOurs ? true : undefined,
      });
      setMessage({
        tone: out.deleted ? 'ok' : 'problem',
        text: out.note ?? (out.deleted ? 'Mapping deleted.' : 'Not deleted.'),
      });
      probe();
    } catch (e) {
      setMessage({ tone: 'problem', text: `Delete failed: ${errorText(e)}` });
    }
  };

  const check = async (m: RouterMapping) => {
    const key = mappingKey(m);
    setVerify((v) => ({ ...v, [key]: 'checking…' }));
    try {
      const out = await bridge.call('router.mappings.verify', {
        protocol: m.protocol,
        externalPort: m.externalPort,
        internalPort: m.internalPort,
      });
      setVerify((v) => ({ ...v, [key]: `${out.status}: ${out.detail}` }));
    } catch (e) {
      setVerify((v) => ({ ...v, [key]: `error: ${errorText(e)}` }));
    }
  };

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
        <div>
          <button type="button" onClick={probe} disabled={state.status === 'running' || blocked}>
            {state.status === 'running' ? 'Asking the router…' : 'Refresh'}
          </button>{' '}
          <button
            type="button"
            className="primary"
            disabled={available.length === 0}
            onClick={() => setAdding(true)}
          >
            Add mapping…
          </button>
        </div>
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
      {message && (
        <div className={message.tone === 'ok' ? 'notice ok' : 'error-banner'} role="status">
          {message.text}
        </div>
      )}
      {adding && (
        <AddMappingDialog
          available={available}
          busy={busy}
          onAdd={(r) => void add(r)}
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
          {report.upnp.mappingsPartial && (
            <div className="notice warning" data-testid="router-table-partial">
              Partial table — more mappings may exist: {report.upnp.mappingsPartialReason}.
            </div>
          )}
          <MappingTable
            mappings={allMappings(report)}
            loadedAt={loadedAt}
            actions={{ onDelete: (m) => void remove(m), onVerify: (m) => void check(m), verify }}
          />
          <ProtocolPanel report={report} />
        </>
      )}
    </>
  );
}
