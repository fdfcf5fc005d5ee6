import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Writes a self-signed certificate for the loopback address, and its key, into `dir` (with
 * Debian's openssl): a TLS server using it is trusted only by a client given it as the CA.
 */
export function selfSignedLoopbackCertificate(dir: string): { cert: string; key: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
