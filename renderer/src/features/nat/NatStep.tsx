import { useEffect, useMemo } from 'react';
import type { NatEvent, NatTestName } from '../../../../shared/contracts/nat.ts';
import { useBridge } from '../../app/bridge-context.tsx';
import { Slot } from '../../app/registry-context.tsx';
import { recordAs } from '../../app/session/record.ts';
import { useInputPatches, useRun, useSession, useSessionState } from '../../app/session/session-context.tsx';
import { Dot, type Tone } from '../../components/Tone.tsx';
import { NatResultView } from './NatResultView.tsx';
import { loadServerList, parseServerText, saveServerList } from './server-list.ts';
import { SelectField } from '../../components/Field.tsx';
import { RunButton } from '../../components/RunButton.tsx';

const TEST_TITLES: Partial<Record<NatTestName, string>> = {
  'server-capability': 'Server check',
  filtering: 'Filtering',
  mapping: 'Mapping',
  hairpinning: 'Hairpinning',
  'port-preservation': 'Port preservation',
  'port-5060': 'Port 5060',
  'port-rtp': 'RTP port',
  lifetime: 'Lifetime',
  'tcp-mapping': 'TCP mapping',
  'tcp-fallback': 'TCP fallback',
};

const statusTone = (s: string): Tone =>
  s === 'running'
    ? 'running'
    : s === 'done'
      ? 'ok'
      : s === 'failed'
        ? 'problem'
        : s === 'inconclusive'
          ? 'warning'
          : 'unknown';

/** Latest status per test (per server/run) from the live event stream. */
function liveTests(events: NatEvent[]) {
  const map = new Map<string, { label: string; status: string; summary: string }>();
  for (const e of events) {
    if (e.kind !== 'test') continue;
    map.set(`${e.server}#${e.run}#${e.test}`, {
      label: `${TEST_TITLES[e.test] ?? e.test}${e.run > 1 ? ` (run ${e.run})` : ''} · ${e.server}`,
      status: e.status,
      summary: e.summary,
    });
  }
  return [...map.entries()];
}

const RECORD = { record: recordAs('nat') };

export function NatStep({ presetServers }: { presetServers?: string[] }) {
  const { bridge } = useBridge();
  const { state, run, cancel } = useRun('nat', 'nat.discover', RECORD);
  const report = useSession().results.nat;
  const patches = useInputPatches('nat');
  const [serverText, setServerText] = useSessionState('nat.servers', () => presetServers?.join('\n') ?? '');
  const [transport, setTransport] = useSessionState<'udp' | 'tcp'>('nat.transport', 'udp');
  const [lifetime, setLifetime] = useSessionState('nat.lifetime', false);

  const needList = !presetServers?.length && serverText === '';
  useEffect(() => {
    if (!needList) return;
    // An answer that arrives after this step unmounted (e.g. "Try it offline" was clicked meanwhile
    // and the demo's step replaced this one) must not overwrite the demo's server with the public list.
    let current = true;
    bridge.call('nat.defaultServers', {}).then(
      (list) => {
        const rfc5780 = list.filter((s) => s.rfc5780).map((s) => `${s.host}:${s.port}`);
        if (current) setServerText(loadServerList(rfc5780.slice(0, 2)).join('\n'));
      },
      () => current && setServerText(loadServerList([]).join('\n')),
    );
    return () => {
      current = false;
    };
  }, [bridge, needList, setServerText]);

  const servers = useMemo(() => parseServerText(serverText), [serverText]);
  const running = state.status === 'running';
  const events = state.status === 'idle' ? [] : state.events;
  const progress = liveTests(events);
  const transactions = events.filter((e) => e.kind === 'transaction').length;

  const start = () => {
    if (!presetServers?.length) saveServerList(servers);
    void run({ ...patches, servers, transport, lifetime });
  };

  return (
    <>
      <div className="form-row">
        <label className="field grow">
          <span>STUN servers (one per line; RFC 5780 servers with two addresses give full results)</span>
          <textarea
            aria-label="STUN servers"
            rows={2}
            value={serverText}
            onChange={(e) => setServerText(e.target.value)}
            disabled={running}
          />
        </label>
        <SelectField
          label="Transport"
          value={transport}
          onChange={(v) => setTransport(v as 'udp' | 'tcp')}
          disabled={running}
        >
          <option value="udp">UDP</option>
          <option value="tcp">TCP</option>
        </SelectField>
        <label className="check">
          <input
            type="checkbox"
            checked={lifetime}
            onChange={(e) => setLifetime(e.target.checked)}
            disabled={running}
          />{' '}
          Measure binding lifetime (up to 3 min)
        </label>
        <RunButton running={running} onRun={start} onCancel={cancel} disabled={servers.length === 0}>
          Run NAT tests
        </RunButton>
      </div>
      {running && (
        <ul className="progress-list" aria-label="Test progress">
          {progress.map(([key, t]) => (
            <li key={key}>
              <Dot tone={statusTone(t.status)} /> <strong>{t.label}</strong>{' '}
              <span className="muted">{t.summary}</span>
            </li>
          ))}
          {running && <li className="muted">{transactions} STUN transactions so far…</li>}
        </ul>
      )}
      {state.status === 'failed' && (
        <div className="error-banner" role="alert">
          NAT tests failed: {state.error.message}
        </div>
      )}
      {report && !running && <NatResultView report={report} />}
      <Slot name="nat.cards" />
    </>
  );
}
