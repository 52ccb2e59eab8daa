/**
 * @module The logic of a generated module: the service that implements its contract, and
 * the repository, the only file of the module that writes SQL.
 */
import type { TemplateContext } from './template-context.js';

/** `<module>.service.ts`: the contract's implementation. */
export const serviceTemplate = ({ names, events, paths }: TemplateContext): string => {
  const { camel, pascal, one } = names;
  const method = `add${one.pascal}`;
  const publisherImport = events ? `\nimport type { EventPublisher } from '${paths.kernelFromModule}/events.js';` : '';
  const store = `private readonly ${camel}: ${one.pascal}Store`;
  const constructorParameters = events ? `\n    ${store},\n    private readonly events: EventPublisher<typeof ${camel}Contract>,\n  ` : store;
  const insert = events
    ? `const added = await this.${camel}.insert({ id: randomUUID(), ...input }, async (tx, inserted) => {
      // Published in the insert's transaction: the event exists exactly when the ${one.words} does.
      await this.events.publish(tx, '${one.pascal}Added', { ${one.camel}Id: inserted.id, ownerId: inserted.ownerId, title: inserted.title });
    });`
    : `const added = await this.${camel}.insert({ id: randomUUID(), ...input });`;
  return `/**
 * @module The ${names.words} module's implementation of its contract.
 */
import { randomUUID } from 'node:crypto';
import type { MethodInput, MethodOutput } from '${paths.kernelFromModule}/contract.js';${publisherImport}
import { ${one.pascal}AlreadyExists, type ${camel}Contract, type ${pascal}Api } from './contract.js';
import type { ${one.pascal}Store } from './${one.kebab}.repository.js';

type Input<M extends keyof ${pascal}Api> = MethodInput<typeof ${camel}Contract, M>;
type Output<M extends keyof ${pascal}Api> = Promise<MethodOutput<typeof ${camel}Contract, M>>;

export class ${pascal}Service implements ${pascal}Api {
  constructor(${constructorParameters}) {}

  async ${method}(input: Input<'${method}'>): Output<'${method}'> {
    ${insert}
    if (!added) {
      throw ${one.pascal}AlreadyExists.create(\`\${input.ownerId} has a ${one.words} titled "\${input.title}" already\`, { ownerId: input.ownerId, title: input.title });
    }
    return added;
  }
}
`;
};

/** `<one>.repository.ts`: the rows, behind an interface the service depends on. */
export const repositoryTemplate = ({ names, events, paths }: TemplateContext): string => {
  const { camel, one } = names;
  const afterType = events
    ? `

/** Runs inside the insert's transaction, with the new ${one.words} (to publish its event). */
export type AfterInsert = (tx: Database, inserted: ${one.pascal}) => Promise<void>;`
    : '';
  const storeMethod = events
    ? `  /** Inserts the ${one.words}, then runs \`after\` in the same transaction; undefined when the owner has one with that title. */
  insert(values: New${one.pascal}, after: AfterInsert): Promise<${one.pascal} | undefined>;`
    : `  /** Inserts the ${one.words}; undefined when the owner has one with that title. */
  insert(values: New${one.pascal}): Promise<${one.pascal} | undefined>;`;
  const insertStatement = (db: string): string =>
    `await ${db}.insert(${camel}).values(values).onConflictDoNothing({ target: [${camel}.ownerId, ${camel}.title] }).returning()`;
  const implementation = events
    ? `  async insert(values: New${one.pascal}, after: AfterInsert): Promise<${one.pascal} | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = ${insertStatement('tx')};
      if (!row) return undefined;
      const inserted = to${one.pascal}(row);
      await after(tx, inserted);
      return inserted;
    });
  }`
    : `  async insert(values: New${one.pascal}): Promise<${one.pascal} | undefined> {
    const [row] = ${insertStatement('this.db')};
    return row ? to${one.pascal}(row) : undefined;
  }`;
  return `/**
 * @module ${one.pascal} rows. The only file of the ${names.words} module that writes SQL.
 */
import type { Database } from '${paths.kernelFromModule}/database.js';
import type { ${one.pascal} } from './contract.js';
import { ${camel} } from './schema.js';

export type ${one.pascal}Row = typeof ${camel}.$inferSelect;

export interface New${one.pascal} {
  readonly id: string;
  readonly ownerId: string;
  readonly title: string;
}${afterType}

/** What the service reads and writes; the repository below is its PostgreSQL implementation. */
export interface ${one.pascal}Store {
${storeMethod}
}

const to${one.pascal} = (row: ${one.pascal}Row): ${one.pascal} => ({
  id: row.id,
  ownerId: row.ownerId,
  title: row.title,
  createdAt: row.createdAt.toISOString(),
});

export class ${one.pascal}Repository implements ${one.pascal}Store {
  constructor(private readonly db: Database) {}

${implementation}
}
`;
};
