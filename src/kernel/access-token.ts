/**
 * @module Access tokens: short-lived JWTs (HS256, jose) naming a user and a role.
 *
 * The identity module issues them; the gateway verifies them without a call, so checking a
 * token costs a signature check rather than a round trip to wherever identity runs.
 */
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

/**
 * Access tokens signed with `secret`, valid for `ttlSeconds`.
 *
 * @example
 * const tokens = accessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds);
 * const { token } = await tokens.issue({ userId, email, role: 'customer' });
 */
export const accessTokens = (secret: string, ttlSeconds: number): AccessTokens => {
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
        .sign(await key);
      return { token, expiresIn: ttlSeconds };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, await key, { issuer, audience, algorithms: ['HS256'] });
        if (typeof payload.sub !== 'string' || typeof payload['email'] !== 'string' || typeof payload['role'] !== 'string') {
          throw new Error('claims missing');
        }
        return { userId: payload.sub, email: payload['email'], role: payload['role'] };
      } catch {
        throw Unauthorized.create('The access token is missing, malformed, expired or not ours');
      }
    },
  };
};
