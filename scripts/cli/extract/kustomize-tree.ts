/**
 * @module A kustomize directory as extract and merge read it: the files its kustomization
 * lists, the documents in them by kind and name, the Secret that holds each service's
 * DATABASE_URL_<SERVICE> and the provisioning Job that reads them.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isMap, isScalar, Scalar, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { CliFailure } from '../cli-errors.js';
import { notSplitMessage } from './deployment-editor.js';
import { insertAfterLast, mapAt, seqAt, textAt } from './yaml-nodes.js';
import type { YamlFiles } from './yaml-files.js';

export interface Located {
  /** Absolute path of the file. */
  readonly path: string;
  readonly document: Document;
}

export const kindOf = (document: Document): string | undefined => textAt(document, 'kind');
export const nameOf = (document: Document): string | undefined => textAt(document, 'metadata', 'name');
export const hpaTargetOf = (document: Document): string | undefined =>
  kindOf(document) === 'HorizontalPodAutoscaler' ? textAt(document, 'spec', 'scaleTargetRef', 'name') : undefined;

/** The env list of a pod template's first container (a Deployment's or a Job's). */
export const containerEnv = (document: Document | null | undefined): YAMLSeq | undefined => seqAt(document, 'spec', 'template', 'spec', 'containers', 0, 'env');

/** The `name` of an env list item. */
export const envName = (item: unknown): string | undefined => (isMap(item) ? textAt(item, 'name') : undefined);

const isRoleVariable = (name: string | undefined): boolean => /^DATABASE_URL_/.test(name ?? '');

export class KustomizeTree {
  readonly shown: string;
  private readonly kustomizationPath: string;

  constructor(
    readonly files: YamlFiles,
    readonly dir: string,
  ) {
    this.shown = files.shown(dir);
    this.kustomizationPath = join(dir, 'kustomization.yaml');
    if (!this.resources()) throw new CliFailure(`${files.shown(this.kustomizationPath)} lists no resources`);
    if (!this.roleSecret()) throw new CliFailure(notSplitMessage(this.shown, 'Secret with a DATABASE_URL_<SERVICE> per service'));
    if (!this.provisionEnv()) throw new CliFailure(notSplitMessage(this.shown, 'Job that provisions a database role per service (DATABASE_URL_<SERVICE>)'));
  }

  private resources(): YAMLSeq | undefined {
    return seqAt(this.files.documents(this.kustomizationPath)[0], 'resources');
  }

  /** The YAML files the kustomization lists (directories, other kustomizations, are left alone). */
  resourceFiles(): string[] {
    return (this.resources()?.items ?? []).flatMap((item) => {
      if (!isScalar(item)) return [];
      const path = join(this.dir, String(item.value));
      return /\.ya?ml$/.test(path) && this.files.exists(path) && (!existsSync(path) || statSync(path).isFile()) ? [path] : [];
    });
  }

  documents(): Located[] {
    return this.resourceFiles().flatMap((path) => this.files.documents(path).map((document) => ({ path, document })));
  }

  find(kind: string, name: string): Located | undefined {
    return this.documents().find(({ document }) => kindOf(document) === kind && nameOf(document) === name);
  }

  /** The file holding only HorizontalPodAutoscalers (hpa.yaml), where a new one joins the others. */
  autoscalerFile(): string | undefined {
    return this.resourceFiles().find((path) => {
      const documents = this.files.documents(path);
      return documents.length > 0 && documents.every((document) => kindOf(document) === 'HorizontalPodAutoscaler');
    });
  }

  autoscaled(deployment: string): boolean {
    return this.documents().some(({ document }) => hpaTargetOf(document) === deployment);
  }

  /** Lists `path` after the last listed file that holds a Deployment. */
  addResource(path: string): void {
    const resources = this.resources() as YAMLSeq;
    const holdsDeployment = (item: unknown): boolean => {
      if (!isScalar(item)) return false;
      const file = join(this.dir, String(item.value));
      return this.resourceFiles().includes(file) && this.files.documents(file).some((document) => kindOf(document) === 'Deployment');
    };
    insertAfterLast<unknown>(resources.items, new Scalar(relative(this.dir, path)), holdsDeployment);
  }

  removeResource(path: string): void {
    const resources = this.resources() as YAMLSeq;
    resources.items = resources.items.filter((item) => !(isScalar(item) && join(this.dir, String(item.value)) === path));
  }

  /** The stringData of the Secret with the DATABASE_URL_<SERVICE> keys. */
  roleSecret(): YAMLMap | undefined {
    for (const { document } of this.documents()) {
      const data = kindOf(document) === 'Secret' ? mapAt(document, 'stringData') : undefined;
      if (data?.items.some((pair) => isScalar(pair.key) && isRoleVariable(String(pair.key.value)))) return data;
    }
    return undefined;
  }

  /** The env list of the Job that creates the roles from DATABASE_URL_<SERVICE>. */
  provisionEnv(): YAMLSeq | undefined {
    for (const { document } of this.documents()) {
      const env = kindOf(document) === 'Job' ? containerEnv(document) : undefined;
      if (env?.items.some((item) => isRoleVariable(envName(item)))) return env;
    }
    return undefined;
  }

  /** Where a new service's file goes: next to `templateFile`, named after the service. */
  fileFor(service: string, templateFile: string): string {
    return join(dirname(templateFile), `${service}.yaml`);
  }
}
