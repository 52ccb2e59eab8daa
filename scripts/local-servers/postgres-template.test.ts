/**
 * @module Proves throwaway PostgreSQL servers start from one template data directory per machine:
 * built once even when servers start together, each server's copy its own, a damaged template
 * rebuilt and one planted by another account ignored.
 */
import { appendFileSync, chmodSync, existsSync, lchownSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from './postgres-server.js';

const query = async <Row extends Record<string, unknown>>(server: PostgresServer, text: string): Promise<Row[]> => {
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    return [...(await sql.unsafe<Row[]>(text))];
  } finally {
    await sql.end();
  }
};

const stopAll = (servers: readonly PostgresServer[]): Promise<unknown> => Promise.all(servers.map((server) => server.stop()));

describe('PostgreSQL template data directory', () => {
  let temp: string;
  let previousTmpdir: string | undefined;

  // A temp dir of this file's own, so it starts with no template and leaves none behind. The
  // tests share it, as processes share a machine's: later ones start from the template made first.
  beforeAll(() => {
    previousTmpdir = process.env['TMPDIR'];
    temp = mkdtempSync(join(tmpdir(), 'seam-template-test-'));
    chmodSync(temp, 0o755); // as root, the servers' own account must reach its temp dirs through this one
    process.env['TMPDIR'] = temp;
  });
  afterAll(() => {
    if (previousTmpdir === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previousTmpdir;
    rmSync(temp, { recursive: true, force: true });
  });

  const templates = (): string[] => readdirSync(temp).filter((name) => name.startsWith('seam-pg-template-'));

  it('servers started together share one template and each gets a cluster of its own', async () => {
    const servers = await Promise.all([startPostgres(), startPostgres({ database: 'other' })]);
    try {
      expect(templates()).toHaveLength(1); // and no half-built one left beside it
      for (const server of servers) expect(statSync(server.dataDir).mode & 0o777).toBe(0o700);
      const [first, second] = servers as [PostgresServer, PostgresServer];
      await query(first, 'create table widget (id int primary key)');
      expect(await query(first, `select to_regclass('widget')::text as name`)).toEqual([{ name: 'widget' }]);
      expect(await query(second, `select to_regclass('widget')::text as name`)).toEqual([{ name: null }]);
    } finally {
      await stopAll(servers);
    }
    const later = await startPostgres();
    try {
      expect(await query(later, `select to_regclass('widget')::text as name`)).toEqual([{ name: null }]);
    } finally {
      await later.stop();
    }
  });

  it('rebuilds a damaged template', async () => {
    const [template] = templates();
    rmSync(join(temp, template!, 'global', 'pg_control'));

    const server = await startPostgres();
    try {
      expect(await query(server, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await server.stop();
    }
    expect(existsSync(join(temp, template!, 'global', 'pg_control'))).toBe(true);
  });

  // Only root can make a directory that belongs to another account.
  it.skipIf(process.getuid?.() !== 0)('ignores a template another account put in the temp dir', async () => {
    const [template] = templates();
    appendFileSync(join(temp, template!, 'postgresql.auto.conf'), "work_mem = '7MB'\n");
    lchownSync(join(temp, template!), 0, 0); // the servers run as an unprivileged account, so root is "another"

    const server = await startPostgres();
    try {
      expect(await query(server, 'show work_mem')).toEqual([{ work_mem: '4MB' }]);
    } finally {
      await server.stop();
    }
  });
});
