/**
 * @module Starts one service of a topology: its modules in process, every other module's
 * contract through the network, its HTTP server (public API if it is the gateway, RPC if it
 * runs modules others call), and the event plumbing between processes.
 *
 * With no topology this is the monolith: one service, every module, nothing remote. This is
 * the composition root: the only code that knows every module and every transport.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono } from 'hono';
import { accessTokens } from '../kernel/access-token.js';
import { ConfigError, type AppConfig } from '../kernel/config.js';
import { openDatabase, type DatabaseHandle } from '../kernel/database.js';
import { Lifecycle } from '../kernel/lifecycle.js';
import { createLogger, type Logger } from '../kernel/logger.js';
import type { AnyModule } from '../kernel/module.js';
import { ModuleHost } from '../kernel/module-host.js';
import { readModuleSettings } from '../kernel/module-settings.js';
import { createGateway } from '../gateway/app.js';
import { healthRoutes, unlessStopping, type ReadinessReport } from '../gateway/health.routes.js';
import { memoryStore, openLimitStore } from '../gateway/limiter-store.js';
import { readEdgeSettings } from '../gateway/settings.js';
import type { CallerPermissions } from '../transport/http/caller-permissions.js';
import { rpcAgent } from '../transport/http/rpc-client.js';
import { serviceCredentials, type ServiceCredentials } from '../transport/http/service-credential.js';
import { rpcServer } from '../transport/http/rpc-server.js';
import { inProcessBinder } from '../transport/in-process.js';
import type { Application } from './application.js';
import { callerPermissionsOf } from './caller-permissions.js';
import { dashboardAccessOf } from './dashboard/access.js';
import { dashboardBase } from './dashboard/layout.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { signInThrough } from './dashboard/sign-in.js';
import { deploymentView, type DeploymentView } from './dashboard/deployment-view.js';
import { endedSessions } from './dashboard/ended-sessions.js';
import { spansEndpoint } from './dashboard/spans-endpoint.js';
import { breakerStates } from './breaker-states.js';
import { queueDelivery, startEventConsumers } from './event-bridge.js';
import { listen } from './http-server.js';
import { watchEventQueues, watchOutboxes, watchPool } from './system-metrics.js';
import { SpanBuffer } from './span-buffer.js';
import { startTelemetry } from './telemetry.js';
import { serviceMetrics } from './metrics.js';
import { metricsPlacement, operatorRoutes } from './operator.js';
import { bindRemoteContracts, openDiscovery } from './remote-contracts.js';
import { advertisedUrl, registerService } from './service-registration.js';
import { loadServiceTls } from './service-tls.js';
import { isDistributed, loadTopology, monolithTopology, selectService, type ServiceSpec, type Topology } from './topology.js';

export interface RunningApp {
  readonly url: string;
  /** Where /metrics is served when it has a port of its own (SEAM_OPERATOR_PORT). */
  readonly operatorUrl?: string;
  readonly service: ServiceSpec;
  readonly topology: Topology;
  readonly host: ModuleHost;
  /** Absent in a service that runs no module (a gateway of a split deployment). */
  readonly database: DatabaseHandle | undefined;
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** The topology this process belongs to: the configured file, or the built-in monolith (one service named after the application). */
export const topologyOf = (application: Application, config: AppConfig): Topology => {
  const moduleNames = application.modules.map((module) => module.name);
  return config.deployment.topologyPath === undefined ? monolithTopology(moduleNames, application.name) : loadTopology(config.deployment.topologyPath, moduleNames);
};

const readinessOf = (database: DatabaseHandle | undefined, host: ModuleHost) => async (): Promise<ReadinessReport> => {
  if (!database) return { ready: true, checks: { modules: 'none here' } };
  try {
    await database.ping();
  } catch {
    return { ready: false, checks: { database: 'unreachable', migrations: 'unknown' } };
  }
  const pending = await host.pendingMigrations();
  return {
    ready: pending === 0,
    checks: { database: 'ok', migrations: pending === 0 ? 'ok' : `${pending} pending` },
  };
};

