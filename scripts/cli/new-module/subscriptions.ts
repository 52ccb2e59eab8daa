/**
 * @module `--subscribe <module>.<Event>`: the events of the application's other modules that a
 * new module consumes, checked against their contracts before anything is written, and the
 * contract.ts each is imported from (the one file of another module a module may import).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyContract } from '../../../src/kernel/contract.js';
import { eventType } from '../../../src/kernel/events.js';
import type { Application } from '../../../src/host/application.js';
import { CliFailure, UsageError } from '../cli-errors.js';
import { shown, type Project } from '../project.js';
import type { ModuleNames } from './names.js';

/** What `--subscribe reviews.ReviewAdded` asks for, before the application is read. */
export interface SubscriptionRequest {
  readonly module: string;
  readonly event: string;
}

/** One event the new module consumes, as its templates need it. */
export interface SubscribedEvent {
  /** The publishing module, as the application names it. */
  readonly module: string;
  readonly event: string;
  /** `reviews/v1#ReviewAdded`: the type its envelopes carry. */
  readonly type: string;
  /** The publisher's contract.ts (absolute) and the export of it that holds the contract. */
  readonly contractFile: string;
  readonly contractExport: string;
}

const form = /^([a-z][a-z0-9_]*)\.([A-Za-z][A-Za-z0-9]*)$/;

/** The table a subscribing module records its events in; its module name would collide with it. */
export const heardTable = 'heard_events';

/** Parses `<module>.<Event>`; a usage error for anything else. */
export const parseSubscription = (text: string): SubscriptionRequest => {
  const parsed = form.exec(text);
  if (!parsed) throw new UsageError(`--subscribe "${text}" is not <module>.<Event>: name a module of the application and an event of its contract, e.g. --subscribe orders.OrderConfirmed`);
  return { module: parsed[1]!, event: parsed[2]! };
};

/** The export of `file` that is `contract` itself, so the generated import is the very object the module declares. */
const contractExportOf = async (project: Project, module: string, contract: AnyContract, file: string): Promise<string> => {
  const byHand = `seam new module --subscribe imports ${module}'s contract (${contract.id}) from there`;
  if (!existsSync(file)) throw new CliFailure(`${shown(project, file)} not found: ${byHand}`);
  const exported = Object.entries((await import(pathToFileURL(file).href)) as Record<string, unknown>).find(([, value]) => value === contract)?.[0];
  if (exported === undefined) throw new CliFailure(`${shown(project, file)} does not export ${contract.id}: ${byHand}`);
  return exported;
};

/** Refuses two imports of the same name: another contract's export named like one of the new module's own identifiers. */
const assertNoClash = (names: ModuleNames, subscribed: readonly SubscribedEvent[]): void => {
  const own = [`${names.camel}Contract`, `${names.camel}Module`, `${names.pascal}Service`, `${names.one.pascal}Repository`, 'HeardEventRepository', 'heardEvents'];
  const owners = new Map<string, string>(own.map((identifier) => [identifier, names.module]));
  for (const { module, contractExport } of subscribed) {
    const owner = owners.get(contractExport);
    if (owner !== undefined && owner !== module) {
      const other = owner === names.module ? `a name the files of ${names.module} use` : `as ${owner}'s is`;
      throw new CliFailure(`${module}'s contract is exported as ${contractExport}, ${other}: rename that export, or add the subscription by hand`);
    }
    owners.set(contractExport, module);
  }
};

/**
 * Checks each request against the application: the module exists and its contract declares
 * the event (a usage error listing the events it has, otherwise). Each event once.
 */
export const resolveSubscriptions = async (
  project: Project,
  application: Application,
  names: ModuleNames,
  requests: readonly SubscriptionRequest[],
): Promise<SubscribedEvent[]> => {
  if (requests.length > 0 && (names.module === heardTable || names.one.pascal === 'HeardEvent')) {
    throw new UsageError(`"${names.module}" would share its name with the ${heardTable} table a subscribing module records events in: choose another module name`);
  }
  const resolved: SubscribedEvent[] = [];
  for (const { module, event } of requests) {
    const given = `--subscribe ${module}.${event}`;
    const publisher = application.modules.find((candidate) => candidate.name === module);
    if (!publisher) {
      const modules = application.modules.map((candidate) => candidate.name).join(', ');
      throw new UsageError(`${given}: the application has no module ${module} (its modules: ${modules || 'none'})`);
    }
    const contract = publisher.provides;
    if (!Object.hasOwn(contract.events, event)) {
      const events = Object.keys(contract.events);
      throw new UsageError(`${given}: ${contract.id} declares no event ${event} (${events.length > 0 ? `its events: ${events.join(', ')}` : 'it declares no events'})`);
    }
    const type = eventType(contract, event);
    if (resolved.some((subscribed) => subscribed.type === type)) throw new UsageError(`${given} is given twice`);
    const contractFile = join(project.modulesDir, module, 'contract.ts');
    resolved.push({ module, event, type, contractFile, contractExport: await contractExportOf(project, module, contract, contractFile) });
  }
  assertNoClash(names, resolved);
  return resolved;
};
