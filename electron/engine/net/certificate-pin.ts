/**
 * Trusting a private CA in Chromium for one server: Chromium takes no CA file on its command line,
 * but it accepts `--ignore-certificate-errors-spki-list` with the SHA-256 of a certificate's public
 * key (SPKI). So NatScope connects with TLS itself, verifies the server's chain against the given CA
 * (verification on, the name checked), and pins exactly the key of the certificate that passed —
 * nothing else is trusted.
 */
import { createHash } from 'node:crypto';
import tls from 'node:tls';

export async function verifiedSpkiPin(o: {
  host: string;
  address: string;
  port: number;
  caPem: string;
  timeoutMs: number;
}): Promise<string> {
  const isIp = /^[\d.]+$|:/.test(o.host);
  const socket = tls.connect({
    host: o.address,
    port: o.port,
    servername: isIp ? undefined : o.host,
    ca: [...tls.rootCertificates, o.caPem],
    rejectUnauthorized: true,
    checkServerIdentity: (_h, cert) => tls.checkServerIdentity(o.host, cert),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`TLS with ${o.host} timed out`)), o.timeoutMs);
      socket.once('secureConnect', () => (clearTimeout(timer), resolve()));
      socket.once(
        'error',
        (e) => (clearTimeout(timer), reject(new Error(`TLS with ${o.host} failed: ${e.message}`))),
      );
    });
    const cert = socket.getPeerX509Certificate();
    if (!cert) throw new Error(`${o.host} sent no certificate`);
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    return createHash('sha256').update(spki).digest('base64');
  } finally {
    socket.destroy();
  }
}
