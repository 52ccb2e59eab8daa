/**
 * @module Configuration from the environment, parsed once at start.
 *
 * A wrong value stops the process before it does anything, with a message that names the
 * variable, what was expected and what was given: the cheapest bug to find is the one that
 * never boots.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { ConfigError, milliseconds, onOff, parseEnvironment, portNumber, seconds, wholeNumber, type Environment } from './environment.js';

export { ConfigError } from './environment.js';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// or postgresql:// connection URL');

/** `10.0.0.10`, `10.0.0.10:5353`, `::1` or `[::1]:5353`: what a DNS resolver's setServers takes. */
const isDnsServer = (entry: string): boolean => {
  if (isIP(entry) !== 0) return true;
  const [, v6, v4, port] = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry) ?? [];
  return port !== undefined && Number(port) <= 65535 && (v6 !== undefined ? isIPv6(v6) : isIPv4(v4 ?? ''));
};

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production'], {
    error: 'expected "development", "test" or "production"',
  }).default('development'),
  HOST: z.string().min(1, 'expected a host name or address').optional(),
  PORT: portNumber.default(3000),
  DATABASE_URL: postgresUrl.optional(),
  PGLITE_DIR: z.string().min(1, 'expected a directory path or "memory://"').default('.seam/pglite'),
  LOG_LEVEL: z.enum(logLevels, { error: `expected one of ${logLevels.join(', ')}` }).default('info'),
  // Read where the logger is made (log-format.ts); named here so no module's setting can claim it.
  LOG_FORMAT: z.string().optional(),
  SEAM_VALIDATE: onOff.optional(),
  SEAM_SEED: z.enum(['auto', 'off'], { error: 'expected "auto" or "off"' }).optional(),
  BODY_LIMIT_BYTES: wholeNumber('bytes', 1024).default(64 * 1024),
  JWT_SECRET: z.string().min(32, 'expected a secret of at least 32 characters').optional(),
  ACCESS_TOKEN_TTL_SECONDS: seconds(60).max(86_400, 'expected at most 86400 seconds (a day)').default(3600),
  SEAM_TOPOLOGY: z.string().min(1, 'expected the path of a topology file').optional(),
  SEAM_SERVICE: z.string().min(1, 'expected a service name from the topology').optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'expected a redis:// or rediss:// URL').optional(),
  SEAM_SERVICE_SECRET: z
    .string()
    .regex(/^[^,\s]{32,}(,[^,\s]{32,})*$/, 'expected one secret of at least 32 characters, or several separated by "," (the first signs, any is accepted)')
    .optional(),
  SEAM_TLS_CERT: z.string().min(1, 'expected the path of a PEM certificate').optional(),
  SEAM_TLS_KEY: z.string().min(1, 'expected the path of a PEM private key').optional(),
  SEAM_TLS_CA: z.string().min(1, 'expected the path of a PEM CA certificate').optional(),
  SEAM_OPERATOR_PORT: portNumber.optional(),
  SEAM_OPERATOR_TOKEN: z.string().min(16, 'expected a token of at least 16 characters').optional(),
  SHUTDOWN_DRAIN_DELAY_MS: milliseconds(0).optional(),
  SEAM_DISCOVERY: z.enum(['redis', 'dns', 'static'], { error: 'expected "redis", "dns" or "static"' }).optional(),
  SEAM_DNS_NAME: z.string().includes('{service}', { error: 'expected a name template containing {service}' }).default('{service}'),
  SEAM_DNS_PORT: portNumber.default(3000),
  SEAM_DNS_SERVERS: z
    .string()
    .refine((list) => list.split(',').every(isDnsServer), {
      error: 'expected IP addresses of DNS servers, each with an optional port, separated by ",", e.g. "10.96.0.10" or "127.0.0.1:5353,[::1]:53"',
    })
    .optional(),
  SEAM_SERVICES: z
    .string()
    .regex(/^[a-z0-9-]+=https?:\/\/[^\s,;]+(,https?:\/\/[^\s,;]+)*(;[a-z0-9-]+=https?:\/\/[^\s,;]+(,https?:\/\/[^\s,;]+)*)*$/, {
      error: 'expected service=url[,url...] pairs separated by ";", e.g. "search=http://10.0.0.5:3000,http://10.0.0.6:3000;billing=http://10.0.0.7:3000"',
    })
    .optional(),
  SEAM_ADVERTISE_URL: z.url('expected the http:// URL other services reach this process at').optional(),
  SEAM_INSTANCE_ID: z.string().regex(/^[\w.:-]{1,100}$/, 'expected up to 100 letters, digits, "_", ".", ":" or "-"').optional(),
  SEAM_RPC_TIMEOUT_MS: milliseconds(100).default(10_000),
  SHUTDOWN_TIMEOUT_MS: milliseconds(0).default(10_000),
});

