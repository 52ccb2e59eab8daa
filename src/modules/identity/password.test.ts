import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, unmatchableHash, verifyPassword } from './password.js';

const shape = /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

describe('password hashing', () => {
  it('writes a self-describing scrypt hash that verifies the password and nothing else', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(shape);
    expect(hash).not.toContain('correct horse battery');
    await expect(verifyPassword('correct horse battery', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('salts every hash, so equal passwords hash differently', async () => {
    const [first, second] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(first).not.toBe(second);
    expect(first?.split('$')[4]).not.toBe(second?.split('$')[4]);
  });

  it('does not block the event loop while hashing', async () => {
    let ticked = false;
    setImmediate(() => (ticked = true));
    const hashing = hashPassword('a password of some length');
    expect(ticked).toBe(false);
    await hashing;
    expect(ticked).toBe(true);
  });

  it('matches a password however its accents were composed (NFKC)', async () => {
    const composed = 'caf\u00e9 au lait';
    const decomposed = 'cafe\u0301 au lait';
    await expect(verifyPassword(decomposed, await hashPassword(composed))).resolves.toBe(true);
  });

  it('verifies with the parameters stored in the hash, so older, cheaper hashes keep working', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('an older password', salt, 32, { N: 1024, r: 8, p: 1 });
    const old = `scrypt$1024$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`;
    await expect(verifyPassword('an older password', old)).resolves.toBe(true);
    await expect(verifyPassword('another password', old)).resolves.toBe(false);
  });

  it('gives an unmatchable hash that is well formed and matches no password', async () => {
    const decoy = unmatchableHash();
    expect(decoy).toMatch(shape);
    for (const password of ['', 'password', 'x'.repeat(128)]) await expect(verifyPassword(password, decoy)).resolves.toBe(false);
  });

  it.each([
    ['another algorithm', 'bcrypt$10$8$1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg'],
    ['a cost that is not a power of two', 'scrypt$1000$8$1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg'],
    ['a cost beyond the bound', `scrypt$${2 ** 24}$8$1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg`],
    ['a missing field', 'scrypt$32768$8$1$MDEyMzQ1Njc4OWFiY2RlZg'],
    ['an extra field', 'scrypt$32768$8$1$MDEyMzQ1Njc4OWFiY2RlZg$MDEyMzQ1Njc4OWFiY2RlZg$x'],
    ['a salt that is not base64url', 'scrypt$32768$8$1$not base64!!!!!!!!!$MDEyMzQ1Njc4OWFiY2RlZg'],
  ])('refuses a stored hash with %s, without echoing it', async (_, hash) => {
    const error = await verifyPassword('password', hash).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain(hash);
  });

  it('generates strong random passwords', () => {
    const passwords = new Set(Array.from({ length: 20 }, generatePassword));
    expect(passwords.size).toBe(20);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });
});
