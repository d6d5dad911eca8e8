import { useState } from 'react';
import type { MappingProtocol, MappingVia, RouterMapping } from '../../../../shared/contracts/router.ts';
import { CheckField, SelectField, TextField } from '../../components/Field.tsx';
import { Modal } from '../../components/Modal.tsx';
import { conflicts, freeSipPort, parsePorts } from './add-mapping-model.ts';

export interface AddRequest {
  via: MappingVia;
  protocol: MappingProtocol;
  externalPort: number;
  internalPort: number;
  leaseSeconds: number;
}

/** What the dialog knows about the router: its table, and whether it is behind another NAT. */
export interface AddContext {
  available: MappingVia[];
  existing: RouterMapping[];
  /** This computer's address towards the router (its own mappings point here). */
  localAddress: string | null;
  /** Why a mapping here would not reach the internet (CGNAT, double NAT), or null. */
  behindAnotherNat: string | null;
}

/**
 * Adding a mapping opens a hole in the firewall, so the dialog states that plainly, warns when the
 * port is already another host's or when the router is itself behind a NAT (then the mapping
 * reaches no one), and the Add button stays disabled until the user ticks the confirmation.
 * A range ("16384-16393") adds one mapping per port, internal ports alongside.
 */
export function AddMappingDialog(
  props: AddContext & { busy: boolean; onAdd(r: AddRequest[]): void; onClose(): void },
) {
  const [via, setVia] = useState<MappingVia>(props.available[0] ?? 'upnp');
  const [protocol, setProtocol] = useState<MappingProtocol>('udp');
  const [externalPorts, setExternalPorts] = useState(() => String(freeSipPort(props.existing, 'udp')));
  const [internalPort, setInternalPort] = useState('5060');
  const [lease, setLease] = useState('600');
  const [confirmed, setConfirmed] = useState(false);
  const ports = parsePorts(externalPorts);
  const int = Number(internalPort);
  const leaseS = Number(lease);
  const portsOk = typeof ports !== 'string';
  const valid =
    portsOk &&
    Number.isInteger(int) &&
    int >= 1 &&
    int + (ports.to - ports.from) <= 65535 &&
    Number.isInteger(leaseS) &&
    leaseS >= 1;
  const clash = portsOk ? conflicts(props.existing, protocol, ports, props.localAddress) : [];
  const taken = clash.filter((c) => c.otherHost);
  const requests = (): AddRequest[] =>
    portsOk
      ? Array.from({ length: ports.to - ports.from + 1 }, (_, i) => ({
          via,
          protocol,
          externalPort: ports.from + i,
          internalPort: int + i,
          leaseSeconds: leaseS,
        }))
      : [];
  return (
    <Modal labelledBy="add-mapping-title" onClose={props.onClose} testid="add-mapping-dialog">
      <h2 id="add-mapping-title">Add a port mapping</h2>
      <div className="form-row">
        <SelectField label="Via" value={via} onChange={(v) => setVia(v as MappingVia)}>
          {props.available.map((v) => (
            <option key={v} value={v}>
              {v === 'upnp' ? 'UPnP IGD' : v === 'natpmp' ? 'NAT-PMP' : 'PCP'}
            </option>
          ))}
        </SelectField>
        <SelectField label="Protocol" value={protocol} onChange={(v) => setProtocol(v as MappingProtocol)}>
          <option value="udp">UDP</option>
          <option value="tcp">TCP</option>
        </SelectField>
        <TextField
          label="External port or range"
          ariaLabel="External port"
          value={externalPorts}
          onChange={setExternalPorts}
          size={12}
          aria-invalid={!portsOk}
          aria-describedby={portsOk ? undefined : 'external-port-error'}
        />
        <TextField
          label={portsOk && ports.to > ports.from ? 'First internal port' : 'Internal port'}
          ariaLabel="Internal port"
          value={internalPort}
          onChange={setInternalPort}
          size={6}
        />
        <TextField label="Lease (s)" ariaLabel="Lease seconds" value={lease} onChange={setLease} size={6} />
      </div>
      {!portsOk && (
        <p className="error-banner" id="external-port-error">
          External port: {ports}
        </p>
      )}
      {props.behindAnotherNat && (
        <div className="notice warning" data-testid="add-mapping-cgnat">
          <strong>This mapping will not make you reachable from the internet.</strong>{' '}
          {props.behindAnotherNat}
        </div>
      )}
      {taken.length > 0 && (
        <div className="notice warning" data-testid="add-mapping-conflict">
          <strong>
            {protocol.toUpperCase()} {taken.map((c) => c.port).join(', ')} {taken.length === 1 ? 'is' : 'are'}{' '}
            already mapped to another host:
          </strong>{' '}
          {taken
            .slice(0, 3)
            .map(
              (c) =>
                `${c.otherHost!.internalClient ?? '?'}:${c.otherHost!.internalPort} (${c.otherHost!.description ?? 'no description'})`,
            )
            .join('; ')}
          {taken.length > 3 ? ` and ${taken.length - 3} more` : ''}. The router refuses (UPnP 718
          ConflictInMappingEntry) or that device loses its mapping; pick another external port.
        </div>
      )}
      {clash.some((c) => c.own) && (
        <div className="notice" role="status">
          Replaces NatScope’s own mapping on{' '}
          {clash
            .filter((c) => c.own)
            .map((c) => c.port)
            .join(', ')}
          .
        </div>
      )}
      <div className="notice warning">
        <strong>This exposes this computer to the internet.</strong> Anyone can send packets to the external
        port{portsOk && ports.to > ports.from ? 's' : ''} and they will reach port
        {portsOk && ports.to > ports.from ? 's' : ''} {Number.isFinite(int) ? int : '?'}
        {portsOk && ports.to > ports.from ? `–${int + ports.to - ports.from}` : ''} here. NatScope gives each
        mapping a lease and removes it when it exits (or at the next start if it crashed).
        <CheckField label="I understand; open this port" checked={confirmed} onChange={setConfirmed} />
      </div>
      <div className="step-nav">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={!confirmed || !valid || props.busy}
          onClick={() => props.onAdd(requests())}
        >
          {props.busy
            ? 'Adding…'
            : portsOk && ports.to > ports.from
              ? `Add ${ports.to - ports.from + 1} mappings`
              : 'Add mapping'}
        </button>
      </div>
    </Modal>
  );
}
