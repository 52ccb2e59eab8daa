import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { accessTokens } from '../../kernel/access-token.js';
import { openDatabase, type DatabaseHandle } from '../../kernel/database.js';
import type { Logger } from '../../kernel/logger.js';
import { parseModuleSettings } from '../../kernel/module-settings.js';
import { ensureAdmin } from './admin.js';
import { identityModule } from './module.js';
import { users } from './schema.js';
import { adminSettings } from './settings.js';
import { UserRepository, sqlState } from './user.repository.js';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A logger that keeps its lines, to assert what was (and was not) logged. */
const capturingLogger = (): { logger: Logger; lines: LogLine[]; text: () => string } => {
  const raw: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void raw.push(line) });
  return { logger, get lines() { return raw.map((line) => JSON.parse(line) as LogLine); }, text: () => raw.join('') };
};

const warnLevel = 40;

describe('identity module on embedded PGlite', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    await database.migrate({ folder: identityModule.migrations, schema: identityModule.schema });
  });
  // One database for the file (PGlite takes seconds to start), emptied before each test.
  beforeEach(async () => {
    await database.db.delete(users);
  });
  afterAll(async () => database?.close());

  // Identity publishes and consumes no events, so those parts of the context stay inert.
  const start = (env: Record<string, string>, logger: Logger) =>
    identityModule.create({
      name: 'identity',
      deps: {},
      db: database.db,
      logger,
      settings: parseModuleSettings(adminSettings, env),
      runtime: { env: 'test', accessTokens: accessTokens('a test secret of at least thirty-two characters', 3600) },
      events: { publish: async () => randomUUID() },
      on: () => undefined,
      onStop: () => undefined,
    });

  it('creates the admin with a generated password logged once, which signs in; later starts log nothing', async () => {
    const first = capturingLogger();
    const identity = await start({}, first.logger);
    const warnings = first.lines.filter((line) => line.level === warnLevel);
    expect(warnings).toHaveLength(1);
    const password = warnings[0]?.['initialPassword'];
    expect(password).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{24}$/));
    const session = await identity.login({ email: 'admin@seam.local', password: String(password) });
    expect(session.user).toMatchObject({ email: 'admin@seam.local', role: 'admin' });

    const second = capturingLogger();
    await start({}, second.logger);
    expect(second.text()).not.toContain(String(password));
    expect(second.lines.filter((line) => line.level >= warnLevel)).toEqual([]);
  });

  it('uses ADMIN_PASSWORD when set and never logs it or a hash', async () => {
    const log = capturingLogger();
    const identity = await start({ ADMIN_EMAIL: 'Root@Shop.Example', ADMIN_PASSWORD: 'a long admin password' }, log.logger);
    await expect(identity.login({ email: 'root@shop.example', password: 'a long admin password' })).resolves.toMatchObject({ user: { role: 'admin' } });
    expect(log.text()).not.toContain('a long admin password');
    expect(log.text()).not.toContain('scrypt$');
  });

  it('warns, without the password, when ADMIN_PASSWORD is too long for login to accept', async () => {
    const log = capturingLogger();
    await start({ ADMIN_PASSWORD: 'p'.repeat(129) }, log.logger);
    expect(log.lines.filter((line) => line.level === warnLevel).map((line) => line.msg)).toEqual([expect.stringContaining('longer than 128 characters')]);
    expect(log.text()).not.toContain('p'.repeat(129));
  });

  it('makes one admin when two processes start at once; only the winner logs a password', async () => {
    const repository = new UserRepository(database.db);
    const defaults = parseModuleSettings(adminSettings, {});
    const logs = [capturingLogger(), capturingLogger()];
    const outcomes = await Promise.all(logs.map((log) => ensureAdmin(repository, defaults, log.logger)));
    expect(outcomes.sort()).toEqual(['created-with-generated-password', 'lost-race']);
    expect(logs.flatMap((log) => log.lines).filter((line) => 'initialPassword' in line)).toHaveLength(1);
  });

  it('does not promote a customer who holds ADMIN_EMAIL', async () => {
    const repository = new UserRepository(database.db);
    await repository.insert({ email: 'admin@seam.local', name: 'Squatter', role: 'customer', passwordHash: 'scrypt$x' });
    const log = capturingLogger();
    await expect(ensureAdmin(repository, parseModuleSettings(adminSettings, {}), log.logger)).resolves.toBe('email-held-by-customer');
    await expect(repository.findByEmail('admin@seam.local')).resolves.toMatchObject({ role: 'customer' });
  });

  it('turns concurrent inserts of one email into one row and EMAIL_TAKEN for the rest', async () => {
    const repository = new UserRepository(database.db);
    const attempt = () => repository.insert({ email: 'same@example.com', name: 'Same', role: 'customer', passwordHash: 'scrypt$x' });
    const results = await Promise.allSettled([attempt(), attempt(), attempt()]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((result) => result.status === 'rejected')) {
      expect(result.reason).toMatchObject({ code: 'EMAIL_TAKEN', kind: 'conflict' });
    }
  });

  it('reports other insert failures by SQLSTATE, without the hash drizzle would quote', async () => {
    const repository = new UserRepository(database.db);
    const error = await repository.insert({ email: 'UPPER@example.com', name: 'Upper', role: 'customer', passwordHash: 'scrypt$secret-hash' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Inserting into identity.users failed (SQLSTATE 23514)');
    expect((error as Error).cause).toBeUndefined();
  });
});

describe('sqlState', () => {
  it('finds the code on the error or on the driver error drizzle wraps', () => {
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    expect(sqlState(driverError)).toBe('23505');
    expect(sqlState(new Error('Failed query: insert ...', { cause: driverError }))).toBe('23505');
    expect(sqlState(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(sqlState('not an error')).toBeUndefined();
  });
});
