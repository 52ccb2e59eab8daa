import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { accessTokens } from './access-token.js';
import { loadConfig } from './config.js';
import { defineContract } from './contract.js';
import type { Database, DatabaseHandle } from './database.js';
import { ConfigError } from './environment.js';
import { createLogger } from './logger.js';
import { defineModule, type AnyModule, type ModuleContext } from './module.js';
import { ModuleHost, orderModules } from './module-host.js';

const contractNamed = (name: string) =>
  defineContract(name, 1, {
    methods: { ping: { input: z.object({}), output: z.object({ from: z.array(z.string()) }), errors: [], idempotent: true } },
  });

const a = contractNamed('a');
const b = contractNamed('b');
const c = contractNamed('c');

const moduleProviding = (name: string, provides: ReturnType<typeof contractNamed>, requires: Record<string, ReturnType<typeof contractNamed>>): AnyModule =>
  defineModule({ name, provides, requires, schema: name, migrations: '/nowhere', create: () => ({ ping: async () => ({ from: [name] }) }) });

describe('orderModules', () => {
  it('puts every module after the providers of what it requires', () => {
    const modules = [moduleProviding('ma', a, { b, c }), moduleProviding('mb', b, { c }), moduleProviding('mc', c, {})];
    expect(orderModules(modules).map((module) => module.name)).toEqual(['mc', 'mb', 'ma']);
  });

  it('rejects a cycle, naming its path', () => {
    const modules = [moduleProviding('ma', a, { b }), moduleProviding('mb', b, { a })];
    expect(() => orderModules(modules)).toThrow('Modules require each other in a cycle: ma -> mb -> ma');
  });

  it('rejects a requirement that nothing provides, unless it is bound remotely', () => {
    const modules = [moduleProviding('ma', a, { b })];
    expect(() => orderModules(modules)).toThrow('Module ma requires b/v1, which no module in this process provides');
    expect(orderModules(modules, new Set(['b/v1'])).map((module) => module.name)).toEqual(['ma']);
  });

  it('rejects a contract provided twice', () => {
    expect(() => orderModules([moduleProviding('ma', a, {}), moduleProviding('other', a, {})])).toThrow(
      'Contract a/v1 is provided by both ma and other',
    );
  });
});

describe('defineModule', () => {
  it('rejects names that cannot be a PostgreSQL schema', () => {
    expect(() => moduleProviding('Bad-Name', a, {})).toThrow(/lower-case identifier/);
  });
});

/** A database that records migrations and holds nothing: these modules never query. */
const recordingDatabase = (): DatabaseHandle & { readonly migrated: string[] } => {
  const migrated: string[] = [];
  return {
    db: {} as Database,
    driver: 'pglite',
    migrated,
    migrate: async (source) => void migrated.push(source.schema),
    pendingMigrations: async () => 0,
    ping: async () => undefined,
    close: async () => undefined,
  };
};

const hostOn = (database: DatabaseHandle, env: Record<string, string> = {}) =>
  new ModuleHost({
    database,
    config: loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'the test key that signs access tokens', ...env }),
    logger: createLogger({ level: 'silent' }),
    bind: (_contract, implementation) => implementation,
  });

const greeterSettings = { prefix: 'GREETER_', schema: z.object({ GREETER_WORD: z.string().min(2, 'expected a word').default('hello') }) };

describe('ModuleHost', () => {
  it('migrates in dependency order and injects each requirement, local or remote, building every module once', async () => {
    const built: string[] = [];
    const relaying = (name: string, provides: ReturnType<typeof contractNamed>) =>
      defineModule({
        name,
        provides,
        requires: { next: name === 'ma' ? b : c },
        schema: name,
        migrations: '/nowhere',
        create: ({ deps }) => {
          built.push(name);
          return { ping: async () => ({ from: [name, ...(await deps.next.ping({})).from] }) };
        },
      });
    const database = recordingDatabase();
    const host = hostOn(database);
    host.useRemote(c, { ping: async () => ({ from: ['remote c'] }) });
    await host.start([relaying('ma', a), relaying('mb', b)]);
    expect(database.migrated).toEqual(['mb', 'ma']);
    expect(built).toEqual(['mb', 'ma']);
    await expect(host.api(a).ping({})).resolves.toEqual({ from: ['ma', 'mb', 'remote c'] });
    expect(host.api(b)).toBe(host.api(b));
    await host.stop();
  });

  it('hands a module its own settings and the runtime, never the configuration or other variables', async () => {
    let seen: ModuleContext | undefined;
    const greeter = defineModule({
      name: 'greeter',
      provides: a,
      requires: {},
      schema: 'greeter',
      migrations: '/nowhere',
      settings: greeterSettings,
      create: (context) => {
        seen = context;
        const word: string = context.settings.GREETER_WORD;
        return { ping: async () => ({ from: [word] }) };
      },
    });
    const host = hostOn(recordingDatabase(), { GREETER_WORD: 'hi', OTHER_WORD: 'not for greeter' });
    await host.start([greeter]);
    expect(seen?.settings).toEqual({ GREETER_WORD: 'hi' });
    expect(seen && 'config' in seen).toBe(false);
    expect(seen?.runtime.env).toBe('test');
    // Tokens it issues are signed with the framework's key, so the edge accepts them.
    const issued = await seen?.runtime.accessTokens.issue({ userId: 'u1', email: 'u1@example.com', role: 'customer' });
    const edge = accessTokens('the test key that signs access tokens', 3600);
    await expect(edge.verify(issued?.token ?? '')).resolves.toMatchObject({ userId: 'u1' });
    await host.stop();
  });

  it('refuses a bad module setting before any migration, naming the variable', async () => {
    const greeter = defineModule({
      name: 'greeter',
      provides: a,
      requires: {},
      schema: 'greeter',
      migrations: '/nowhere',
      settings: greeterSettings,
      create: () => ({ ping: async () => ({ from: [] }) }),
    });
    const database = recordingDatabase();
    const start = hostOn(database, { GREETER_WORD: 'x' }).start([greeter]);
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow('GREETER_WORD: expected a word, got "x"');
    expect(database.migrated).toEqual([]);
  });

  it('runs the modules’ stop hooks at stop, the last started first', async () => {
    const stopped: string[] = [];
    const stopping = (name: string, provides: ReturnType<typeof contractNamed>, requires: Record<string, ReturnType<typeof contractNamed>>) =>
      defineModule({
        name,
        provides,
        requires,
        schema: name,
        migrations: '/nowhere',
        create: ({ onStop }) => {
          onStop(() => void stopped.push(name));
          return { ping: async () => ({ from: [] }) };
        },
      });
    const host = hostOn(recordingDatabase());
    await host.start([stopping('ma', a, { b }), stopping('mb', b, {})]);
    await host.stop();
    expect(stopped).toEqual(['ma', 'mb']);
  });
});
