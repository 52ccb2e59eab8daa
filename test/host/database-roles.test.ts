/**
 * Data ownership: in a split deployment each service logs in as its own role, owns its
 * modules' schemas and cannot touch another module's tables. Real PostgreSQL.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionDatabaseRoles, type ServiceLogin } from '../../src/host/database-roles.js';
import { application } from '../../src/application.js';
import { serviceLoginsFromEnv } from '../../src/host/service-logins.js';
import { monolithTopology, parseTopology } from '../../src/host/topology.js';
import { openDatabase } from '../../src/kernel/database.js';
import { createLogger } from '../../src/kernel/logger.js';
import { catalogModule } from '../../src/modules/catalog/module.js';
import { inventoryModule } from '../../src/modules/inventory/module.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

const logger = createLogger({ level: 'silent' });
const known = application.modules.map((module) => module.name);

const login = (service: string, schemas: string[]): ServiceLogin => ({ service, role: `seam_${service}`, password: `pw-${service}-'quoted'`, schemas });

const urlAs = (adminUrl: string, role: string, password: string): string => {
  const url = new URL(adminUrl);
  url.username = role;
  url.password = password;
  return url.toString();
};

describe('per-service database roles', () => {
  let server: PostgresServer;
  const connections: postgres.Sql[] = [];
  const connect = (url: string): postgres.Sql => {
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    connections.push(sql);
    return sql;
  };

  beforeAll(async () => {
    server = await startPostgres();
    // The monolith ran first, as the admin user: catalog's tables exist, owned by postgres.
    const monolith = await openDatabase({ kind: 'postgres', url: server.url });
    await monolith.migrate({ folder: catalogModule.migrations, schema: catalogModule.schema });
    await monolith.close();
  });
  afterAll(async () => {
    await Promise.all(connections.map((sql) => sql.end({ timeout: 1 })));
    await server?.stop();
  });

  it('gives each service its schemas, takes over tables the monolith made, and shuts every other schema', async () => {
    const logins = [login('catalog', ['catalog']), login('inventory', ['inventory'])];
    await provisionDatabaseRoles(server.url, logins, logger);
    await provisionDatabaseRoles(server.url, logins, logger); // idempotent: a second deploy changes nothing

    // Each service migrates its own schema as its own role.
    for (const [module, entry] of [[catalogModule, logins[0]!], [inventoryModule, logins[1]!]] as const) {
      const database = await openDatabase({ kind: 'postgres', url: urlAs(server.url, entry.role, entry.password) });
      await database.migrate({ folder: module.migrations, schema: module.schema });
      await database.close();
    }

    const admin = connect(server.url);
    const owners = await admin<{ schema: string; owner: string }[]>`
      select n.nspname as schema, pg_get_userbyid(c.relowner) as owner
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('catalog', 'inventory') and c.relkind = 'r' group by 1, 2 order by 1`;
    expect(owners).toEqual([
      { schema: 'catalog', owner: 'seam_catalog' },
      { schema: 'inventory', owner: 'seam_inventory' },
    ]);

    const catalog = connect(urlAs(server.url, 'seam_catalog', logins[0]!.password));
    await expect(catalog`select count(*)::int as n from catalog.products`).resolves.toEqual([{ n: 0 }]);
    await expect(catalog`select * from inventory.stock_levels`).rejects.toThrow(/permission denied for schema inventory/);
    await expect(catalog`insert into inventory.stock_levels (product_id, available) values (gen_random_uuid(), 1)`).rejects.toThrow(
      /permission denied for schema inventory/,
    );

    const inventory = connect(urlAs(server.url, 'seam_inventory', logins[1]!.password));
    await expect(inventory`select * from catalog.products`).rejects.toThrow(/permission denied for schema catalog/);
    await expect(inventory`drop schema catalog cascade`).rejects.toThrow(/must be owner of schema catalog/);
  });

  it('refuses a wrong password: the role really needs its own secret', async () => {
    // The throwaway server trusts loopback logins, so prove the password was set instead.
    const admin = connect(server.url);
    const [row] = await admin<{ set: boolean }[]>`select rolpassword is not null as set from pg_authid where rolname = 'seam_catalog'`;
    expect(row?.set).toBe(true);
  });

  it('reads each service role from DATABASE_URL_<SERVICE>, and names the variables that are missing', () => {
    // Every module placed, whatever modules the application has: two in one service, the rest in the other.
    const [first = '', second = '', ...rest] = known;
    const topology = parseTopology(
      `services:\n  gateway: { gateway: true }\n  web-shop: { modules: [${first}, ${second}] }\n  back: { modules: [${rest.join(', ')}] }\n`,
      'test.yaml',
      known,
    );
    const logins = serviceLoginsFromEnv(topology, application.modules, {
      DATABASE_URL_WEB_SHOP: 'postgres://seam_web_shop:s%40cret@db/seam',
      DATABASE_URL_BACK: 'postgres://seam_back:other@db/seam',
    });
    expect(logins).toEqual([
      { service: 'web-shop', role: 'seam_web_shop', password: 's@cret', schemas: [first, second] },
      { service: 'back', role: 'seam_back', password: 'other', schemas: rest },
    ]);
    expect(() => serviceLoginsFromEnv(topology, application.modules, { DATABASE_URL_BACK: 'postgres://db/seam' })).toThrow(
      /DATABASE_URL_WEB_SHOP: expected the postgres:\/\/ URL service web-shop connects with, it is not set\n {2}DATABASE_URL_BACK: expected a URL with the service's role and password/,
    );
    expect(serviceLoginsFromEnv(monolithTopology(known, 'shop'), application.modules, { DATABASE_URL_SHOP: 'postgres://app:pw@db/seam' })[0]?.schemas).toHaveLength(known.length);
  });

  it('refuses to give one schema to two roles', async () => {
    await expect(provisionDatabaseRoles(server.url, [login('a', ['catalog']), login('b', ['catalog'])], logger)).rejects.toThrow(
      /Schema catalog would belong to both seam_a and seam_b/,
    );
  });
});
