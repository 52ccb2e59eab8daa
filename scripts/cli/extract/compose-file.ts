/**
 * @module A compose file that runs a split topology, as extract and merge edit it. A service
 * is found by its SEAM_SERVICE; a new one copies an existing one-module service (image, shared
 * environment, depends_on, healthcheck; no published port), with a database URL of its own
 * written next to the others (an anchor, where the file uses anchors) and handed to the
 * provisioning service as DATABASE_URL_<SERVICE>. The Prometheus configuration the file
 * mounts, if any, gains or loses the service's scrape job with it (prometheus-scrape-file.ts).
 */
import { Alias, isAlias, isMap, isScalar, Pair, Scalar, type Document, type Node, type YAMLMap } from 'yaml';
import { databaseRoleOf } from '../../../src/host/topology.js';
import { serviceUrlVariable } from '../../../src/host/service-logins.js';
import { CliFailure } from '../cli-errors.js';
import { notSplitMessage, pickTemplate, type DeploymentEditor, type NewService } from './deployment-editor.js';
import { scrapeFileOf, type PrometheusScrapeFile } from './prometheus-scrape-file.js';
import type { TopologyFile } from './topology-file.js';
import { anchoredPair, insertAfterLast, keyOf, mapAt, pairOf, renamedWords, withRole } from './yaml-nodes.js';
import type { YamlFiles } from './yaml-files.js';

interface App {
  readonly name: string;
  readonly pair: Pair;
  readonly spec: YAMLMap;
  readonly env: YAMLMap;
}

const isRoleVariable = (pair: Pair): boolean => /^DATABASE_URL_/.test(keyOf(pair) ?? '');

export class ComposeFile implements DeploymentEditor {
  readonly shown: string;
  private readonly document: Document;
  private readonly services: YAMLMap;
  private readonly provisionEnv: YAMLMap;
  private readonly scrapeFile: PrometheusScrapeFile | undefined;

  constructor(
    files: YamlFiles,
    path: string,
    private readonly topology: TopologyFile,
    /** Each module's settings prefix, for the modules that declare settings. */
    private readonly settingsPrefixes: ReadonlyMap<string, string>,
  ) {
    this.shown = files.shown(path);
    const [document] = files.documents(path);
    const services = mapAt(document, 'services');
    if (!document || !services) throw new CliFailure(`${this.shown} has no "services" map: is it a compose file?`);
    this.document = document;
    this.services = services;
    const provisioner = services.items.map((pair) => mapAt(pair.value as Node, 'environment')).find((env) => env?.items.some(isRoleVariable));
    if (!provisioner) throw new CliFailure(notSplitMessage(this.shown, 'service that provisions a database role per service (DATABASE_URL_<SERVICE>)'));
    this.provisionEnv = provisioner;
    this.scrapeFile = scrapeFileOf(files, services, path);
  }

  notes(): string[] {
    return this.scrapeFile?.notes() ?? [];
  }

  addService(service: NewService): void {
    if (this.app(service.name)) throw new CliFailure(`${this.shown} already has a service running "${service.name}": remove it first`);
    const template = this.template([service.name]);
    const spec = template.spec.clone() as YAMLMap;
    const env = mapAt(spec, 'environment') as YAMLMap;
    (pairOf(env, 'SEAM_SERVICE') as Pair).value = new Scalar(service.name);
    (pairOf(env, 'DATABASE_URL') as Pair).value = this.addCredentials(service.name, template);
    // The template's own module settings are not the new module's; the module's own come with it.
    for (const prefix of this.settingsPrefixesOf(template.name)) env.items = env.items.filter((pair) => !keyOf(pair)?.startsWith(prefix));
    if (service.settings) this.copyInto(env, this.app(service.settings.from), service.settings.prefix);
    // Only the gateway publishes a port.
    spec.delete('ports');
    this.setReplicas(spec, service.replicas);
    const key = new Scalar(service.name);
    key.spaceBefore = isScalar(template.pair.key) && template.pair.key.spaceBefore === true;
    insertAfterLast(this.services.items, new Pair(key, spec), (pair) => this.appNameOf(pair) !== undefined);
    // The new service serves /metrics as the one it copies does, so its job copies that one's, else any Seam service's.
    const seamHosts = this.services.items.flatMap((pair) => (this.appNameOf(pair) === undefined ? [] : (keyOf(pair) ?? [])));
    this.scrapeFile?.addJob(service.name, service.name, [keyOf(template.pair) ?? template.name, ...seamHosts]);
  }

  removeService(name: string): void {
    const app = this.app(name);
    if (!app) return;
    this.removeCredentials(app);
    this.services.items.splice(this.services.items.indexOf(app.pair), 1);
    this.scrapeFile?.removeJob(keyOf(app.pair) ?? name, name);
  }

  addRole(service: string): void {
    const app = this.required(service);
    if (app.env.has('DATABASE_URL')) return;
    const value = this.addCredentials(service, this.template([service]));
    const after = app.env.items.findIndex((pair) => keyOf(pair) === 'SEAM_SERVICE');
    app.env.items.splice(after === -1 ? app.env.items.length : after + 1, 0, new Pair(new Scalar('DATABASE_URL'), value));
  }

