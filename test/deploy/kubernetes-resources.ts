/**
 * @module The Kubernetes resources of a deployment as the checks in kubernetes.ts read them:
 * their types (only the fields the checks read), rendered from `deploy/<target>/k8s` by
 * kustomize, and the small reads every check makes of them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot, type Target } from './targets.js';

// Only the fields the checks read; everything is optional because the input is checked, not trusted.
export type Labels = Record<string, string>;
interface Metadata { name?: string; namespace?: string; labels?: Labels }
interface KeyRef { name?: string; key?: string }
interface EnvVar { name?: string; value?: string; valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef } }
interface EnvFrom { configMapRef?: { name?: string }; secretRef?: { name?: string } }
interface Probe { httpGet?: { path?: string; port?: number | string } }
interface SecurityContext { runAsNonRoot?: boolean; runAsUser?: number }
export interface Container {
  name?: string;
  image?: string;
  command?: string[];
  ports?: { name?: string; containerPort?: number }[];
  env?: EnvVar[];
  envFrom?: EnvFrom[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
}
export interface PodTemplate { metadata?: Metadata; spec?: { securityContext?: SecurityContext; restartPolicy?: string; containers?: Container[] } }
export interface DeploymentSpec { replicas?: number; selector?: { matchLabels?: Labels }; template?: PodTemplate }
export interface ServiceSpecK8s { type?: string; clusterIP?: string; selector?: Labels; ports?: { name?: string; port?: number; targetPort?: number | string }[] }
export interface HpaSpec {
  scaleTargetRef?: { kind?: string; name?: string };
  minReplicas?: number;
  maxReplicas?: number;
  metrics?: { type?: string; resource?: { name?: string } }[];
}
export interface JobSpec { template?: PodTemplate }
export interface Resource {
  apiVersion?: string;
  kind?: string;
  metadata?: Metadata;
  spec?: unknown;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** True when `kubectl` can be run; the Kubernetes checks are skipped without it. */
export const kubectlAvailable = (): boolean => !spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).error;

/** Renders `deploy/<target>/k8s` with kustomize, as `kubectl apply -k` would, and parses every document. */
export const renderKustomize = (target: Target): Resource[] => {
  const text = execFileSync('kubectl', ['kustomize', join(repoRoot, target.dir, 'k8s')], { encoding: 'utf8' });
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(`kustomize output is not YAML: ${document.errors[0]?.message}`);
    return document.toJS() as Resource;
  });
};

export const nameOf = (resource: Resource): string => resource.metadata?.name ?? '(unnamed)';
export const specOf = <T>(resource: Resource): T => (resource.spec ?? {}) as T;
export const selects = (selector: Labels | undefined, labels: Labels | undefined): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);

/** The container port a Service targetPort or probe port names: a number as is, a name through the container's ports. */
export const resolvePort = (port: number | string | undefined, container: Container): number | undefined =>
  typeof port === 'number' ? port : container.ports?.find((candidate) => candidate.name === port)?.containerPort;
