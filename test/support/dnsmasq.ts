/**
 * @module Starts a real, throwaway dnsmasq on a random loopback port, serving the A and SRV records a test gives.
 *
 * A records live in a hosts file that `setA` rewrites and dnsmasq rereads on SIGHUP; SRV
 * records live in its configuration file, which dnsmasq reads at start only.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as dns } from 'node:dns';
import { accessSync, chmodSync, closeSync, constants, mkdtempSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { forgetOnExit, freePort, killOnExit, readLog, stopChild, tail, track, type Tracked } from '../../scripts/local-servers/child-process.js';

export interface SrvTarget {
  readonly target: string;
  readonly port: number;
}

export interface DnsRecords {
  /** Name → IPv4 addresses. */
  readonly a?: Readonly<Record<string, readonly string[]>>;
  /** Name → targets (`_http._tcp.orders.seam.test` → `orders-0.seam.test:8080`). */
  readonly srv?: Readonly<Record<string, readonly SrvTarget[]>>;
}

export interface DnsmasqServer {
  readonly port: number;
  /** `127.0.0.1:<port>`: what `Resolver.setServers` and `SEAM_DNS_SERVERS` take. */
  readonly server: string;
  /** Replaces every A record, and resolves once dnsmasq has reread them. */
  setA(records: Readonly<Record<string, readonly string[]>>): Promise<void>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const RELOAD_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 5;

const findDnsmasq = (): string => {
  // dnsmasq installs into /usr/sbin, which an ordinary user's PATH often lacks.
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'dnsmasq');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new Error('dnsmasq was not found on PATH or in /usr/sbin. Install it, e.g. `apt-get install dnsmasq`.');
};

const hostsFileText = (records: Readonly<Record<string, readonly string[]>>): string =>
  Object.entries(records)
    .flatMap(([name, addresses]) => addresses.map((address) => `${address} ${name}\n`))
    .join('');

// Written aside and renamed in, so dnsmasq never reads half a file; world-readable because
// dnsmasq started as root drops to `nobody` before it rereads anything.
const writeReadable = (path: string, text: string): void => {
  writeFileSync(`${path}.next`, text, { mode: 0o644 });
  chmodSync(`${path}.next`, 0o644);
  renameSync(`${path}.next`, path);
};

// A TXT record only this server knows: an answer carrying it proves the port is ours, not
// some other process's that grabbed it between freePort() and dnsmasq's bind.
const readyName = 'seam-dnsmasq-ready.test';

const waitUntilReady = async (server: Tracked, port: number, nonce: string): Promise<'ready' | 'exited'> => {
  const resolver = new dns.Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.hasExited()) return 'exited';
    try {
      if ((await resolver.resolveTxt(readyName)).some((chunks) => chunks.join('') === nonce)) return 'ready';
    } catch {
      // not listening yet
    }
    await sleep(20);
  }
  throw new Error(`dnsmasq did not answer within ${START_TIMEOUT_MS} ms`);
};

const countOf = (text: string, needle: string): number => text.split(needle).length - 1;

export const startDnsmasq = async (options: { records?: DnsRecords; ttlSeconds?: number } = {}): Promise<DnsmasqServer> => {
  const binary = findDnsmasq();
  const dir = mkdtempSync(join(tmpdir(), 'seam-dnsmasq-'));
  chmodSync(dir, 0o755);
  const hostsFile = join(dir, 'hosts');
  const confFile = join(dir, 'dnsmasq.conf');
  const logFile = join(dir, 'dnsmasq.log');
  const nonce = randomBytes(8).toString('hex');
  const srvLines = Object.entries(options.records?.srv ?? {}).flatMap(([name, targets]) =>
    targets.map(({ target, port }) => `srv-host=${name},${target},${port}\n`),
  );
  writeReadable(confFile, [`txt-record=${readyName},${nonce}\n`, ...srvLines].join(''));
  writeReadable(hostsFile, hostsFileText(options.records?.a ?? {}));

  let server: Tracked | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const out = openSync(logFile, 'a');
      const args = [
        '--keep-in-foreground', // no fork: the child we track is the server
        `--conf-file=${confFile}`, // never /etc/dnsmasq.conf
        `--port=${port}`,
        '--listen-address=127.0.0.1',
        '--bind-interfaces', // bind 127.0.0.1:<port> only, not the wildcard address
        '--no-resolv', // answer from our records alone, never forward
        '--no-hosts', // not /etc/hosts
        `--addn-hosts=${hostsFile}`,
        `--local-ttl=${options.ttlSeconds ?? 1}`,
        `--pid-file=${join(dir, 'dnsmasq.pid')}`, // not /run/dnsmasq.pid
        `--log-facility=${logFile}`,
      ];
      server = track(spawn(binary, args, { cwd: dir, stdio: ['ignore', out, out] }));
      closeSync(out);
      killOnExit(server.child, dir, 'SIGKILL');

      if ((await waitUntilReady(server, port, nonce)) === 'exited') {
        forgetOnExit(server.child);
        if (attempt < PORT_ATTEMPTS && readLog(logFile).includes('Address already in use')) continue;
        throw new Error(`dnsmasq exited during startup (exit code ${server.child.exitCode ?? server.child.signalCode})`);
      }

      const running = server;
      const setA = async (records: Readonly<Record<string, readonly string[]>>): Promise<void> => {
        // dnsmasq logs "read <file> - N names" on each reread: one more such line is the event.
        const needle = `read ${hostsFile} `;
        const before = countOf(readLog(logFile), needle);
        writeReadable(hostsFile, hostsFileText(records));
        running.child.kill('SIGHUP');
        const deadline = Date.now() + RELOAD_TIMEOUT_MS;
        while (countOf(readLog(logFile), needle) <= before) {
          if (Date.now() > deadline || running.hasExited()) throw new Error(`dnsmasq did not reread ${hostsFile}:\n${tail(readLog(logFile))}`);
          await sleep(20);
        }
      };
      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> =>
        (stopping ??= (async () => {
          await stopChild(running, 'SIGTERM');
          forgetOnExit(running.child);
          await rm(dir, { recursive: true, force: true });
        })());
      return { port, server: `127.0.0.1:${port}`, setA, stop };
    }
  } catch (error) {
    const log = tail(readLog(logFile));
    if (server) {
      await stopChild(server, 'SIGKILL');
      forgetOnExit(server.child);
    }
    await rm(dir, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`startDnsmasq failed: ${message}${log ? `\n--- dnsmasq log (tail) ---\n${log}` : ''}`, { cause: error });
  }
};
