/**
 * @module A throwaway certificate authority and a server certificate it signed for loopback
 * (IP 127.0.0.1 and localhost), made with the openssl CLI in a temp dir, for TLS tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  readonly dir: string;
  /** PEM file paths, as SEAM_TLS_* take them. */
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** The same files' contents. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Another CA's certificate, which signed nothing here: a client trusting only it must refuse the server. */
  readonly otherCa: string;
  remove(): void;
}

const openssl = (dir: string, args: readonly string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
};

/** EC P-256 keys: quick to make. A self-signed CA from `openssl req -x509` is marked CA:TRUE. */
const makeCa = (dir: string, name: string): void =>
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`]);

export const makeTestCertificates = (): TestCertificates => {
  const dir = mkdtempSync(join(tmpdir(), 'seam-tls-'));
  try {
    makeCa(dir, 'seam-test-ca');
    makeCa(dir, 'other-ca');
    openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'service.key', '-out', 'service.csr', '-subj', '/CN=localhost']);
    writeFileSync(
      join(dir, 'service.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
    );
    openssl(dir, ['x509', '-req', '-in', 'service.csr', '-CA', 'seam-test-ca.pem', '-CAkey', 'seam-test-ca.key', '-CAcreateserial', '-out', 'service.pem', '-days', '2', '-extfile', 'service.ext']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const caPath = join(dir, 'seam-test-ca.pem');
  const certPath = join(dir, 'service.pem');
  const keyPath = join(dir, 'service.key');
  return {
    dir,
    caPath,
    certPath,
    keyPath,
    ca: readFileSync(caPath, 'utf8'),
    cert: readFileSync(certPath, 'utf8'),
    key: readFileSync(keyPath, 'utf8'),
    otherCa: readFileSync(join(dir, 'other-ca.pem'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
};
