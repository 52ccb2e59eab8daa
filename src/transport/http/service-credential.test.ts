import { afterEach, describe, expect, it, vi } from 'vitest';
import { serviceCredentials } from './service-credential.js';

const secret = 'credential-test-secret-credential-test-0123';
const caller = () => serviceCredentials({ secret, service: 'caller' });
const verifier = () => serviceCredentials({ secret, service: 'server' });

afterEach(() => {
  vi.useRealTimers();
});

describe('service credentials', () => {
  it('verifies the same token again and again while it is fresh', async () => {
    const token = await caller().current();
    const server = verifier();
    await expect(server.verify(token)).resolves.toBe('caller');
    await expect(server.verify(token)).resolves.toBe('caller');
  });

  it('reuses an issued token and hands it out synchronously until half its life is gone', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const issuer = serviceCredentials({ secret, service: 'caller', ttlSeconds: 60 });
    expect(issuer.currentIfIssued()).toBeUndefined();
    const first = await issuer.current();
    expect(issuer.currentIfIssued()).toBe(first);
    vi.setSystemTime(Date.now() + 31_000);
    expect(issuer.currentIfIssued()).toBeUndefined();
    expect(await issuer.current()).not.toBe(first);
  });

  it('refuses a remembered token once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00.000Z')); // a whole second: exp is in seconds
    const token = await serviceCredentials({ secret, service: 'caller', ttlSeconds: 60 }).current();
    const server = verifier();
    await expect(server.verify(token)).resolves.toBe('caller');
    vi.setSystemTime(Date.now() + 59_500); // inside the last second: checked by jose again, still valid
    await expect(server.verify(token)).resolves.toBe('caller');
    vi.setSystemTime(Date.now() + 1_000);
    await expect(server.verify(token)).rejects.toMatchObject({ code: 'UNAUTHORIZED', kind: 'unauthenticated' });
  });

  it('refuses forged and tampered tokens while a genuine one is remembered', async () => {
    const genuine = await caller().current();
    const server = verifier();
    await server.verify(genuine);
    const forged = await serviceCredentials({ secret: 'another-secret-another-secret-0123456789', service: 'caller' }).current();
    const [header, , signature] = genuine.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin', iss: 'seam', aud: 'seam-rpc', exp: 9_999_999_999 })).toString('base64url')}.${signature}`;
    for (const token of [forged, tampered, `${genuine}x`]) {
      await expect(server.verify(token)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    await expect(server.verify(genuine)).resolves.toBe('caller');
    await expect(server.verify(undefined)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('signs with the first of several secrets and accepts any of them, so a secret rotates without downtime', async () => {
    const oldSecret = 'old-secret-old-secret-old-secret-0123456789';
    const newSecret = 'new-secret-new-secret-new-secret-0123456789';
    const rotated = serviceCredentials({ secret: [newSecret, oldSecret], service: 'server' });
    const stillOld = await serviceCredentials({ secret: oldSecret, service: 'old-caller' }).current();
    const alreadyNew = await serviceCredentials({ secret: newSecret, service: 'new-caller' }).current();
    await expect(rotated.verify(stillOld)).resolves.toBe('old-caller');
    await expect(rotated.verify(alreadyNew)).resolves.toBe('new-caller');
    // What the rotated service sends is signed with the new secret: a service on `new` alone accepts it.
    const sent = await rotated.current();
    await expect(serviceCredentials({ secret: newSecret, service: 'peer' }).verify(sent)).resolves.toBe('server');
    await expect(serviceCredentials({ secret: oldSecret, service: 'peer' }).verify(sent)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const outsider = await serviceCredentials({ secret: 'other-secret-other-secret-other-0123456789', service: 'outsider' }).current();
    await expect(rotated.verify(outsider)).rejects.toMatchObject({ code: 'UNAUTHORIZED', kind: 'unauthenticated' });
  });

  it('refuses to start without a secret, or with a short one among several', () => {
    expect(() => serviceCredentials({ secret: [], service: 'server' })).toThrow(/at least 32 characters/);
    expect(() => serviceCredentials({ secret: [secret, 'short'], service: 'server' })).toThrow(/at least 32 characters/);
  });
});
