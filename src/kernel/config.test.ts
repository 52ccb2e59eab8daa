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
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ host: '0.0.0.0', validateContracts: false, seedWhenEmpty: false });
  });

  it('lets explicit settings win over the environment defaults', () => {
    const config = loadConfig({ NODE_ENV: 'production', HOST: '127.0.0.2', SEAM_VALIDATE: 'on', SEAM_SEED: 'auto', PORT: '0' });
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