/** What a process of a distributed topology needs besides a database. */
interface Network {
  readonly redisUrl: string;
  readonly credentials: ServiceCredentials;
  /** Which service may call which contracts, from the topology and what the code declares. */
  readonly callers: CallerPermissions;
}

const networkOf = (application: Application, config: AppConfig, topology: Topology, service: ServiceSpec): Network | undefined => {
  if (!isDistributed(topology)) return undefined;
  const { redisUrl, serviceSecrets } = config.deployment;
  const serviceSecret = serviceSecrets[0];
  const missing = [
    ...(redisUrl === undefined ? ['  REDIS_URL: required when the topology has several services (events cross processes over it), it is not set'] : []),
    ...(serviceSecret === undefined ? ['  SEAM_SERVICE_SECRET: required when the topology has several services (it signs their calls), it is not set'] : []),
  ];
  if (redisUrl === undefined || serviceSecret === undefined) throw new ConfigError(`Invalid configuration:\n${missing.join('\n')}`);
  return {
    redisUrl,
    // Every secret: the first signs, any is accepted, so a secret rotates without downtime.
    credentials: serviceCredentials({ secret: serviceSecrets, service: service.name }),
    callers: callerPermissionsOf(topology, application.modules, application.edge.requires),
  };
};

/**
 * Opens the database and migrates, builds and wires the modules this service runs, and binds
 * the contracts of every other service remotely; serves nothing yet.
 */
export const startModules = async (application: Application, config: AppConfig, logger: Logger, lifecycle: Lifecycle) => {
  const topology = topologyOf(application, config);
  const service = selectService(topology, config.deployment.service);
  // The dashboard's pages are the gateway's; with it on, every process of the deployment keeps
  // its recent spans, so a trace page shows each service's part of a request.
  const dashboardAccess = dashboardAccessOf(config);
  const dashboard = service.gateway ? dashboardAccess : ({ enabled: false } as const);
  const spanBuffer = dashboardAccess.enabled ? new SpanBuffer() : undefined;
  // First, so every span of the start is recorded, and stopped last, so the last spans are exported.
  const telemetry = startTelemetry({
    service: service.name,
    application: application.name,
    instanceId: config.deployment.instanceId,
    environment: config.environment,
    logger,
    ...(spanBuffer ? { spanBuffer } : {}),
  });
  lifecycle.onStop('telemetry', () => telemetry.shutdown());
  const network = networkOf(application, config, topology, service);
  const tls = config.deployment.tls === undefined ? undefined : loadServiceTls(config.deployment.tls);
  const breakers = breakerStates();
  const metrics = serviceMetrics({ service: service.name }, breakers);
  const local: AnyModule[] = application.modules.filter((module) => service.modules.includes(module.name));
  // A bad module setting stops the start here, before any database is opened (the host parses them again).
  readModuleSettings(local, config.environment);
  const edge = service.gateway ? readEdgeSettings(config.environment, application.edge.routeLimits) : undefined;
  let database: DatabaseHandle | undefined;
  if (local.length > 0) {
    const opened = await openDatabase(config.database);
    lifecycle.onStop('database', () => opened.close());
    logger.info({ driver: opened.driver }, 'database open');
    database = opened;
  }
  const delivery = network ? queueDelivery({ connection: network.redisUrl }) : undefined;
  if (delivery) lifecycle.onStop('event delivery', () => delivery.close());
  const bindLocal = inProcessBinder({ validate: config.validateContracts });
  const host = new ModuleHost({
    ...(database ? { database } : {}),
    logger,
    config,
    bind: (contract, implementation) => metrics.instrument('in_process', contract, bindLocal(contract, implementation)),
    allModules: application.modules,
    ...(delivery ? { deliverRemote: delivery } : {}),
  });
  let deployment: DeploymentView | undefined;
  if (network) {
    const discovery = await openDiscovery(config.deployment, topology, logger);
    lifecycle.onStop('discovery', () => discovery.close());
    // With TLS the other services are called over https, trusting the deployment's CA only.
    const dispatcher = tls ? rpcAgent({ ca: tls.ca }) : undefined;
    if (dispatcher) lifecycle.onStop('rpc connections', () => dispatcher.close());
    bindRemoteContracts(host, {
      ...(dispatcher ? { dispatcher } : {}),
      topology,
      local: service,
      modules: application.modules,
      discovery,
      credentials: network.credentials,
      timeoutMs: config.deployment.rpcTimeoutMs,
      logger,
      instrument: (contract, api) => metrics.instrument('client', contract, api),
      watchBreaker: breakers.watch,
    });
    if (dashboard.enabled) {
      deployment = deploymentView({
        topology,
        local: service,
        instanceId: config.deployment.instanceId,
        discovery,
        breakers,
        credentials: network.credentials,
        ...(dispatcher ? { dispatcher } : {}),
      });
      lifecycle.onStop('dashboard roster', async () => deployment?.stop());
    }
  }
  lifecycle.onStop('modules', () => host.stop());
  await host.start(local);
  if (database) {
    const publishing = local.filter((module) => Object.keys(module.provides.events).length > 0).map((module) => module.schema);
    watchOutboxes(metrics.registry, database, publishing, logger);
    watchPool(metrics.registry, database);
  }
  if (network) {
    const consumers = await startEventConsumers(host, local, network.redisUrl, logger);
    lifecycle.onStop('event consumers', () => Promise.all(consumers.map((consumer) => consumer.close())).then(() => undefined));
    const subscribers = local.filter((module) => (module.subscribes ?? []).length > 0).map((module) => module.name);
    if (subscribers.length > 0) lifecycle.onStop('queue metrics', watchEventQueues(metrics.registry, network.redisUrl, subscribers, logger));
  }
  // The gateway counts its rate limits in Redis when there is one, so they hold across its
  // replicas. Registered before the HTTP server, so it closes after the last request.
  const limits = service.gateway ? openLimitStore(config.deployment.redisUrl, logger) : undefined;
  if (limits) lifecycle.onStop('rate limit store', () => limits.close());
  return { application, database, host, topology, service, network, metrics, tls, limits, edge, dashboard, spanBuffer, deployment };
};

