/**
 * @module The PEM files of SEAM_TLS_CERT / SEAM_TLS_KEY / SEAM_TLS_CA, read once at start:
 * the certificate and key this process serves HTTPS with, and the CA it trusts when it calls
 * the other services.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type TlsConfig } from '../kernel/config.js';

export interface ServiceTls {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

const pemAt = (variable: string, path: string, expected: string): string => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Invalid configuration:\n  ${variable}: expected a readable ${expected} file, cannot read ${JSON.stringify(path)} (${(error as Error).message})`);
  }
  // A wrong path that happens to be readable fails here, at start, not at the first handshake.
  if (!text.includes('-----BEGIN ')) throw new ConfigError(`Invalid configuration:\n  ${variable}: expected a PEM ${expected} file, ${JSON.stringify(path)} is not PEM`);
  return text;
};

/** Reads the three files; a missing or non-PEM one stops the process naming its variable. */
export const loadServiceTls = (tls: TlsConfig): ServiceTls => ({
  cert: pemAt('SEAM_TLS_CERT', tls.certPath, 'certificate'),
  key: pemAt('SEAM_TLS_KEY', tls.keyPath, 'private key'),
  ca: pemAt('SEAM_TLS_CA', tls.caPath, 'CA certificate'),
});
