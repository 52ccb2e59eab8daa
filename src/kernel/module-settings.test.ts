import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract } from './contract.js';
import { ConfigError, milliseconds, seconds } from './environment.js';
import { defineModule, type AnyModule } from './module.js';
import { parseModuleSettings, readModuleSettings, type ModuleSettings } from './module-settings.js';

const pingContract = (name: string) =>
  defineContract(name, 1, { methods: { ping: { input: z.object({}), output: z.object({}), errors: [], idempotent: true } } });

const moduleWith = (name: string, settings?: ModuleSettings): AnyModule =>
  defineModule({
    name,
    provides: pingContract(name),
    requires: {},
    schema: name,
    migrations: '/nowhere',
    ...(settings ? { settings } : {}),
    create: () => ({ ping: async () => ({}) }),
  });

const mailSettings = {
  prefix: 'MAIL_',
  schema: z.object({ MAIL_RETRY_SECONDS: seconds(1).default(60), MAIL_SENDER: z.email('expected an email address').optional() }),
} satisfies ModuleSettings;

const searchSettings = { prefix: 'SEARCH_', schema: z.object({ SEARCH_TIMEOUT_MS: milliseconds(10).default(500) }) } satisfies ModuleSettings;

describe('module settings', () => {
  it('parses a module’s variables with their defaults, typed', () => {
    const settings = parseModuleSettings(mailSettings, { MAIL_SENDER: 'shop@example.com' });
    expect(settings).toEqual({ MAIL_RETRY_SECONDS: 60, MAIL_SENDER: 'shop@example.com' });
    expect(parseModuleSettings(mailSettings, { MAIL_RETRY_SECONDS: '5' }).MAIL_RETRY_SECONDS).toBe(5);
  });

  it('hands each module its own variables and nothing else of the environment', () => {
    const peeking = { prefix: 'MAIL_', schema: z.looseObject({ MAIL_RETRY_SECONDS: seconds(1).default(60) }) } satisfies ModuleSettings;
    const parsed = readModuleSettings([moduleWith('mail', peeking), moduleWith('search', searchSettings), moduleWith('plain')], {
      MAIL_RETRY_SECONDS: '30',
      MAIL_EXTRA: 'x',
      SEARCH_TIMEOUT_MS: '250',
      JWT_SECRET: 'a secret no module should see, not even a loose one',
    });
    expect(parsed.get('mail')).toEqual({ MAIL_RETRY_SECONDS: 30, MAIL_EXTRA: 'x' });
    expect(parsed.get('search')).toEqual({ SEARCH_TIMEOUT_MS: 250 });
    expect(parsed.get('plain')).toEqual({});
  });

  it('names every invalid variable of every module in one ConfigError, as loadConfig does', () => {
    const modules = [moduleWith('mail', mailSettings), moduleWith('search', searchSettings)];
    const read = () => readModuleSettings(modules, { MAIL_RETRY_SECONDS: '0', MAIL_SENDER: 'nobody', SEARCH_TIMEOUT_MS: 'soon' });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      [
        'Invalid configuration:',
        '  MAIL_RETRY_SECONDS: expected at least 1 second, got "0"',
        '  MAIL_SENDER: expected an email address, got "nobody"',
        '  SEARCH_TIMEOUT_MS: expected a whole number of milliseconds, got "soon"',
      ].join('\n'),
    );
  });

  it('refuses a variable outside the module’s prefix, one of the framework’s, and a malformed prefix', () => {
    expect(() => moduleWith('mail', { prefix: 'MAIL_', schema: z.object({ SENDER: z.string() }) })).toThrow(
      'Module mail: settings SENDER do not start with its prefix MAIL_',
    );
    expect(() => moduleWith('edge', { prefix: 'PORT', schema: z.object({}) })).toThrow(/settings prefix "PORT" must be .* ending in "_"/);
    expect(() => moduleWith('edge', { prefix: 'SEAM_', schema: z.object({ SEAM_TOPOLOGY: z.string() }) })).toThrow(
      'Module edge: the framework reads SEAM_TOPOLOGY itself; a module setting may not',
    );
  });

  it('refuses two modules whose prefixes overlap: each would read the other’s variables', () => {
    const wide = moduleWith('mail', mailSettings);
    const narrow = moduleWith('digest', { prefix: 'MAIL_DIGEST_', schema: z.object({}) });
    expect(() => readModuleSettings([wide, narrow], {})).toThrow('Modules digest and mail both read MAIL_DIGEST_* variables');
  });
});
