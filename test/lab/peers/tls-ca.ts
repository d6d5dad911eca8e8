// A lab certificate authority made with openssl at test time (nothing checked in): a CA, and
// server certificates it signs for the names and addresses a test needs. NatScope trusts the CA
// only when given `--ca FILE`; without it the handshake must fail as an unknown CA.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { runOk } from '../proc.ts';

export interface LabCa {
  dir: string;
  caCert: string;
  caKey: string;
  /** Issues a server certificate for these DNS names and IP addresses; returns PEM paths. */
  issue(
    name: string,
    sans: { dns?: string[]; ip?: string[] },
  ): Promise<{ certificate: string; privateKey: string }>;
}

export async function createLabCa(dir: string, commonName = 'NatScope lab CA'): Promise<LabCa> {
  mkdirSync(dir, { recursive: true });
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  const openssl = (args: string[]) => runOk(['openssl', ...args], { timeoutMs: 20_000 });
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', caKey]);
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    caKey,
    '-sha256',
    '-days',
    '2',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    caCert,
  ]);
  return {
    dir,
    caCert,
    caKey,
    async issue(name, sans) {
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const cert = join(dir, `${name}.crt`);
      const ext = join(dir, `${name}.ext`);
      const alt = [...(sans.dns ?? []).map((d) => `DNS:${d}`), ...(sans.ip ?? []).map((i) => `IP:${i}`)];
      writeFileSync(
        ext,
        `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${alt.join(',')}\n`,
      );
      await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
      await openssl(['req', '-new', '-key', key, '-subj', `/CN=${sans.dns?.[0] ?? name}`, '-out', csr]);
      await openssl([
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        caCert,
        '-CAkey',
        caKey,
        '-CAcreateserial',
        '-days',
        '2',
        '-sha256',
        '-extfile',
        ext,
        '-out',
        cert,
      ]);
      return { certificate: cert, privateKey: key };
    },
  };
}
