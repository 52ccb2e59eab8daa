/**
 * @module The plain shop's bearer-token check: the Seam shop's access tokens (HS256 JWTs,
 * issuer `seam`, audience `seam-api`, subject = user id) verified with jose, as the shop's
 * gateway verifies them (src/kernel/access-token.ts): the key imported once, and a verified
 * token remembered until it expires, so a client that sends the same token with every request
 * pays for one signature check, not one per request.
 */
import { jwtVerify } from 'jose';

/** Verifies a request's Authorization header: the user id, or undefined when it is not a valid token of the shop's. */
export type VerifyBearer = (authorization: string | undefined) => Promise<string | undefined>;

const bearer = /^Bearer\s+(\S+)$/i;
/** Verified tokens remembered at most, as the shop's default. */
const cacheSize = 10_000;

export const bearerVerifier = (secret: string): VerifyBearer => {
  const key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const verified = new Map<string, { userId: string; expiresAt: number }>();
  return async (authorization) => {
    const token = bearer.exec(authorization ?? '')?.[1];
    if (token === undefined) return undefined;
    const known = verified.get(token);
    if (known && known.expiresAt > Date.now()) return known.userId;
    try {
      const { payload } = await jwtVerify(token, await key, { issuer: 'seam', audience: 'seam-api', algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return undefined;
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
      verified.set(token, { userId: payload.sub, expiresAt: payload.exp * 1000 });
      return payload.sub;
    } catch {
      return undefined;
    }
  };
};
