/**
 * @module What `--subscribe <module>.<Event>` adds to a generated module: the publishers'
 * contracts imported, a handler per event that writes it down in the module's own
 * `heard_events` table and logs it, the inbox that makes a redelivery a no-op, and a test case
 * that delivers each event twice.
 */
import { heardTable } from '../subscriptions.js';
import type { SubscribedTemplate, TemplateContext } from './template-context.js';

/** One import line per publisher's contract.ts, in the order first subscribed. */
export const publisherImports = ({ subscriptions }: TemplateContext): string[] => [
  ...new Map(subscriptions.map(({ contract, contractFromModule }) => [contractFromModule, `import { ${contract} } from '${contractFromModule}';`])).values(),
];

/** The module's `subscribes:` line. */
export const subscribesLine = ({ subscriptions }: TemplateContext): string => {
  const declared = subscriptions.map(({ contract, event }) => `subscription(${contract}, '${event}')`);
  return declared.length === 1 ? `  subscribes: [${declared[0]}],\n` : `  subscribes: [\n${declared.map((line) => `    ${line},\n`).join('')}  ],\n`;
};

const handler = ({ contract, event }: SubscribedTemplate): string => `    on(${contract}, '${event}', async (event, tx) => {
      await new HeardEventRepository(tx).record(event);
      logger.info({ event: event.type, eventId: event.id }, \`\${event.type} received\`);
    });`;

/** The statements of `create` that register the handlers, before the service is built. */
export const handlerStatements = (context: TemplateContext): string => `    // Each handler runs in the transaction that marks its event processed in the inbox, so a
    // redelivered event has no second effect. For now it writes the event down: make it what
    // ${context.names.words} do when it happens (\`event.payload\` is typed from the publisher's contract).
${context.subscriptions.map(handler).join('\n')}
`;

/** The tables schema.ts gains: what the module heard, and its inbox. */
export const heardTables = ({ names }: TemplateContext): string => `

/** The events of other modules this one has heard, one row each (heard-event.repository.ts writes them). */
export const heardEvents = ${names.camel}Schema.table('${heardTable}', {
  eventId: uuid('event_id').primaryKey(),
  /** \`contract/vN#Event\`. */
  eventType: text('event_type').notNull(),
  occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
  heardAt: timestamp('heard_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The events already handled, so a redelivered one has no second effect. */
export const inbox = inboxTable(${names.camel}Schema);`;

/** `heard-event.repository.ts`. */
export const heardRepositoryTemplate = ({ names, paths }: TemplateContext): string => `/**
 * @module The events the ${names.words} module has heard from other modules: written in the
 * transaction of the handler that received each, so the row and the inbox mark commit together.
 */
import type { Database } from '${paths.kernelFromModule}/database.js';
import type { EventEnvelope } from '${paths.kernelFromModule}/events.js';
import { heardEvents } from './schema.js';

export class HeardEventRepository {
  constructor(private readonly db: Database) {}

  /**
   * Writes \`event\` down. The inbox lets each event through once; the primary key refuses a
   * second row for it even to a caller that bypassed the inbox.
   */
  async record(event: EventEnvelope): Promise<void> {
    await this.db.insert(heardEvents).values({ eventId: event.id, eventType: event.type, occurredAt: new Date(event.occurredAt) });
  }
}
`;

/** The generated test's case for the subscriptions: each event delivered twice, heard once. */
export const subscriberTestCase = ({ names, subscriptions }: TemplateContext): string => {
  const types = subscriptions.map(({ contract, event }) => `eventType(${contract}, '${event}')`);
  const table = types.length === 1 ? `[${types[0]}]` : `[\n${types.map((type) => `    ${type},\n`).join('')}  ]`;
  return `

  it.each(${table})('writes %s down and logs it once, however often it is delivered', async (type) => {
    // The handler reads no field of the payload yet: give the event its fields once it does.
    const event: EventEnvelope = { id: randomUUID(), type, payload: {}, occurredAt: '2025-01-01T12:00:00.000Z' };
    await host.deliverLocal('${names.module}', event);
    await host.deliverLocal('${names.module}', event);
    expect(await database.db.select().from(heardEvents).where(eq(heardEvents.eventId, event.id))).toEqual([
      { eventId: event.id, eventType: type, occurredAt: new Date(event.occurredAt), heardAt: expect.any(Date) },
    ]);
    expect(logged.filter((line) => line['eventId'] === event.id)).toEqual([expect.objectContaining({ msg: \`\${type} received\`, event: type })]);
  });`;
};
