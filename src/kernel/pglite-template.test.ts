/**
 * @module Proves in-memory PGlite databases opened from a saved empty one start empty and stay
 * independent, and that a damaged saved file is replaced rather than trusted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyDatabaseTemplate, openEmptyInMemory } from './pglite-template.js';

const dir = mkdtempSync(join(tmpdir(), 'seam-pglite-template-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tableExists = async (db: PGlite, name: string): Promise<boolean> =>
  (await db.query<{ present: boolean }>(`select to_regclass($1) is not null as present`, [name])).rows[0]?.present === true;

describe('empty in-memory databases', () => {
  it('opens empty databases that do not share what is written to them', async () => {
    const first = await openEmptyInMemory();
    const second = await openEmptyInMemory();
    try {
      await first.exec(`create table widget (id int primary key); insert into widget values (1)`);
      expect(await tableExists(second, 'widget')).toBe(false);
      const third = await openEmptyInMemory();
      try {
        expect(await tableExists(third, 'widget')).toBe(false);
      } finally {
        await third.close();
      }
      expect((await first.query<{ id: number }>('select id from widget')).rows).toEqual([{ id: 1 }]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('replaces a saved file that does not load', async () => {
    const saved = join(dir, 'damaged.tgz');
    writeFileSync(saved, 'not a tarball');
    const db = await emptyDatabaseTemplate(saved).open();
    try {
      expect((await db.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
    expect(readFileSync(saved).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b])); // a gzip stream now
  });
});
