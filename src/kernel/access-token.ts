/**
 * @module Access tokens: short-lived JWTs (HS256, jose) naming a user and a role.
 *
 * The module that signs users in issues them (through `ModuleContext.runtime`); the gateway
 * verifies them without a call, so checking a token costs a signature check rather than a
 * round trip to wherever that module runs. A client sends the same token with every request
 * for its lifetime, so a verified token's claims are remembered until it expires: the HMAC
 * check (about half a millisecond through WebCrypto) runs once per token, not once per request.
 */
import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { Unauthorized } from './errors.js';

/** Who a request acts for. */
export interface AccessClaims {
  readonly userId: string;
  readonly email: string;
  readonly role: string;
}

export interface IssuedToken {
  readonly token: string;
  /** Seconds until the token expires. */
  readonly expiresIn: number;
}

export interface AccessTokens {
  issue(claims: AccessClaims): Promise<IssuedToken>;
  /** The claims of a valid, unexpired token; UNAUTHORIZED otherwise. */
  verify(token: string): Promise<AccessClaims>;
}

const issuer = 'seam';
const audience = 'seam-api';

export interface AccessTokenOptions {
  /** Verified tokens remembered at most, the oldest forgotten first (default 10 000). */
  readonly cacheSize?: number;
  /** The clock, in milliseconds; injectable so expiry can be tested without waiting. */
  readonly now?: () => number;
}

/**
 * Access tokens signed with `secret`, valid for `ttlSeconds`.
 *
 * @example
 * const tokens = accessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds);
 * const { token } = await tokens.issue({ userId, email, role: 'customer' });
 */
export const accessTokens = (secret: string, ttlSeconds: number, options: AccessTokenOptions = {}): AccessTokens => {
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? 10_000;
  const verified = new Map<string, { claims: AccessClaims; expiresAt: number }>();
  // Imported once: handing jose raw bytes makes it import the key on every verify, which
  // costs more than the signature check itself.
  const key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  return {
    async issue(claims) {
      const token = await new SignJWT({ email: claims.email, role: claims.role })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        // An id of its own, so two logins in the same second are two tokens: ending one session (a logout) leaves the other.
        .setJti(randomUUID())
        .sign(await key);
      return { token, expiresIn: ttlSeconds };
    },
    async verify(token) {
      const known = verified.get(token);
      if (known && known.expiresAt > now()) return known.claims;
      try {
        const { payload } = await jwtVerify(token, await key, { issuer, audience, algorithms: ['HS256'], currentDate: new Date(now()) });
        if (typeof payload.sub !== 'string' || typeof payload['email'] !== 'string' || typeof payload['role'] !== 'string' || typeof payload.exp !== 'number') {
          throw new Error('claims missing');
        }
        const claims = { userId: payload.sub, email: payload['email'], role: payload['role'] };
        if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
        verified.set(token, { claims, expiresAt: payload.exp * 1000 });
        return claims;
      } catch {
        throw Unauthorized.create('The access token is missing, malformed, expired or not ours');
      }
    },
  };
};
