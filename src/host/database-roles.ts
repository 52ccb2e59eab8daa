/**
 * @module Data ownership in the database: in a split deployment each service connects as its
 * own PostgreSQL role, which owns its modules' schemas and has no right on any other. A bug or
 * a shortcut in one service then cannot read or write another's tables: PostgreSQL refuses.
 *
 * Provisioning is idempotent (run it on every deploy): it creates missing roles and schemas,
 * sets passwords, and hands over tables an earlier deployment (the monolith, connecting as
 * one user) created, so a schema keeps its data when its module moves out.
 */
import postgres from 'postgres';
import type { Logger } from '../kernel/logger.js';

/** One service's login and the schemas it owns. */
export interface ServiceLogin {
  readonly service: string;
  readonly role: string;
  readonly password: string;
  readonly schemas: readonly string[];
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/** Quotes a name we checked is a plain identifier; anything else is refused, not escaped. */
const ident = (name: string): string => {
  if (!identifier.test(name)) throw new Error(`"${name}" is not a plain lower-case identifier`);
  return `"${name}"`;
};

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

type Sql = postgres.TransactionSql;

const ensureRole = async (sql: Sql, login: ServiceLogin): Promise<void> => {
  const [exists] = await sql`select 1 from pg_roles where rolname = ${login.role}`;
  // No superuser, no role or database creation: the role owns its schemas and that is all.
  const attributes = `login nosuperuser nocreatedb nocreaterole noinherit password ${literal(login.password)}`;
  await sql.unsafe(`${exists ? 'alter' : 'create'} role ${ident(login.role)} with ${attributes}`);
  const [database] = await sql<{ name: string }[]>`select current_database() as name`;
  // CREATE on the database: drizzle's migrator runs "create schema if not exists", which
  // PostgreSQL checks against this right even when the schema is there already.
  await sql.unsafe(`grant connect, create on database ${ident(database!.name)} to ${ident(login.role)}`);
};

/** Gives `role` the schema and everything in it that another role created earlier. */
const ensureSchemaOwned = async (sql: Sql, schema: string, role: string): Promise<number> => {
  await sql.unsafe(`create schema if not exists ${ident(schema)} authorization ${ident(role)}`);
  await sql.unsafe(`alter schema ${ident(schema)} owner to ${ident(role)}`);
  await sql.unsafe(`revoke all on schema ${ident(schema)} from public`);
  // Tables first: a sequence that belongs to a column changes hands with its table and
  // refuses to be given away on its own.
  const relations = await sql<{ name: string; kind: string }[]>`
    select c.relname as name, c.relkind as kind
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema}
      and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
      and pg_get_userbyid(c.relowner) <> ${role}
      and not (c.relkind = 'S' and exists (
        select 1 from pg_depend d where d.objid = c.oid and d.classid = 'pg_class'::regclass and d.deptype in ('a', 'i')))
    order by (c.relkind = 'S'), c.relname`;
  for (const relation of relations) {
    const kind = relation.kind === 'S' ? 'sequence' : relation.kind === 'v' ? 'view' : relation.kind === 'm' ? 'materialized view' : relation.kind === 'f' ? 'foreign table' : 'table';
    await sql.unsafe(`alter ${kind} ${ident(schema)}.${ident(relation.name)} owner to ${ident(role)}`);
  }
  return relations.length;
};

/**
 * Creates or updates every service's role and hands it its schemas, over `adminUrl` (a
 * superuser, or a role with CREATEROLE that owns the schemas).
 */
export const provisionDatabaseRoles = async (adminUrl: string, logins: readonly ServiceLogin[], logger: Logger): Promise<void> => {
  const owners = new Map<string, string>();
  for (const login of logins) {
    for (const schema of login.schemas) {
      const owner = owners.get(schema);
      if (owner !== undefined && owner !== login.role) throw new Error(`Schema ${schema} would belong to both ${owner} and ${login.role}`);
      owners.set(schema, login.role);
    }
  }
  const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    // One at a time and under a lock: two provisioning jobs racing must not half-create a role.
    await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('seam.provision-roles'))`;
      for (const login of logins) {
        await ensureRole(tx, login);
        let moved = 0;
        for (const schema of login.schemas) moved += await ensureSchemaOwned(tx, schema, login.role);
        logger.info({ service: login.service, role: login.role, schemas: login.schemas, handedOver: moved }, 'database role provisioned');
      }
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
};
