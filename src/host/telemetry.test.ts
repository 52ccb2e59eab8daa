import { describe, expect, it } from 'vitest';
import { ConfigError } from '../kernel/config.js';
import { samplerOf, tracesUrlOf } from './telemetry.js';

describe('telemetry from the OTEL_* variables', () => {
  it('exports to the base endpoint under /v1/traces, or to the traces endpoint as given, and nowhere without either', () => {
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' })).toBe('http://jaeger:4318/v1/traces');
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/otlp/v1/traces' })).toBe('http://tempo:4318/otlp/v1/traces');
    expect(tracesUrlOf({})).toBeUndefined();
  });

  it('exports nothing when the SDK is disabled or the traces exporter is none', () => {
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracesUrlOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('samples as OTEL_TRACES_SAMPLER says, parent-based always-on by default, and refuses what the specification does not name', () => {
    expect(samplerOf({}).toString()).toMatch(/ParentBased\{root=AlwaysOnSampler/);
    expect(samplerOf({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).toString()).toBe('TraceIdRatioBased{0.25}');
    expect(samplerOf({ OTEL_TRACES_SAMPLER: 'always_off' }).toString()).toBe('AlwaysOffSampler');
    expect(() => samplerOf({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(ConfigError);
    expect(() => samplerOf({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });
});