/** Every variable the framework reads itself; a module's settings may not claim one. */
export const frameworkVariables: ReadonlySet<string> = new Set(Object.keys(envSchema.shape));

/** Where the data lives: a PostgreSQL server, or embedded PGlite (a directory, or memory). */
export type DatabaseConfig =
  | {
      readonly kind: 'postgres';
      readonly url: string;
      /** How long a statement may go unanswered before it counts as stalled (postgres-client.ts); 30 s by default. */
      readonly stallMs?: number;
    }
  | { readonly kind: 'pglite'; readonly dataDir: string };

/** The parsed configuration every part of Seam reads. */
export interface AppConfig {
  readonly env: 'development' | 'test' | 'production';
  readonly host: string;
  readonly port: number;
  readonly database: DatabaseConfig;
  readonly logLevel: (typeof logLevels)[number];
  /** Validate contract inputs and outputs at in-process boundaries. */
  readonly validateContracts: boolean;
  /** Load the sample data into an empty database at start. */
  readonly seedWhenEmpty: boolean;
  readonly bodyLimitBytes: number;
  readonly shutdownTimeoutMs: number;
  readonly auth: AuthConfig;
  readonly deployment: DeploymentConfig;
  readonly operator: OperatorConfig;
  /** On SIGTERM: how long to keep serving (readiness already failing) so load balancers notice. */
  readonly drainDelayMs: number;
  /**
   * The variables this configuration was read from. Each module's own settings are parsed
   * from it at start (only the variables under the module's prefix reach the module).
   */
  readonly environment: Environment;
}

/** Internal endpoints (/metrics): on a port of their own, or behind a bearer token, or both. */
export interface OperatorConfig {
  readonly port?: number;
  readonly token?: string;
}

/** PEM files for the service port; clients trust the CA. */
export interface TlsConfig {
  readonly certPath: string;
  readonly keyPath: string;
  readonly caPath: string;
}

/** How this process finds the other services, when the topology has more than one. */
export type DiscoveryConfig =
  | { readonly kind: 'redis' }
  | { readonly kind: 'dns'; readonly nameTemplate: string; readonly port: number; readonly servers?: readonly string[] }
  | { readonly kind: 'static'; readonly services: Readonly<Record<string, readonly string[]>> };

/** Which service of which topology this process is, and how it reaches the others. */
export interface DeploymentConfig {
  /** A topology file; unset means the built-in monolith. */
  readonly topologyPath?: string;
  /** The service of the topology this process runs; unset when the topology has only one. */
  readonly service?: string;
  readonly redisUrl?: string;
  /**
   * Sign and check service-to-service credentials; every service of a deployment shares them.
   * The first signs, any is accepted, so a secret rotates without downtime. Empty: none set.
   */
  readonly serviceSecrets: readonly string[];
  /** HTTPS for the service port, when set. */
  readonly tls?: TlsConfig;
  readonly discovery: DiscoveryConfig;
  /** The URL other services call this process at; by default http://HOST:PORT as bound. */
  readonly advertiseUrl?: string;
  /**
   * Names this process in /readyz, so whoever started it can tell its answers from another
   * process's on the same port: SEAM_INSTANCE_ID, or a random id made at start.
   */
  readonly instanceId: string;
  /** The longest a call to another service may take when the caller has no earlier deadline. */
  readonly rpcTimeoutMs: number;
}

/** How access tokens are signed: shared by whoever issues them and whoever verifies them. */
export interface AuthConfig {
  /** HMAC key for access tokens, shared by whoever issues and whoever verifies them. */
  readonly jwtSecret: string;
  /** True when no JWT_SECRET was set and a random one was made for this process. */
  readonly jwtSecretGenerated: boolean;
  readonly accessTokenTtlSeconds: number;
}

const staticServices = (spec: string | undefined): Record<string, string[]> =>
  Object.fromEntries(
    (spec ?? '')
      .split(';')
      .filter(Boolean)
      .map((entry) => {
        const [service = '', urls = ''] = entry.split('=');
        return [service, urls.split(',')];
      }),
  );

