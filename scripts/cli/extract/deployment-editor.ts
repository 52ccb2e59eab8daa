/**
 * @module What extract and merge ask of a deployment (a compose file or a kustomize tree):
 * add or remove a service with its own database role, give a service a role or take it away,
 * and carry a module's own settings along. Each deployment copies what it adds from one of
 * its existing services, chosen the same way for both.
 */

/** A service of its own for `module`, added to a deployment. */
export interface NewService {
  readonly name: string;
  readonly module: string;
  readonly replicas: number;
  /** The module's own settings (variables under `prefix`) to copy from the service it leaves, if it leaves one. */
  readonly settings?: { readonly from: string; readonly prefix: string } | undefined;
  /** The topology file, as its comments name it. */
  readonly topologyShown: string;
}

export interface DeploymentEditor {
  /** The compose file or kustomize directory, as messages name it. */
  readonly shown: string;
  addService(service: NewService): void;
  /** Removes the service's own resources: its compose service or files, role entries, autoscaler. */
  removeService(name: string): void;
  /** Gives `service` (which ran no module) a database role of its own. */
  addRole(service: string): void;
  /** Takes the role of `service` (which now runs no module) away. */
  removeRole(service: string): void;
  /** Copies the variables under `prefix` that `from` sets and `to` does not. */
  copySettings(from: string, to: string, prefix: string): void;
  /** What the edits so far leave to the operator, each a sentence without its full stop. */
  notes(): string[];
}

/** What a deployment knows of one of its services, to choose which to copy. */
export interface TemplateFacts {
  readonly name: string;
  /** It connects with its own DATABASE_URL: only such a service shows how a role is wired. */
  readonly hasDatabaseUrl: boolean;
  readonly gateway: boolean;
  readonly moduleCount: number;
  readonly autoscaled: boolean;
  readonly variableCount: number;
}

/**
 * The service to copy: one with a role, not the gateway (whose files carry its public
 * entry), running one module, scaled by an autoscaler as the new one will be, with the
 * fewest variables; ties go to the first in the file.
 */
export const pickTemplate = (facts: readonly TemplateFacts[], exclude: readonly string[]): string | undefined => {
  const rank = (fact: TemplateFacts): number[] => [Number(fact.gateway), Number(fact.moduleCount !== 1), Number(!fact.autoscaled), fact.variableCount];
  const compare = (one: TemplateFacts, other: TemplateFacts): number => {
    const [a, b] = [rank(one), rank(other)];
    const differing = a.findIndex((value, index) => value !== b[index]);
    return differing === -1 ? 0 : (a[differing] ?? 0) - (b[differing] ?? 0);
  };
  return [...facts].filter((fact) => fact.hasDatabaseUrl && !exclude.includes(fact.name)).sort(compare)[0]?.name;
};

/** How a failure names a deployment that runs its topology as one process. */
export const notSplitMessage = (shown: string, missing: string): string =>
  `${shown} has no ${missing}, so it runs its topology as one process and a service cannot be added to it: copy the topology to a file of its own (deploy/<name>.yaml) and extract from that, or extract from a split topology`;
