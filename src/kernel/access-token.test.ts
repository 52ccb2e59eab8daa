import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { accessTokens } from './access-token.js';

const secret = 'a-test-secret-that-is-long-enough-123';

describe('accessTokens', () => {
  it('verifies what it issued', async () => {
    const tokens = accessTokens(secret, 3600);
    const issued = await tokens.issue({ userId: 'u1', email: 'a@b.c', role: 'customer' });
    expect(issued.expiresIn).toBe(3600);
    await expect(tokens.verify(issued.token)).resolves.toEqual({ userId: 'u1', email: 'a@b.c', role: 'customer' });
  });

  it('rejects a token signed with another secret, a tampered one and garbage, as UNAUTHORIZED', async () => {
    const ours = accessTokens(secret, 3600);
    const theirs = accessTokens('another-secret-that-is-long-enough-456', 3600);
    const forged = (await theirs.issue({ userId: 'u1', email: 'a@b.c', role: 'admin' })).token;
    const genuine = (await ours.issue({ userId: 'u1', email: 'a@b.c', role: 'customer' })).token;
    const [header, , signature] = genuine.split('.');
    const elevated = `${header}.${Buffer.from(JSON.stringify({ sub: 'u1', email: 'a@b.c', role: 'admin' })).toString('base64url')}.${signature}`;
    for (const token of [forged, elevated, 'not.a.token', '']) {
      await expect(ours.verify(token)).rejects.toMatchObject({ code: 'UNAUTHORIZED', kind: 'unauthenticated' });
    }
  });

  it('rejects an expired token', async () => {
    const key = new TextEncoder().encode(secret);
    const expired = await new SignJWT({ email: 'a@b.c', role: 'customer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setIssuer('seam')
      .setAudience('seam-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key);
    await expect(accessTokens(secret, 3600).verify(expired)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('remembers a verified token only until it expires, and never remembers a bad one', async () => {
    let clock = Date.now();
    const tokens = accessTokens(secret, 60, { now: () => clock, cacheSize: 2 });
    const { token } = await tokens.issue({ userId: 'u1', email: 'a@b.c', role: 'customer' });
    await expect(tokens.verify(token)).resolves.toMatchObject({ userId: 'u1' });
    await expect(tokens.verify(token)).resolves.toMatchObject({ userId: 'u1' }); // from memory
    clock += 61_000;
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    const tampered = `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}A`;
    clock = Date.now();
    await expect(tokens.verify(tampered)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(tokens.verify(tampered)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
