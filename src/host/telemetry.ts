/**
 * @module Where a service's spans go, from the standard OpenTelemetry variables.
 *
 * With OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, spans are
 * batched and exported over OTLP/HTTP (protobuf) to it, as `service.name` = the topology's
 * service (OTEL_SERVICE_NAME overrides; OTEL_RESOURCE_ATTRIBUTES adds), sampled as
 * OTEL_TRACES_SAMPLER says (default parentbased_always_on). When the dashboard is on, the
 * same spans also go to its in-memory buffer (span-buffer.ts). Without either (no endpoint,
 * or OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none, and no dashboard), nothing is
 * recorded: spans keep their ids for logs and propagation and cost next to nothing
 * (kernel/tracing.ts).
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type BatchSpanProcessorOptions,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Environment } from '../kernel/environment.js';
import { ConfigError } from '../kernel/config.js';
import type { Logger } from '../kernel/logger.js';
import { useTracerProvider } from '../kernel/tracing.js';
import type { SpanBuffer } from './span-buffer.js';

export interface Telemetry {
  /** Where spans are exported (an OTLP/HTTP traces URL), if anywhere. */
  readonly tracesUrl: string | undefined;
  /** Exports what is buffered and stops recording. */
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP traces URL the variables name: the signal's own endpoint as given, or the base one with /v1/traces. */
export const tracesUrlOf = (env: Environment): string | undefined => {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter !== undefined && exporter !== '' && exporter !== 'otlp') return undefined;
  const own = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (own) return own;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
};

const ratioOf = (env: Environment): number => {
  const given = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = given === undefined || given === '' ? 1 : Number(given);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new ConfigError(`Invalid configuration:\n  OTEL_TRACES_SAMPLER_ARG: a ratio from 0 to 1, got "${given}"`);
  return ratio;
};

/** The sampler OTEL_TRACES_SAMPLER names (the specification's values). */
export const samplerOf = (env: Environment): Sampler => {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_always_on';
  const samplers: Record<string, () => Sampler> = {
    always_on: () => new AlwaysOnSampler(),
    always_off: () => new AlwaysOffSampler(),
    traceidratio: () => new TraceIdRatioBasedSampler(ratioOf(env)),
    parentbased_always_on: () => new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    parentbased_always_off: () => new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    parentbased_traceidratio: () => new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratioOf(env)) }),
  };
  const make = samplers[name];
  if (!make) throw new ConfigError(`Invalid configuration:\n  OTEL_TRACES_SAMPLER: one of ${Object.keys(samplers).join(', ')}, got "${name}"`);
  return make();
};

/** The batch processor's settings from the specification's OTEL_BSP_* variables; the SDK's defaults for those not set. */
const batchingOf = (env: Environment): Omit<BatchSpanProcessorOptions, 'exporter'> => {
  const settings: Record<string, number> = {};
  const variables = {
    OTEL_BSP_SCHEDULE_DELAY: 'scheduledDelayMillis',
    OTEL_BSP_EXPORT_TIMEOUT: 'exportTimeoutMillis',
    OTEL_BSP_MAX_QUEUE_SIZE: 'maxQueueSize',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 'maxExportBatchSize',
  } as const;
  for (const [variable, setting] of Object.entries(variables)) {
    const given = env[variable]?.trim();
    if (given === undefined || given === '') continue;
    const value = Number(given);
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`Invalid configuration:\n  ${variable}: a whole number of at least 1, got "${given}"`);
    settings[setting] = value;
  }
  return settings;
};

export interface TelemetryOptions {
  /** The topology's service this process runs: `service.name` unless OTEL_SERVICE_NAME says otherwise. */
  readonly service: string;
  /** The application: `service.namespace`. */
  readonly application: string;
  readonly instanceId: string;
  readonly environment: Environment;
  readonly logger: Logger;
  /** Keeps the recent spans for the dashboard, whether or not they are exported too. */
  readonly spanBuffer?: SpanBuffer;
}

/** Installs this process's tracer provider: exporting when the variables say so, buffering for the dashboard when it is on, otherwise recording nothing. */
export const startTelemetry = (options: TelemetryOptions): Telemetry => {
  const { environment: env, logger, spanBuffer } = options;
  const tracesUrl = tracesUrlOf(env);
  if (tracesUrl === undefined && spanBuffer === undefined) return { tracesUrl, shutdown: async () => undefined };
  // Ours first, then the variables' (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES), which win.
  const resource = resourceFromAttributes({
    'service.name': options.service,
    'service.namespace': options.application,
    'service.instance.id': options.instanceId,
  }).merge(detectResources({ detectors: [envDetector] }));
  const processors: SpanProcessor[] = [
    ...(spanBuffer ? [spanBuffer] : []),
    ...(tracesUrl === undefined ? [] : [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: tracesUrl }), ...batchingOf(env) })]),
  ];
  const provider = new TracerProvider({ resource, sampler: samplerOf(env), spanProcessors: processors });
  useTracerProvider(provider, true);
  if (tracesUrl !== undefined) logger.info({ tracesUrl }, 'exporting traces');
  return {
    tracesUrl,
    shutdown: async () => {
      await provider.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'the last spans could not be exported'));
    },
  };
};