const discoveryOf = (vars: z.infer<typeof envSchema>): DiscoveryConfig => {
  const kind = vars.SEAM_DISCOVERY ?? (vars.SEAM_SERVICES !== undefined ? 'static' : vars.REDIS_URL !== undefined ? 'redis' : 'static');
  if (kind === 'redis') {
    if (vars.REDIS_URL === undefined) throw new ConfigError('Invalid configuration:\n  SEAM_DISCOVERY: "redis" needs REDIS_URL, it is not set');
    return { kind };
  }
  if (kind === 'dns') {
    const servers = vars.SEAM_DNS_SERVERS === undefined ? {} : { servers: vars.SEAM_DNS_SERVERS.split(',') };
    return { kind, nameTemplate: vars.SEAM_DNS_NAME, port: vars.SEAM_DNS_PORT, ...servers };
  }
  return { kind, services: staticServices(vars.SEAM_SERVICES) };
};

const tlsOf = (vars: z.infer<typeof envSchema>): { tls: TlsConfig } | undefined => {
  const { SEAM_TLS_CERT: certPath, SEAM_TLS_KEY: keyPath, SEAM_TLS_CA: caPath } = vars;
  if (certPath === undefined && keyPath === undefined && caPath === undefined) return undefined;
  if (certPath === undefined || keyPath === undefined || caPath === undefined) {
    throw new ConfigError('Invalid configuration:\n  SEAM_TLS_CERT, SEAM_TLS_KEY, SEAM_TLS_CA: set all three or none');
  }
  return { tls: { certPath, keyPath, caPath } };
};

const deploymentOf = (vars: z.infer<typeof envSchema>): DeploymentConfig => ({
  ...(vars.SEAM_TOPOLOGY === undefined ? {} : { topologyPath: vars.SEAM_TOPOLOGY }),
  ...(vars.SEAM_SERVICE === undefined ? {} : { service: vars.SEAM_SERVICE }),
  ...(vars.REDIS_URL === undefined ? {} : { redisUrl: vars.REDIS_URL }),
  serviceSecrets: vars.SEAM_SERVICE_SECRET === undefined ? [] : vars.SEAM_SERVICE_SECRET.split(','),
  ...(tlsOf(vars) ?? {}),
  ...(vars.SEAM_ADVERTISE_URL === undefined ? {} : { advertiseUrl: vars.SEAM_ADVERTISE_URL.replace(/\/$/, '') }),
  instanceId: vars.SEAM_INSTANCE_ID ?? randomUUID(),
  discovery: discoveryOf(vars),
  rpcTimeoutMs: vars.SEAM_RPC_TIMEOUT_MS,
});

/**
 * Reads the configuration from `env` (usually `process.env`).
 *
 * @example
 * const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://localhost/seam' });
 * @throws ConfigError naming every invalid variable.
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): AppConfig => {
  const vars = parseEnvironment(envSchema, env);
  const production = vars.NODE_ENV === 'production';
  if (production && vars.JWT_SECRET === undefined) {
    throw new ConfigError('Invalid configuration:\n  JWT_SECRET: required in production (tokens must outlive a restart and be shared by replicas), it is not set');
  }
  return {
    env: vars.NODE_ENV,
    host: vars.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    port: vars.PORT,
    database: vars.DATABASE_URL ? { kind: 'postgres', url: vars.DATABASE_URL } : { kind: 'pglite', dataDir: vars.PGLITE_DIR },
    logLevel: vars.LOG_LEVEL,
    validateContracts: (vars.SEAM_VALIDATE ?? (production ? 'off' : 'on')) === 'on',
    seedWhenEmpty: (vars.SEAM_SEED ?? (vars.NODE_ENV === 'development' ? 'auto' : 'off')) === 'auto',
    bodyLimitBytes: vars.BODY_LIMIT_BYTES,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
    deployment: deploymentOf(vars),
    operator: {
      ...(vars.SEAM_OPERATOR_PORT === undefined ? {} : { port: vars.SEAM_OPERATOR_PORT }),
      ...(vars.SEAM_OPERATOR_TOKEN === undefined ? {} : { token: vars.SEAM_OPERATOR_TOKEN }),
    },
    drainDelayMs: vars.SHUTDOWN_DRAIN_DELAY_MS ?? (production ? 5000 : 0),
    auth: {
      jwtSecret: vars.JWT_SECRET ?? randomBytes(32).toString('base64url'),
      jwtSecretGenerated: vars.JWT_SECRET === undefined,
      accessTokenTtlSeconds: vars.ACCESS_TOKEN_TTL_SECONDS,
    },
    environment: Object.freeze({ ...env }),
  };
};
