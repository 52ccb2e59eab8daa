/**
 * The framework runs an application that is not the shop: examples/hello (two modules, one
 * event between them, a route each), as one process and as three, with no shop code loaded.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application as hello } from '../../examples/hello/src/application.js';
import { startSplit, type RunningSplit } from '../../scripts/split/run-split.js';
import { projectEntry } from '../../scripts/entry-command.js';
import { startApp, type RunningApp } from '../../src/host/start.js';
import { loadConfig } from '../../src/kernel/config.js';
import { createLogger } from '../../src/kernel/logger.js';

const helloRoot = join(import.meta.dirname, '..', '..', 'examples', 'hello');

const greet = (url: string, name: string): Promise<Response> =>
  fetch(`${url}/api/v1/greetings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });

/** The guestbook's names once it holds `name`: the event reaches it after the greeting commits. */
const guestbookWith = async (url: string, name: string): Promise<string[]> => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(`${url}/api/v1/guestbook`);
    const { names } = (await response.json()) as { names: string[] };
    if (names.includes(name) || Date.now() > deadline) return names;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('a second application on the same framework', { timeout: 240_000 }, () => {
  describe('as a monolith', () => {
    let app: RunningApp;
    beforeAll(async () => {
      const config = loadConfig({ NODE_ENV: 'test', PORT: '0', PGLITE_DIR: 'memory://', LOG_LEVEL: 'silent' });
      app = await startApp(hello, config, createLogger({ level: 'silent' }));
    });
    afterAll(() => app?.stop());

    it('is one service named after the application, running both modules', () => {
      expect(app.service).toMatchObject({ name: 'hello', modules: ['greeter', 'guestbook'], gateway: true });
    });

    it('answers its own routes, and its event reaches the other module', async () => {
      const response = await greet(app.url, 'Ada');
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ message: 'Hello, Ada!' });
      expect(await guestbookWith(app.url, 'Ada')).toContain('Ada');
    });

    it("answers its modules' errors as problem documents, and knows no shop route", async () => {
      const refused = await greet(app.url, 'nobody');
      expect(refused.status).toBe(422);
      expect(await refused.json()).toMatchObject({ code: 'NAME_REFUSED' });
      expect((await fetch(`${app.url}/api/v1/products`)).status).toBe(404);
    });

    it('describes its own API', async () => {
      const document = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as { info: { title: string } };
      expect(document.info.title).toBe('Hello API');
    });
  });

  describe('split into a gateway, a greeter and a guestbook process', () => {
    let split: RunningSplit;
    beforeAll(async () => {
      split = await startSplit({
        application: hello,
        entry: projectEntry(import.meta.url, helloRoot, join(helloRoot, 'src', 'main.ts')),
        topologyPath: join(helloRoot, 'deploy', 'split', 'topology.yaml'),
        gatewayPort: 0,
        env: { NODE_ENV: 'test', LOG_LEVEL: 'warn' },
        logger: createLogger({ level: 'silent' }),
      });
    });
    afterAll(() => split?.stop());

    it('runs each service as its own process', () => {
      expect(split.instances.map((instance) => instance.spec.service).sort()).toEqual(['gateway', 'greeter', 'guestbook']);
      expect(new Set(split.instances.map((instance) => instance.pid)).size).toBe(3);
    });

    it('serves the routes through the gateway, and the event crosses to the guestbook process', async () => {
      const response = await greet(split.gatewayUrl, 'Grace');
      expect(response.status).toBe(201);
      expect(await guestbookWith(split.gatewayUrl, 'Grace')).toContain('Grace');
      const readiness = (await (await fetch(`${split.instance('guestbook').url}/readyz`)).json()) as { checks: Record<string, string> };
      expect(readiness.checks).toMatchObject({ database: 'ok', migrations: 'ok' });
    });
  });
});
