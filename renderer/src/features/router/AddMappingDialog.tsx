import { useState } from 'react';
import type { MappingProtocol, MappingVia } from '../../../../shared/contracts/router.ts';
import { SelectField, TextField } from '../../components/Field.tsx';

export interface AddRequest {
  via: MappingVia;
  protocol: MappingProtocol;
  externalPort: number;
  internalPort: number;
  leaseSeconds: number;
}

/**
 * Adding a mapping opens a hole in the firewall, so the dialog states that plainly and the Add
 * button stays disabled until the user ticks the confirmation.
 */
export function AddMappingDialog(props: {
  available: MappingVia[];
  busy: boolean;
  onAdd(r: AddRequest): void;
  onClose(): void;
}) {
  const [via, setVia] = useState<MappingVia>(props.available[0] ?? 'upnp');
  const [protocol, setProtocol] = useState<MappingProtocol>('udp');
  const [externalPort, setExternalPort] = useState('5060');
  const [internalPort, setInternalPort] = useState('5060');
  const [lease, setLease] = useState('600');
  const [confirmed, setConfirmed] = useState(false);
  const ext = Number(externalPort);
  const int = Number(internalPort);
  const leaseS = Number(lease);
  const valid =
    [ext, int].every((p) => Number.isInteger(p) && p >= 1 && p <= 65535) &&
    Number.isInteger(leaseS) &&
    leaseS >= 1;
  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="add-mapping-title">
      <h3 id="add-mapping-title">Add a port mapping</h3>
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
        <TextField label="External port" value={externalPort} onChange={setExternalPort} size={6} />
        <TextField label="Internal port" value={internalPort} onChange={setInternalPort} size={6} />
        <TextField label="Lease (s)" ariaLabel="Lease seconds" value={lease} onChange={setLease} size={6} />
      </div>
      <div className="notice warning">
        <strong>This exposes this computer to the internet.</strong> Anyone can send packets to the external
        port and they will reach port {Number.isFinite(int) ? int : '?'} here. NatScope gives the mapping a
        lease and removes it when it exits (or at the next start if it crashed).
        <label className="check">
          <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} /> I
          understand; open this port
        </label>
      </div>
      <div className="step-nav">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={!confirmed || !valid || props.busy}
          onClick={() =>
            props.onAdd({ via, protocol, externalPort: ext, internalPort: int, leaseSeconds: leaseS })
          }
        >
          {props.busy ? 'Adding…' : 'Add mapping'}
        </button>
      </div>
    </div>
  );
}