/** The service's HTTP surface: health always, the public API on the gateway, RPC for its contracts. */
const httpAppOf = (config: AppConfig, logger: Logger, parts: Awaited<ReturnType<typeof startModules>>, stopping: () => boolean): Hono => {
  const { database, host, service, network, metrics, dashboard, spanBuffer, deployment } = parts;
  const tokens = accessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds);
  const placement = metricsPlacement(config, service);
  const probe = unlessStopping(stopping, readinessOf(database, host));
  // Every answer names this process, draining or not: a runner that started it checks the name.
  const readiness = async (): Promise<ReadinessReport> => ({ ...(await probe()), instance: config.deployment.instanceId });
  const app = service.gateway
    ? createGateway({
        publicEdge: parts.application.edge,
        logger,
        bodyLimitBytes: config.bodyLimitBytes,
        readiness,
        contracts: parts.application.modules.map((module) => module.provides),
        resolve: (contract) => host.api(contract),
        tokens,
        ...(parts.edge ? { edge: parts.edge } : {}),
        ...(parts.limits ? { limitStore: parts.limits.store } : {}),
        // A newcomer opening the shop in a browser lands on the dashboard (or the API reference), not a 404.
        ...(config.env === 'development' ? { homeRedirect: dashboard.enabled ? dashboardBase : '/docs' } : {}),
        observeRequest: parts.metrics.observeRequest,
      })
    : new Hono().route('/', healthRoutes(readiness));
  if (network && host.modules.length > 0) {
    const served = host.modules.map((module) => ({ contract: module.provides, api: metrics.instrument('server', module.provides, host.api(module.provides)) }));
    app.route(
      '/',
      rpcServer({ served, credentials: network.credentials, callers: network.callers, onDenied: metrics.countDenied, logger: logger.child({ component: 'rpc-server' }) }),
    );
  }
  // Each instance's spans for the gateways' trace pages (a gateway replica's too), asked with the RPC credential.
  if (network && spanBuffer) {
    const readers = new Set(parts.topology.services.filter((candidate) => candidate.gateway).map((gateway) => gateway.name));
    app.route('/', spansEndpoint({ service: service.name, instance: config.deployment.instanceId, spans: spanBuffer, credentials: network.credentials, readers }));
  }
  if (dashboard.enabled && spanBuffer) {
    const outboxes = database && {
      db: database.db,
      publishing: host.modules.filter((module) => Object.keys(module.provides.events).length > 0),
      deadLetters: () => host.relay.deadLetters(),
      replay: (schema: string, id: string) => host.relay.replay(schema, id),
    };
    const metricsHere = placement.where === 'service-port';
    const { application, topology } = parts;
    const self = { instanceId: config.deployment.instanceId, readiness };
    // The login form checks passwords through this gateway's own login route, throttled as the API is.
    const signIn = signInThrough(app);
    // Logged-out sessions kept where the rate limits are (Redis across gateway replicas).
    const ended = endedSessions(parts.limits?.store ?? memoryStore());
    app.route('/', dashboardRoutes({ application, topology, local: service, self, viewers: dashboard.viewers, tokens, ended, signIn, spans: spanBuffer, metricsHere, ...(outboxes ? { outboxes } : {}), ...(deployment ? { deployment } : {}) }));
  }
  if (placement.where === 'service-port') app.route('/', operatorRoutes(metrics, placement.token));
  return app;
};

