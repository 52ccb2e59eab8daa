/**
 * /metrics off the public path: on the operator port when one is set, behind the operator
 * token when one is set, and never unauthenticated on a production gateway's public port.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/host/start.js';
import { createLogger } from '../../src/kernel/logger.js';
import { startTestApp } from '../support/test-app.js';

const token = 'operator-token-for-tests';
const running: RunningApp[] = [];

const start = async (env: Record<string, string>, lines: string[] = []): Promise<RunningApp> => {
  const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
  const app = await startTestApp({ SEAM_SEED: 'off', ...env }, logger);
  running.push(app);
  return app;
};

const metrics = async (base: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${base}/metrics`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
};

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

describe('operator endpoints', () => {
  it('serves /metrics on the operator port, and not on the public one, when SEAM_OPERATOR_PORT is set', async () => {
    const app = await start({ SEAM_OPERATOR_PORT: '0' });
    expect(app.operatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.operatorUrl).not.toBe(app.url);
    expect((await metrics(app.url)).status).toBe(404);
    const scraped = await metrics(app.operatorUrl ?? '');
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    expect(scraped.text).toContain('process_cpu_user_seconds_total{service="shop"}');
    // The public port still answers its probes.
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  });

  it('asks for the bearer token on the operator port when SEAM_OPERATOR_TOKEN is set', async () => {
    const app = await start({ SEAM_OPERATOR_PORT: '0', SEAM_OPERATOR_TOKEN: token });
    const base = app.operatorUrl ?? '';
    const anonymous = await metrics(base);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(JSON.parse(anonymous.text)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(anonymous.text).not.toContain(token);
    expect((await metrics(base, { authorization: 'Bearer not-the-operator-token' })).status).toBe(401);
    expect((await metrics(base, { authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('guards /metrics on the service port with the token when no operator port is set', async () => {
    const app = await start({ SEAM_OPERATOR_TOKEN: token });
    expect(app.operatorUrl).toBeUndefined();
    expect((await metrics(app.url)).status).toBe(401);
    const scraped = await metrics(app.url, { authorization: `Bearer ${token}` });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain('seam_rpc_denied_total');
  });

  it('serves no /metrics on a production gateway given neither, and says so at start', async () => {
    const lines: string[] = [];
    const app = await start(
      {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        JWT_SECRET: 'a-production-secret-of-32-characters!',
        SHUTDOWN_DRAIN_DELAY_MS: '0',
      },
      lines,
    );
    expect(app.operatorUrl).toBeUndefined();
    expect((await metrics(app.url)).status).toBe(404);
    expect(lines.join('')).toContain('/metrics is not served: set SEAM_OPERATOR_PORT or SEAM_OPERATOR_TOKEN');
  });
});
