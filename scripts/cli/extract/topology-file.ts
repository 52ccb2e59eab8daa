/**
 * @module A topology file as extract and merge edit it: which service runs which module, a
 * module moved into a service of its own or back, and a comment on the new service that
 * records where it came from, so `seam merge` knows where to put it back.
 */
import { isMap, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Document } from 'yaml';
import { parseTopology, TopologyError } from '../../../src/host/topology.js';
import { CliFailure } from '../cli-errors.js';
import { keyOf, mapAt, pairOf } from './yaml-nodes.js';
import { yamlText, type YamlFiles } from './yaml-files.js';

export interface PlacedService {
  readonly name: string;
  readonly modules: readonly string[];
  readonly gateway: boolean;
  readonly replicas: number;
}

const originComment = (source: string, module: string): string => ` Extracted from "${source}" by seam extract; \`seam merge ${module}\` puts it back there.`;
const originPattern = /Extracted from "([a-z0-9-]+)" by seam extract/;

/** A TopologyError's lines as one line: "Topology f is not valid: a; b". */
const oneLine = (error: TopologyError): string => error.message.replace(/:\n\s*- /, ': ').replace(/\n\s*- /g, '; ');

export class TopologyFile {
  private readonly document: Document;
  private readonly servicesMap: YAMLMap;

  constructor(
    private readonly files: YamlFiles,
    readonly path: string,
  ) {
    const [document] = files.documents(path);
    const services = mapAt(document, 'services');
    if (!document || !services) throw new CliFailure(`${files.shown(path)} has no "services" map: is it a topology file?`);
    this.document = document;
    this.servicesMap = services;
  }

  /** The services as they stand (after the edits so far), with the defaults the loader applies. */
  services(): PlacedService[] {
    return this.servicesMap.items.map((pair) => {
      const spec = isMap(pair.value) ? (pair.value.toJSON() as { modules?: string[]; gateway?: boolean; replicas?: number }) : {};
      return { name: keyOf(pair) ?? '', modules: spec.modules ?? [], gateway: spec.gateway ?? false, replicas: spec.replicas ?? 1 };
    });
  }

  service(name: string): PlacedService | undefined {
    return this.services().find((service) => service.name === name);
  }

  /** Refuses a file the loader would refuse, as one line. */
  check(knownModules: readonly string[]): void {
    try {
      parseTopology(yamlText([this.document]), this.files.shown(this.path), knownModules);
    } catch (error) {
      if (error instanceof TopologyError) throw new CliFailure(`${oneLine(error)} (fix it first)`);
      throw error;
    }
  }

  /** The service `name` was extracted from, as its comment records it. */
  originOf(name: string): string | undefined {
    const pair = pairOf(this.servicesMap, name);
    const comment = isScalar(pair?.key) ? pair.key.commentBefore : undefined;
    return comment ? originPattern.exec(comment)?.[1] : undefined;
  }

  removeModule(service: string, module: string): void {
    const modules = this.modulesOf(service);
    const index = modules.items.findIndex((item) => isScalar(item) && item.value === module);
    if (index !== -1) modules.items.splice(index, 1);
  }

  /** Adds `module` to `service`'s list before the first module that comes after it in `order` (the application's). */
  addModule(service: string, module: string, order: readonly string[]): void {
    const modules = this.modulesOf(service);
    const rank = (name: unknown): number => order.indexOf(String(name));
    const before = modules.items.findIndex((item) => isScalar(item) && rank(item.value) > rank(module));
    modules.items.splice(before === -1 ? modules.items.length : before, 0, new Scalar(module));
  }

  /** A service of its own for `module`, after the others; `origin` is recorded in a comment. */
  addService(name: string, module: string, replicas: number, origin: string | undefined): void {
    const spec = new YAMLMap();
    const modules = new YAMLSeq();
    modules.flow = true;
    modules.items.push(new Scalar(module));
    spec.items.push(new Pair(new Scalar('modules'), modules));
    // The file's own habit: replicas written out when every service writes them.
    const everyoneStatesReplicas = this.servicesMap.items.every((pair) => isMap(pair.value) && pair.value.has('replicas'));
    if (replicas !== 1 || everyoneStatesReplicas) spec.items.push(new Pair(new Scalar('replicas'), new Scalar(replicas)));
    const key = new Scalar(name);
    if (origin !== undefined) key.commentBefore = originComment(origin, module);
    this.servicesMap.items.push(new Pair(key, spec));
  }

  removeService(name: string): void {
    this.servicesMap.delete(name);
  }

  private modulesOf(service: string): YAMLSeq {
    const spec = this.servicesMap.get(service, true);
    if (!isMap(spec)) throw new CliFailure(`${this.files.shown(this.path)}: service "${service}" is not a map`);
    const modules = spec.get('modules', true);
    if (isSeq(modules)) return modules;
    const created = new YAMLSeq();
    created.flow = true;
    spec.items.unshift(new Pair(new Scalar('modules'), created));
    return created;
  }
}