/** Starts this process's service of the topology and serves HTTP on `config.host:config.port`. */
export const startApp = async (application: Application, config: AppConfig, logger: Logger = createLogger({ level: config.logLevel })): Promise<RunningApp> => {
  const lifecycle = new Lifecycle(logger);
  try {
    const parts = await startModules(application, config, logger, lifecycle);
    const { database, host, topology, service, network } = parts;
    if (config.auth.jwtSecretGenerated) {
      logger.warn('JWT_SECRET is not set: using a random secret for this process; tokens will not survive a restart');
    }
    if (config.seedWhenEmpty) {
      const added = await host.seed({ onlyIfEmpty: true });
      if (Object.keys(added).length > 0) logger.info({ added }, 'empty database seeded with sample data');
    }
    const placement = metricsPlacement(config, service);
    if (placement.where === 'nowhere') logger.warn('/metrics is not served: set SEAM_OPERATOR_PORT or SEAM_OPERATOR_TOKEN (this public port never serves it unauthenticated in production)');
    const operator = placement.where === 'operator-port' ? await listen(operatorRoutes(parts.metrics, placement.token).fetch, config.host, placement.port) : undefined;
    if (operator) lifecycle.onStop('operator http', () => operator.close());
    // With TLS the whole port is HTTPS, and its URL (advertised to the registry) says https.
    const server = await listen(httpAppOf(config, logger, parts, () => lifecycle.stopping).fetch, config.host, config.port, parts.tls ? { tls: { cert: parts.tls.cert, key: parts.tls.key } } : {});
    lifecycle.onStop('http', () => server.close());
    // Runs once readiness already fails (it does from the signal on): the server keeps serving
    // meanwhile, so load balancers and DNS stop sending here before it stops accepting.
    lifecycle.onStop('drain delay', () => sleep(config.drainDelayMs));
    // A gateway registers too, though no service calls it: its replicas' dashboards find one another.
    if (network && config.deployment.discovery.kind === 'redis') {
      const url = advertisedUrl(server.url, server.port, config.deployment.advertiseUrl);
      // Registered last, so it is deregistered first: callers stop coming before the server stops.
      lifecycle.onStop('registry', await registerService(network.redisUrl, service.name, url, logger));
    }
    return { url: server.url, ...(operator ? { operatorUrl: operator.url } : {}), service, topology, host, database, lifecycle, logger, stop: () => lifecycle.stop('stop requested') };
  } catch (error) {
    await lifecycle.stop('start failed');
    throw error;
  }
};