  removeRole(service: string): void {
    const app = this.required(service);
    this.removeCredentials(app);
    app.env.delete('DATABASE_URL');
  }

  copySettings(from: string, to: string, prefix: string): void {
    this.copyInto(this.required(to).env, this.app(from), prefix);
  }

  private copyInto(env: YAMLMap, from: App | undefined, prefix: string): void {
    for (const pair of from?.env.items ?? []) {
      const key = keyOf(pair);
      if (key?.startsWith(prefix) && !env.has(key)) env.items.push(pair.clone());
    }
  }

  /** The URL node for `service`'s DATABASE_URL, written after the template's (anchor and all) and given to the provisioner. */
  private addCredentials(service: string, template: App): Node {
    const templateUrl = template.env.get('DATABASE_URL', true);
    const url = (text: string): string => {
      const changed = withRole(text, databaseRoleOf(service), service);
      if (changed === undefined) throw new CliFailure(`${this.shown}: the DATABASE_URL of "${template.name}" has no role to replace (expected postgres://role:password@host/db)`);
      return changed;
    };
    let value: Node;
    if (isAlias(templateUrl)) {
      const anchored = anchoredPair(this.document, templateUrl.source);
      if (!anchored || !isScalar(anchored.pair.value)) throw new CliFailure(`${this.shown}: the anchor *${templateUrl.source} is not a URL`);
      const renamedAnchor = renamedWords(templateUrl.source, new Map([[template.name, service]]));
      const anchor = renamedAnchor === templateUrl.source ? `${service}-db` : renamedAnchor;
      const scalar = new Scalar(url(String(anchored.pair.value.value)));
      scalar.anchor = anchor;
      anchored.map.items.push(new Pair(new Scalar(service), scalar));
      value = new Alias(anchor);
    } else if (isScalar(templateUrl)) {
      value = new Scalar(url(String(templateUrl.value)));
    } else {
      throw new CliFailure(`${this.shown}: service "${template.name}" has no DATABASE_URL to copy`);
    }
    insertAfterLast(this.provisionEnv.items, new Pair(new Scalar(serviceUrlVariable(service)), value.clone()), isRoleVariable);
    return value;
  }

  private removeCredentials(app: App): void {
    const url = app.env.get('DATABASE_URL', true);
    if (isAlias(url)) {
      const anchored = anchoredPair(this.document, url.source);
      if (anchored) anchored.map.items.splice(anchored.map.items.indexOf(anchored.pair), 1);
    }
    this.provisionEnv.delete(serviceUrlVariable(app.name));
  }

  private setReplicas(spec: YAMLMap, replicas: number): void {
    const deploy = mapAt(spec, 'deploy');
    if (replicas === 1) {
      deploy?.delete('replicas');
      if (deploy && deploy.items.length === 0) spec.delete('deploy');
      return;
    }
    if (deploy) {
      deploy.set('replicas', new Scalar(replicas));
      return;
    }
    const created = this.document.createNode({ replicas }) as YAMLMap;
    const environment = spec.items.findIndex((pair) => keyOf(pair) === 'environment');
    spec.items.splice(environment === -1 ? spec.items.length : environment, 0, new Pair(new Scalar('deploy'), created));
  }

  private appNameOf(pair: Pair): string | undefined {
    const env = isMap(pair.value) ? mapAt(pair.value, 'environment') : undefined;
    const name = env?.get('SEAM_SERVICE');
    return typeof name === 'string' ? name : undefined;
  }

  private app(name: string): App | undefined {
    const pair = this.services.items.find((candidate) => this.appNameOf(candidate) === name);
    if (!pair || !isMap(pair.value)) return undefined;
    return { name, pair, spec: pair.value, env: mapAt(pair.value, 'environment') as YAMLMap };
  }

  private required(name: string): App {
    const app = this.app(name);
    if (!app) throw new CliFailure(`${this.shown} has no service with SEAM_SERVICE ${name}: add it, or check that the file runs this topology`);
    return app;
  }

  private settingsPrefixesOf(service: string): string[] {
    return (this.topology.service(service)?.modules ?? []).flatMap((module) => this.settingsPrefixes.get(module) ?? []);
  }

  private template(exclude: readonly string[]): App {
    const placed = this.topology.services();
    const facts = placed.flatMap((service) => {
      const app = this.app(service.name);
      if (!app) return [];
      return [{ name: service.name, hasDatabaseUrl: app.env.has('DATABASE_URL'), gateway: service.gateway, moduleCount: service.modules.length, autoscaled: false, variableCount: app.env.items.length }];
    });
    const name = pickTemplate(facts, exclude);
    if (name === undefined) throw new CliFailure(`${this.shown} has no service with a DATABASE_URL of its own to copy: add one by hand first`);
    return this.app(name) as App;
  }
}
