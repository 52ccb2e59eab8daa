/**
 * @module A kustomize tree that runs a split topology, as extract and merge edit it. A new
 * service's file copies an existing service's Deployment and headless Service, renamed down
 * to the comments; a HorizontalPodAutoscaler scales it from the topology's count (joining the
 * others in hpa.yaml where the tree has one); its DATABASE_URL_<SERVICE> goes into the role
 * Secret and the provisioning Job, and the file into kustomization.yaml.
 */
import { isMap, isNode, isScalar, Pair, Scalar, type Document, type YAMLMap } from 'yaml';
import { databaseRoleOf } from '../../../src/host/topology.js';
import { serviceUrlVariable } from '../../../src/host/service-logins.js';
import { CliFailure } from '../cli-errors.js';
import { pickTemplate, type DeploymentEditor, type NewService } from './deployment-editor.js';
import { containerEnv, envName, hpaTargetOf, kindOf, nameOf, type KustomizeTree, type Located } from './kustomize-tree.js';
import type { TopologyFile } from './topology-file.js';
import { insertAfterLast, keyOf, mapAt, removeWhere, renameAll, withRole } from './yaml-nodes.js';
import { parseYamlFile } from './yaml-files.js';

/** How far above the topology's count a new service's autoscaler may go, when no other autoscaler shows the tree's habit. */
const defaultMaxReplicas = (replicas: number): number => Math.min(100, Math.max(4, replicas * 4));

const autoscalerText = (service: string, replicas: number, topologyShown: string): string => `---
# ${service} scales on CPU, from the count its topology asks for (minReplicas, as in
# ${topologyShown}) up to maxReplicas.
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${service}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${service}
  minReplicas: ${replicas}
  maxReplicas: ${defaultMaxReplicas(replicas)}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
`;

/** Replaces the comment a file opens with (wherever the parser attached it), or writes one. */
const setHeader = (document: Document, text: string): void => {
  const contents = document.contents;
  if (!isNode(contents)) return;
  const firstKey = isMap(contents) ? contents.items[0]?.key : undefined;
  document.commentBefore = null;
  if (isScalar(firstKey) && firstKey.commentBefore) firstKey.commentBefore = text;
  else contents.commentBefore = text;
};

const belongsTo = (document: Document, service: string): boolean => nameOf(document) === service || hpaTargetOf(document) === service;

export class KustomizeDeployment implements DeploymentEditor {
  readonly shown: string;

  constructor(
    private readonly tree: KustomizeTree,
    private readonly topology: TopologyFile,
    /** Each module's settings prefix, for the modules that declare settings. */
    private readonly settingsPrefixes: ReadonlyMap<string, string>,
  ) {
    this.shown = tree.shown;
  }

  addService(service: NewService): void {
    const { name } = service;
    if (this.tree.find('Deployment', name)) throw new CliFailure(`${this.shown} already has a Deployment "${name}": remove it first`);
    const template = this.template([name]);
    const templateFile = template.path;
    const path = this.tree.fileFor(name, templateFile);
    if (this.tree.files.exists(path)) throw new CliFailure(`${this.tree.files.shown(path)} exists already: move it away first`);
    const templateModule = this.topology.service(template.name)?.modules;
    const renames = new Map([
      [template.name, name],
      [serviceUrlVariable(template.name), serviceUrlVariable(name)],
      ...(templateModule?.length === 1 && templateModule[0] !== template.name ? [[templateModule[0] as string, service.module] as const] : []),
    ]);
    // The template's Deployment, its Services (not the gateway's public one) and an autoscaler kept beside them.
    const documents = this.tree.files
      .documents(templateFile)
      .filter((document) => belongsTo(document, template.name))
      .map((document) => document.clone());
    for (const document of documents) renameAll(document, renames);
    // A renamed one-module service's header reads right; a gateway's or a multi-module one's would not.
    const [first] = documents;
    if (first && (templateModule?.length !== 1 || this.topology.service(template.name)?.gateway)) setHeader(first, ` ${name}: runs the ${service.module} module.`);
    const deployment = documents.find((document) => kindOf(document) === 'Deployment') as Document;
    this.carrySettings(deployment, template.name, service);
    const scaledHere = documents.some((document) => hpaTargetOf(document) === name);
    const autoscalers = scaledHere ? undefined : this.tree.autoscalerFile();
    this.leaveReplicasToAutoscaler(deployment, scaledHere ? 'below' : autoscalers ? 'in hpa.yaml' : 'below', service.topologyShown);
    if (scaledHere) {
      for (const hpa of documents.filter((document) => hpaTargetOf(document) === name)) this.setAutoscaling(hpa, service.replicas);
    } else if (autoscalers) {
      this.tree.files.documents(autoscalers).push(this.copiedAutoscaler(autoscalers, name, service.replicas));
    } else {
      documents.push(...parseYamlFile(autoscalerText(name, service.replicas, service.topologyShown), this.shown));
    }
    this.tree.files.create(path, documents);
    this.tree.addResource(path);
    this.addCredentials(name, template.name);
  }

