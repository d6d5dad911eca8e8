import { useState } from 'react';
import { NatScopeError } from '../../../../shared/contracts/errors.ts';
import type { RouterMapping } from '../../../../shared/contracts/router.ts';
import { useBridge } from '../../app/bridge-context.tsx';
import type { AddRequest } from './AddMappingDialog.tsx';
import { mappingKey } from './mapping-model.ts';

const errorText = (e: unknown) => (e instanceof NatScopeError ? e.message : String(e));

export interface RouterTargetInput {
  gateway?: string;
  igdLocation?: string;
}

/**
 * Add / delete / verify on the router the step is showing (the chosen IGD, or the demo's
 * simulated router), with the confirmations they need; `refresh` re-reads the table afterwards.
 */
export function useMappingActions(target: RouterTargetInput, refresh: () => void) {
  const { bridge } = useBridge();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'problem'; text: string } | null>(null);
  const [verify, setVerify] = useState<Record<string, string>>({});

  const addOne = async (r: AddRequest, allowPermanent: boolean): Promise<string> => {
    try {
      const out = await bridge.call('router.mappings.add', {
        ...target,
        ...r,
        confirmExposure: true,
        allowPermanent,
      });
      return `Mapped ${r.protocol.toUpperCase()} ${out.mapping.externalPort} → ${out.mapping.internalClient}:${out.mapping.internalPort}. ${out.notes.join(' ')}`;
    } catch (e) {
      const detail =
        e instanceof NatScopeError ? (e.detail as { needsConfirmation?: string } | undefined) : undefined;
      if (
        !allowPermanent &&
        detail?.needsConfirmation === 'permanent-lease' &&
        window.confirm(
          'The router only accepts PERMANENT mappings (UPnP 725). A permanent mapping stays until deleted — NatScope will still delete it on exit. Create it anyway?',
        )
      )
        return addOne(r, true);
      throw e;
    }
  };

  /** Adds each mapping in turn (a range is many); stops at the first refusal. Resolves true when all were added. */
  const add = async (requests: AddRequest[]): Promise<boolean> => {
    setBusy(true);
    const done: string[] = [];
    try {
      for (const r of requests) done.push(await addOne(r, false));
      setMessage({
        tone: 'ok',
        text:
          requests.length === 1
            ? done[0]!
            : `${done.length} mappings added (${requests[0]!.externalPort}–${requests.at(-1)!.externalPort}).`,
      });
      return true;
    } catch (e) {
      setMessage({
        tone: 'problem',
        text: `The router refused the mapping${done.length ? ` after ${done.length} were added` : ''}: ${errorText(e)}`,
      });
      return false;
    } finally {
      setBusy(false);
      refresh();
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
      refresh();
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

  return { busy, message, verify, add, remove, check };
}
