/**
 * @module Service-to-service credentials: short-lived JWTs (HS256, jose) that say which
 * service is calling, signed with a secret every service of a deployment shares.
 *
 * Signing and verifying cost tens of microseconds, too much per call, so an issuer reuses a
 * token for half its life and a verifier remembers tokens it already checked until they
 * expire. A forged, expired or missing credential is UNAUTHORIZED.
 */
import { jwtVerify, SignJWT } from 'jose';
import { Unauthorized } from '../../kernel/errors.js';

const audience = 'seam-rpc';
const issuer = 'seam';

export interface ServiceCredentials {
  /** A credential naming this service, valid for at least half its lifetime from now. */
  current(): Promise<string>;
  /** The calling service's name; UNAUTHORIZED unless the credential is genuine and fresh. */
  verify(credential: string | undefined): Promise<string>;
}

export interface ServiceCredentialOptions {
  readonly secret: string;
  /** This service's name, put into the credentials it issues. */
  readonly service: string;
  readonly ttlSeconds?: number;
  /** Verified credentials remembered at most (oldest forgotten first). */
  readonly cacheSize?: number;
}

export const serviceCredentials = (options: ServiceCredentialOptions): ServiceCredentials => {
  if (options.secret.length < 32) throw new Error('The service secret must be at least 32 characters');
  const key = new TextEncoder().encode(options.secret);
  const ttlSeconds = options.ttlSeconds ?? 60;
  const cacheSize = options.cacheSize ?? 1024;
  let issued: { token: string; renewAt: number } | undefined;
  const verified = new Map<string, { service: string; expiresAt: number }>();

  const issue = async (): Promise<string> => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(options.service)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key);
    issued = { token, renewAt: Date.now() + (ttlSeconds * 1000) / 2 };
    return token;
  };

  return {
    current: () => (issued && Date.now() < issued.renewAt ? Promise.resolve(issued.token) : issue()),
    async verify(credential) {
      if (!credential) throw Unauthorized.create('This endpoint needs a service credential');
      const known = verified.get(credential);
      if (known && known.expiresAt > Date.now()) return known.service;
      try {
        const { payload } = await jwtVerify(credential, key, { issuer, audience, algorithms: ['HS256'] });
        if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') throw new Error('claims missing');
        if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
        verified.set(credential, { service: payload.sub, expiresAt: payload.exp * 1000 });
        return payload.sub;
      } catch {
        throw Unauthorized.create('The service credential is forged, expired or malformed');
      }
    },
  };
};