  removeService(name: string): void {
    for (const path of this.tree.resourceFiles()) {
      const documents = this.tree.files.documents(path);
      if (!documents.some((document) => belongsTo(document, name))) continue;
      if (documents.every((document) => belongsTo(document, name))) {
        this.tree.files.remove(path);
        this.tree.removeResource(path);
      } else {
        removeWhere(documents, (document) => belongsTo(document, name));
      }
    }
    this.removeCredentials(name);
  }

  addRole(service: string): void {
    const env = containerEnv(this.deployment(service).document);
    if (!env || env.items.some((item) => envName(item) === 'DATABASE_URL')) return;
    const template = this.template([service]);
    const item = containerEnv(template.document)?.items.find((candidate) => envName(candidate) === 'DATABASE_URL');
    if (!isMap(item)) throw new CliFailure(`${this.shown}: Deployment "${template.name}" has no DATABASE_URL to copy`);
    const copy = item.clone() as YAMLMap;
    renameAll(copy, new Map([[serviceUrlVariable(template.name), serviceUrlVariable(service)]]));
    const after = env.items.findIndex((candidate) => envName(candidate) === 'SEAM_SERVICE');
    env.items.splice(after === -1 ? env.items.length : after + 1, 0, copy);
    this.addCredentials(service, template.name);
  }

  removeRole(service: string): void {
    const env = containerEnv(this.deployment(service).document);
    if (env) removeWhere(env.items, (item) => envName(item) === 'DATABASE_URL');
    this.removeCredentials(service);
  }

  copySettings(from: string, to: string, prefix: string): void {
    const target = containerEnv(this.deployment(to).document);
    const source = containerEnv(this.tree.find('Deployment', from)?.document ?? null);
    for (const item of source?.items ?? []) {
      const name = envName(item);
      if (target && name?.startsWith(prefix) && !target.items.some((existing) => envName(existing) === name)) target.items.push(isMap(item) ? item.clone() : item);
    }
  }

  /** Everything a tree holds for a service is edited here: nothing is left to do by hand. */
  notes(): string[] {
    return [];
  }

  /** The new Deployment drops the template modules' settings and takes its module's own from the service it leaves. */
  private carrySettings(deployment: Document, templateName: string, service: NewService): void {
    const env = containerEnv(deployment);
    if (!env) return;
    const prefixes = (this.topology.service(templateName)?.modules ?? []).flatMap((module) => this.settingsPrefixes.get(module) ?? []);
    removeWhere(env.items, (item) => prefixes.some((prefix) => envName(item)?.startsWith(prefix)));
    const from = service.settings ? containerEnv(this.tree.find('Deployment', service.settings.from)?.document ?? null) : undefined;
    for (const item of from?.items ?? []) {
      if (service.settings && envName(item)?.startsWith(service.settings.prefix) && isMap(item)) env.items.push(item.clone());
    }
  }

