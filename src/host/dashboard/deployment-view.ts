/**
 * @module The rest of a split deployment as the gateway's dashboard sees it: every other
 * instance, of its own service (other replicas) and of every other service (listed by
 * discovery now or lately), each asked whether it is ready,
 * with the state of this process's breakers towards that service; a trace's spans as every
 * listed instance keeps them; and the traces a search finds there. Every instance is asked in
 * parallel, with a short timeout, and one that does not answer is named, not an error.
 */
import type { Dispatcher } from 'undici';
import type { Discovery } from '../../transport/discovery/discovery.js';
import type { ServiceCredentials } from '../../transport/http/service-credential.js';
import type { BreakerReading, BreakerStates } from '../breaker-states.js';
import type { RecordedSpan } from '../span-buffer.js';
import type { ServiceSpec, Topology } from '../topology.js';
import { instanceRoster, type RosterEntry } from './instance-roster.js';
import { fetchPeerMatches, fetchPeerRecentSpans, fetchPeerSpans, probeReadiness, type PeerAnswer, type Readiness } from './peer-requests.js';

export type InstanceHealth = Readiness | { readonly state: 'gone'; readonly detail: string };

export interface InstanceStatus {
  /** Discovery's id for it. */
  readonly id: string;
  readonly url: string;
  /** The instance id it gave in its last readiness answer (SEAM_INSTANCE_ID), kept once it stops answering. */
  readonly name: string | undefined;
  readonly lastSeenMs: number;
  readonly health: InstanceHealth;
}

export interface RemoteServiceStatus {
  readonly service: string;
  readonly instances: readonly InstanceStatus[];
  /** This process's breakers towards the service, one per contract of it this process calls. */
  readonly breakers: readonly BreakerReading[];
}

/** An instance that did not answer, and why: what the page shows may lack its part. */
export interface Unanswered {
  readonly service: string;
  readonly url: string;
  readonly detail: string;
}

export interface TraceSpans {
  readonly spans: readonly RecordedSpan[];
  readonly unanswered: readonly Unanswered[];
}

export interface TraceMatches {
  readonly traceIds: ReadonlySet<string>;
  readonly unanswered: readonly Unanswered[];
}

export interface DeploymentView {
  /**
   * This process's service (its other instances: gateway replicas, say), then every other
   * service of the topology, each with the instances discovery lists.
   */
  services(): Promise<RemoteServiceStatus[]>;
  traceSpans(traceId: string): Promise<TraceSpans>;
  /** The spans of the latest traces this process's service's instances keep (its own among them). */
  replicasRecentSpans(): Promise<TraceSpans>;
  /** The traces `search` finds among the other services' spans (by an order id, say). */
  matchingTraces(search: string): Promise<TraceMatches>;
  stop(): void;
}

export interface DeploymentViewOptions {
  readonly topology: Topology;
  /** The service this process runs. */
  readonly local: ServiceSpec;
  /** This process's instance id (SEAM_INSTANCE_ID): the instance of `local` not to list again. */
  readonly instanceId: string;
  readonly discovery: Discovery;
  readonly breakers: BreakerStates;
  /** This service's credential: other services serve their spans to a gateway only. */
  readonly credentials: ServiceCredentials;
  readonly dispatcher?: Dispatcher;
  /** How long one instance may take to answer (default 1 s). */
  readonly timeoutMs?: number;
}

export const deploymentView = (options: DeploymentViewOptions): DeploymentView => {
  // This process's own service first: with several replicas, each one's page shows the others.
  const watched = [options.local.name, ...options.topology.services.filter((service) => service.name !== options.local.name).map((service) => service.name)];
  const roster = instanceRoster(options.discovery, watched);
  const peer = { timeoutMs: options.timeoutMs ?? 1000, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) };
  // What each instance last called itself, so a dead one is still shown by the name it had.
  const names = new Map<string, string>();
  const statusOf = async (entry: RosterEntry): Promise<InstanceStatus> => {
    const health: InstanceHealth = entry.listed ? await probeReadiness(entry.url, peer) : { state: 'gone', detail: 'no longer listed by discovery' };
    if ('instance' in health && health.instance !== undefined) names.set(entry.id, health.instance);
    return { id: entry.id, url: entry.url, name: names.get(entry.id), lastSeenMs: entry.lastSeenMs, health };
  };
  /** Whether discovery's instance `id` is this process, as far as its readiness answers have told. */
  const isSelf = (id: string): boolean => names.get(id) === options.instanceId;
  /**
   * Every listed instance asked the same question at once; their answers, and who gave none.
   * This process is left out once a readiness answer has named it; until then its answer
   * repeats what it holds, and the callers merge answers span by span.
   */
  const askAll = async <T>(ask: (url: string) => Promise<PeerAnswer<T>>, services = watched): Promise<{ values: T[]; unanswered: Unanswered[] }> => {
    const asked = services.flatMap((service) =>
      options.discovery
        .instances(service)
        .filter((instance) => !isSelf(instance.id))
        .map((instance) => ({ service, url: instance.url })),
    );
    const answers = await Promise.all(asked.map(async (target) => ({ ...target, answer: await ask(target.url) })));
    return {
      values: answers.flatMap(({ answer }) => (answer.answered ? [answer.value] : [])),
      unanswered: answers.flatMap(({ service, url, answer }) => (answer.answered ? [] : [{ service, url, detail: answer.detail }])),
    };
  };
  return {
    async services() {
      const services = await Promise.all(
        watched.map(async (service) => ({ service, instances: await Promise.all(roster.entries(service).map(statusOf)), breakers: options.breakers.of(service) })),
      );
      // Names of instances the roster forgot go too, so the map does not grow with every restart.
      const listed = new Set(services.flatMap((service) => service.instances.map((instance) => instance.id)));
      for (const id of names.keys()) if (!listed.has(id)) names.delete(id);
      // This process answers for itself in process (the page's own row), not through discovery;
      // known by the name a readiness answer once gave, so a later failed probe keeps it out.
      return services.map((service) => ({ ...service, instances: service.instances.filter((instance) => !isSelf(instance.id)) }));
    },
    async traceSpans(traceId) {
      const { values, unanswered } = await askAll((url) => fetchPeerSpans(url, traceId, options.credentials, peer));
      return { spans: values.flat(), unanswered };
    },
    async replicasRecentSpans() {
      const { values, unanswered } = await askAll((url) => fetchPeerRecentSpans(url, options.credentials, peer), [options.local.name]);
      return { spans: values.flat(), unanswered };
    },
    async matchingTraces(search) {
      const { values, unanswered } = await askAll((url) => fetchPeerMatches(url, search, options.credentials, peer));
      return { traceIds: new Set(values.flat()), unanswered };
    },
    stop: () => roster.stop(),
  };
};
