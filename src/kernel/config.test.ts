import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs with nothing set: embedded database, port 3000, loopback, validation on, seeding in dev', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      host: '127.0.0.1',
      port: 3000,
      database: { kind: 'pglite', dataDir: '.seam/pglite' },
      validateContracts: true,
      seedWhenEmpty: true,
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://app@db:5432/shop' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://app@db:5432/shop',
    });
  });

  it('defaults production to all interfaces, no boundary validation and no sample data', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(32) })).toMatchObject({
      host: '0.0.0.0',
      validateContracts: false,
      seedWhenEmpty: false,
    });
  });

  it('makes a token secret outside production, says so, and requires one in production', () => {
    const first = loadConfig({});
    expect(first.auth.jwtSecretGenerated).toBe(true);
    expect(first.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}).auth.jwtSecret).not.toBe(first.auth.jwtSecret);
    expect(loadConfig({ JWT_SECRET: 'k'.repeat(40) }).auth).toMatchObject({ jwtSecret: 'k'.repeat(40), jwtSecretGenerated: false });
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required in production/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: expected a secret of at least 32 characters/);
  });

  it('lets explicit settings win over the environment defaults', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's'.repeat(32), HOST: '127.0.0.2', SEAM_VALIDATE: 'on', SEAM_SEED: 'auto', PORT: '0' });
    expect(config).toMatchObject({ host: '127.0.0.2', validateContracts: true, seedWhenEmpty: true, port: 0 });
  });

  it('names the variable, what was expected and what was given', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT: expected a whole number from 0 to 65535, got "abc"/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT: .*got "70000"/);
  });

  it('reports every invalid variable at once', () => {
    let message = '';
    try {
      loadConfig({ PORT: '-1', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', SEAM_VALIDATE: 'yes' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PORT:');
    expect(message).toContain('DATABASE_URL: expected a postgres:// or postgresql:// connection URL, got "mysql://x"');
    expect(message).toContain('LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"');
    expect(message).toContain('SEAM_VALIDATE: expected "on" or "off", got "yes"');
  });
});