  /** An autoscaler owns the count: a Deployment's own replicas would reset its scaling on every apply. */
  private leaveReplicasToAutoscaler(deployment: Document, where: string, topologyShown: string): void {
    const spec = mapAt(deployment, 'spec');
    const index = spec?.items.findIndex((pair) => keyOf(pair) === 'replicas') ?? -1;
    if (!spec || index === -1) return;
    spec.items.splice(index, 1);
    const note = ` No replicas: the HorizontalPodAutoscaler ${where} owns them, from the count the topology\n asks for (minReplicas; ${topologyShown}). Setting them here would reset its\n scaling on every \`kubectl apply\`.`;
    // A comment atop the map described the replicas that were first in it.
    const next = spec.items[index]?.key;
    if (index === 0) spec.commentBefore = note;
    else if (isScalar(next)) next.commentBefore = note;
  }

  private copiedAutoscaler(file: string, service: string, replicas: number): Document {
    const last = this.tree.files.documents(file).at(-1) as Document;
    const copy = last.clone();
    copy.commentBefore = null;
    if (copy.directives) copy.directives.docStart = true;
    renameAll(copy, new Map([[hpaTargetOf(last) ?? '', service], [nameOf(last) ?? '', service]]));
    this.setAutoscaling(copy, replicas);
    return copy;
  }

  private setAutoscaling(hpa: Document, replicas: number): void {
    const spec = mapAt(hpa, 'spec');
    const max = Number(spec?.get('maxReplicas') ?? defaultMaxReplicas(replicas));
    spec?.set('minReplicas', new Scalar(replicas));
    if (max < replicas) spec?.set('maxReplicas', new Scalar(defaultMaxReplicas(replicas)));
  }

  /** DATABASE_URL_<SERVICE> in the role Secret and the provisioning Job, copied from the template's. */
  private addCredentials(service: string, templateName: string): void {
    const variable = serviceUrlVariable(service);
    const secret = this.tree.roleSecret() as YAMLMap;
    const templateUrl = secret.get(serviceUrlVariable(templateName));
    const url = typeof templateUrl === 'string' ? withRole(templateUrl, databaseRoleOf(service), service) : undefined;
    if (url === undefined) throw new CliFailure(`${this.shown}: the Secret has no postgres://role:password@host/db in ${serviceUrlVariable(templateName)} to copy`);
    const isRoleKey = (pair: { key: unknown }): boolean => isScalar(pair.key) && /^DATABASE_URL_/.test(String(pair.key.value));
    insertAfterLast(secret.items, new Pair(new Scalar(variable), new Scalar(url)), isRoleKey);
    const env = this.tree.provisionEnv();
    const item = env?.items.find((candidate) => envName(candidate) === serviceUrlVariable(templateName));
    if (!env || !isMap(item)) throw new CliFailure(`${this.shown}: the provisioning Job has no ${serviceUrlVariable(templateName)} to copy`);
    const copy = item.clone() as YAMLMap;
    renameAll(copy, new Map([[serviceUrlVariable(templateName), variable]]));
    insertAfterLast<unknown>(env.items, copy, (candidate) => /^DATABASE_URL_/.test(envName(candidate) ?? ''));
  }

  private removeCredentials(service: string): void {
    this.tree.roleSecret()?.delete(serviceUrlVariable(service));
    const env = this.tree.provisionEnv();
    if (env) removeWhere(env.items, (item) => envName(item) === serviceUrlVariable(service));
  }

  private deployment(service: string): Located {
    const found = this.tree.find('Deployment', service);
    if (!found) throw new CliFailure(`${this.shown} has no Deployment "${service}": add it, or check that the tree runs this topology`);
    return found;
  }

  private template(exclude: readonly string[]): Located & { readonly name: string } {
    const facts = this.topology.services().flatMap((service) => {
      const deployment = this.tree.find('Deployment', service.name);
      const env = deployment ? containerEnv(deployment.document) : undefined;
      if (!env) return [];
      const hasDatabaseUrl = env.items.some((item) => envName(item) === 'DATABASE_URL');
      return [{ name: service.name, hasDatabaseUrl, gateway: service.gateway, moduleCount: service.modules.length, autoscaled: this.tree.autoscaled(service.name), variableCount: env.items.length }];
    });
    const name = pickTemplate(facts, exclude);
    if (name === undefined) throw new CliFailure(`${this.shown} has no Deployment with a DATABASE_URL of its own to copy: add one by hand first`);
    return { name, ...this.deployment(name) };
  }
}
