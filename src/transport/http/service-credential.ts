/**
 * @module Service-to-service credentials: short-lived JWTs (HS256, jose) that say which
 * service is calling, signed with a secret every service of a deployment shares.
 *
 * Signing and verifying cost tens of microseconds, too much per call, so an issuer reuses a
 * token for half its life and a verifier remembers tokens it already checked until shortly
 * before they expire, keyed by the exact token string: a forged token is a different string
 * and goes through jose. A forged, expired or missing credential is UNAUTHORIZED.
 *
 * Secrets rotate without downtime: given several, a service signs with the first and accepts
 * a token signed with any. Deploy `new,old` everywhere, then `new` once no service signs
 * with `old` any more (a token lives `ttlSeconds`).
 */
import { errors, jwtVerify, SignJWT, type JWTVerifyResult } from 'jose';
import { Unauthorized } from '../../kernel/errors.js';

const audience = 'seam-rpc';
const issuer = 'seam';

export interface ServiceCredentials {
  /** A credential naming this service, valid for at least half its lifetime from now. */
  current(): Promise<string>;
  /** The same as `current()` when one is already issued and fresh; undefined means await `current()`. */
  currentIfIssued(): string | undefined;
  /** The calling service's name; UNAUTHORIZED unless the credential is genuine and fresh. */
  verify(credential: string | undefined): Promise<string>;
}

/** A remembered token is checked again this long before it expires, so the cache never outlives jose's verdict. */
const expiryMarginMs = 1000;

export interface ServiceCredentialOptions {
  /** One secret, or several: the first signs, a token signed with any of them is accepted. */
  readonly secret: string | readonly string[];
  /** This service's name, put into the credentials it issues. */
  readonly service: string;
  readonly ttlSeconds?: number;
  /** Verified credentials remembered at most (oldest forgotten first). */
  readonly cacheSize?: number;
}

interface Verified {
  readonly service: string;
  /** Epoch ms after which the token is checked by jose again (and then refused). */
  readonly expiresAt: number;
}

const verifyOptions = { issuer, audience, algorithms: ['HS256'] };

/**
 * Verifies with the signing key, then, if the signature is what failed, each older one. HS256
 * tokens name no key, so a token from a caller still signing with an old secret costs one
 * failed check first; a forged one costs one per secret, no more than a handful.
 */
const verifyWithAny = async (token: string, key: Uint8Array, olderKeys: readonly Uint8Array[]): Promise<JWTVerifyResult> => {
  try {
    return await jwtVerify(token, key, verifyOptions);
  } catch (error) {
    if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw error;
    for (const older of olderKeys) {
      try {
        return await jwtVerify(token, older, verifyOptions);
      } catch {
        // Not this one either.
      }
    }
    throw error;
  }
};

export const serviceCredentials = (options: ServiceCredentialOptions): ServiceCredentials => {
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  if (secrets.length === 0 || secrets.some((secret) => secret.length < 32)) throw new Error('Every service secret must be at least 32 characters, and one is needed');
  const [signingKey, ...olderKeys] = secrets.map((secret) => new TextEncoder().encode(secret));
  const key = signingKey!;
  const ttlSeconds = options.ttlSeconds ?? 60;
  const cacheSize = options.cacheSize ?? 1024;
  let issued: { token: string; renewAt: number } | undefined;
  const verified = new Map<string, Verified>();

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

  const currentIfIssued = (): string | undefined => (issued && Date.now() < issued.renewAt ? issued.token : undefined);

  return {
    current: async () => currentIfIssued() ?? issue(),
    currentIfIssued,
    async verify(credential) {
      if (!credential) throw Unauthorized.create('This endpoint needs a service credential');
      const known = verified.get(credential);
      if (known !== undefined) {
        if (known.expiresAt > Date.now()) return known.service;
        verified.delete(credential);
      }
      try {
        const { payload } = await verifyWithAny(credential, key, olderKeys);
        if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') throw new Error('claims missing');
        if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
        verified.set(credential, { service: payload.sub, expiresAt: payload.exp * 1000 - expiryMarginMs });
        return payload.sub;
      } catch {
        throw Unauthorized.create('The service credential is forged, expired or malformed');
      }
    },
  };
};
