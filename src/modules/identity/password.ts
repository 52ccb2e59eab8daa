/**
 * @module Password hashing with scrypt (node:crypto), as self-describing strings.
 *
 * A hash reads `scrypt$N$r$p$salt$hash` (salt and hash base64url), so the cost can be raised
 * later without invalidating existing hashes: each one carries the parameters it was made
 * with. scrypt runs on libuv's thread pool, never on the event loop.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** 2^15 × 8 × 128 bytes = 32 MiB and some tens of milliseconds per hash: costly to guess offline, cheap enough to sign in. */
const current: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const saltBytes = 16;
const keyBytes = 32;
const prefix = 'scrypt';

// Bounds on what a stored hash may ask for, so a corrupt row cannot demand gigabytes.
const maxN = 2 ** 20;
const maxR = 32;
const maxP = 16;

const derive = (password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> => {
  // Node refuses above maxmem (32 MiB by default), which the current parameters just reach.
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    // NFKC: the same password typed on two keyboards (composed or decomposed é) must match.
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
};

const encode = (params: ScryptParams, salt: Buffer, key: Buffer): string =>
  [prefix, params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');

const wholeIn = (text: string | undefined, min: number, max: number): number | undefined => {
  if (text === undefined || !/^\d{1,8}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
};

const decode = (hash: string): { params: ScryptParams; salt: Buffer; key: Buffer } => {
  const [name, n, r, p, salt, key, ...rest] = hash.split('$');
  const N = wholeIn(n, 2, maxN);
  const R = wholeIn(r, 1, maxR);
  const P = wholeIn(p, 1, maxP);
  const base64url = /^[A-Za-z0-9_-]{16,}$/;
  if (name !== prefix || rest.length > 0 || N === undefined || (N & (N - 1)) !== 0 || R === undefined || P === undefined
    || salt === undefined || key === undefined || !base64url.test(salt) || !base64url.test(key)) {
    // Never echo the hash: error messages end up in logs.
    throw new Error('Stored password hash is not in the scrypt$N$r$p$salt$hash format');
  }
  return { params: { N, r: R, p: P }, salt: Buffer.from(salt, 'base64url'), key: Buffer.from(key, 'base64url') };
};

/** Hashes `password` with a fresh random salt and the current parameters. */
export const hashPassword = async (password: string): Promise<string> => {
  const salt = randomBytes(saltBytes);
  return encode(current, salt, await derive(password, salt, keyBytes, current));
};

/**
 * True when `password` matches `hash`. Compares in constant time; throws only when `hash`
 * is not a hash this module wrote.
 */
export const verifyPassword = async (password: string, hash: string): Promise<boolean> => {
  const stored = decode(hash);
  const candidate = await derive(password, stored.salt, stored.key.length, stored.params);
  return candidate.length === stored.key.length && timingSafeEqual(candidate, stored.key);
};

/**
 * A well-formed hash that no password matches (its key is random, not derived), costing a
 * real verification. Checking a sign-in for an unknown email against it takes as long as
 * checking a real account, so response times do not reveal which emails are registered.
 */
export const unmatchableHash = (): string => encode(current, randomBytes(saltBytes), randomBytes(keyBytes));

/** A random password of 24 characters (144 bits), for accounts nobody chose one for. */
export const generatePassword = (): string => randomBytes(18).toString('base64url');
