/**
 * @module The server half of `npm run bench:transport`: one port serving the same work two
 * ways, a bare hono handler (`POST /raw`) and the Seam HTTP binding (`/rpc/bench/v1/echo`).
 * `GET /cpu` answers the process's CPU time so far. Prints its URL on stdout, then serves until killed.
 */
import { Hono } from 'hono';
import { listen } from '../src/host/http-server.js';
import { startTelemetry } from '../src/host/telemetry.js';
import { createLogger } from '../src/kernel/logger.js';
import { rpcServer } from '../src/transport/http/rpc-server.js';
import { serviceCredentials } from '../src/transport/http/service-credential.js';
import { benchContract, benchSecret, echo } from './transport-contract.js';

// An --export run: this side's spans go to the client's local receiver too.
if (process.env['OTEL_EXPORTER_OTLP_ENDPOINT']) {
  startTelemetry({ service: 'bench-server', application: 'bench', instanceId: 'bench-server', environment: process.env, logger: createLogger({ level: 'silent' }) });
}

const app = new Hono();
// The CPU this process has used, so the client can tell server time per call from its own.
app.get('/cpu', (c) => c.json(process.cpuUsage()));
app.post('/raw', async (c) => c.json(echo((await c.req.json()) as { id: string; quantity: number })));
app.route(
  '/',
  rpcServer({
    served: [{ contract: benchContract, api: { echo: async (input) => echo(input as { id: string; quantity: number }) } }],
    credentials: serviceCredentials({ secret: benchSecret, service: 'bench-server' }),
    callers: { 'bench-client': [benchContract.name] },
    logger: createLogger({ level: 'silent' }),
  }),
);
const server = await listen(app.fetch, '127.0.0.1', 0);
console.log(server.url);
