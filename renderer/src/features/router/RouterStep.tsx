import { useCallback, useEffect, useState } from 'react';
import type { MappingVia, RouterMapping, RouterReport } from '../../../../shared/contracts/router.ts';
import { NatScopeError } from '../../../../shared/contracts/errors.ts';
import { useBridge } from '../../app/bridge-context.tsx';
import { useResults } from '../../app/results-context.tsx';
import { useCall } from '../../app/use-call.ts';
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

export function RouterStep() {
  const { bridge } = useBridge();
  const { state, run } = useCall('router.probe');
  const [loadedAt, setLoadedAt] = useState(() => Date.now());
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'problem'; text: string } | null>(null);
  const [verify, setVerify] = useState<Record<string, string>>({});

  const probe = useCallback(() => {
    setLoadedAt(Date.now());
    void run({});
  }, [run]);
  useEffect(() => probe(), [probe]);
  const { set } = useResults();
  useEffect(() => {
    if (state.status === 'done') set('router', state.output);
  }, [state, set]);

  const report = state.status === 'done' ? state.output : null;
  const available: MappingVia[] = report
    ? (['upnp', 'natpmp', 'pcp'] as const).filter((v) =>
        v === 'upnp' ? report.upnp.found : report[v].supported,
      )
    : [];

  const add = async (r: AddRequest, allowPermanent = false) => {
    setBusy(true);
    try {
      const out = await bridge.call('router.mappings.add', { ...r, confirmExposure: true, allowPermanent });
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
    <section className="panel" aria-labelledby="step-title">
      <div className="panel-head">
        <div>
          <h2 id="step-title">Router</h2>
          <p className="muted">
            What your router says through UPnP IGD, NAT-PMP and PCP — the same channels FreeSWITCH auto-nat
            uses.
          </p>
        </div>
        <div>
          <button type="button" onClick={probe} disabled={state.status === 'running'}>
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
              className={f.severity === 'problem' ? 'error-banner' : 'notice'}
              data-testid={`router-finding-${f.id}`}
            >
              <Badge tone={f.severity}>{f.severity}</Badge> <strong>{f.title}</strong> — {f.meaning}
            </div>
          ))}
          {[...report.warnings, ...report.upnp.errors].map((w) => (
            <div key={w} className="notice">
              {w}
            </div>
          ))}
          <MappingTable
            mappings={allMappings(report)}
            loadedAt={loadedAt}
            actions={{ onDelete: (m) => void remove(m), onVerify: (m) => void check(m), verify }}
          />
          <ProtocolPanel report={report} />
        </>
      )}
    </section>
  );
}
