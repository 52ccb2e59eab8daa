/**
 * @module What an application built on Seam hands the framework: its modules and its public
 * edge, declared in one file (the shop's is src/application.ts). The host starts any
 * service of any topology from this alone, so nothing under kernel/, transport/, host/ or
 * gateway/ names an application's module (a dependency-cruiser rule holds it).
 */
import type { AnyModule } from '../kernel/module.js';
import type { PublicEdge } from '../gateway/public-edge.js';

export interface Application {
  /** The monolith's service name, and the name in every log line it writes. */
  readonly name: string;
  /** In seeding order where modules do not depend on each other. */
  readonly modules: readonly AnyModule[];
  readonly edge: PublicEdge;
}

/** An application, checked: module names are unique identifiers, and every required contract is provided by one of its modules. */
export const defineApplication = (application: Application): Application => {
  const names = new Set<string>();
  for (const module of application.modules) {
    if (names.has(module.name)) throw new Error(`Application ${application.name}: two modules are named ${module.name}`);
    names.add(module.name);
  }
  const provided = new Set(application.modules.map((module) => module.provides.id));
  const required = [...application.modules.flatMap((module) => Object.values(module.requires)), ...Object.values(application.edge.requires)];
  const missing = required.find((contract) => !provided.has(contract.id));
  if (missing) throw new Error(`Application ${application.name}: contract ${missing.id} is required but no module provides it`);
  return application;
};
