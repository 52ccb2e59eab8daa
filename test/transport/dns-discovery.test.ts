/**
 * DNS discovery against a real DNS server: a throwaway dnsmasq on a random loopback port
 * whose A records change under the discovery, and whose SRV records give host and port.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { openDiscovery } from '../../src/host/remote-contracts.js';
import type { Topology } from '../../src/host/topology.js';
import { ConfigError, loadConfig } from '../../src/kernel/config.js';
import { createLogger } from '../../src/kernel/logger.js';
import type { Discovery } from '../../src/transport/discovery/discovery.js';
import { dnsDiscovery } from '../../src/transport/discovery/dns-discovery.js';
import { startDnsmasq, type DnsmasqServer } from '../support/dnsmasq.js';
import { waitFor } from '../support/wait-for.js';

const logger = createLogger({ level: 'silent' });
// Far longer than any wait below: an answer seen sooner came from the TTL, not the interval.
const anHour = 3_600_000;
// Generous: a 1 s TTL is normally re-resolved within about a second.
const changeSeenWithinMs = 20_000;

const urlsOf = (discovery: Discovery, service: string): string[] => discovery.instances(service).map((instance) => instance.url);

describe('DNS discovery against dnsmasq', () => {
  const cleanups: (() => Promise<void>)[] = [];
  const started = async (options: Parameters<typeof startDnsmasq>[0]): Promise<DnsmasqServer> => {
    const server = await startDnsmasq(options);
    cleanups.push(() => server.stop());
    return server;
  };
  const closing = <D extends Discovery>(discovery: D): D => {
    cleanups.push(() => discovery.close());
    return discovery;
  };
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('follows A records as they change, re-resolving when their 1 s TTL runs out', async () => {
    const name = 'inventory.seam.test';
    const dns = await started({ records: { a: { [name]: ['127.0.0.11', '127.0.0.12'] } }, ttlSeconds: 1 });
    const discovery = closing(
      dnsDiscovery({ services: { inventory: { name, record: 'A', port: 4000 } }, servers: [dns.server], refreshMs: anHour, logger }),
    );
    await discovery.refresh();
    expect(urlsOf(discovery, 'inventory')).toEqual(['http://127.0.0.11:4000', 'http://127.0.0.12:4000']);

    await dns.setA({ [name]: ['127.0.0.11', '127.0.0.12', '127.0.0.13'] });
    const three = ['http://127.0.0.11:4000', 'http://127.0.0.12:4000', 'http://127.0.0.13:4000'];
    await waitFor(async () => urlsOf(discovery, 'inventory'), (urls) => urls.join() === three.join(), changeSeenWithinMs, 'a third instance');

    await dns.setA({ [name]: ['127.0.0.11', '127.0.0.13'] });
    const two = ['http://127.0.0.11:4000', 'http://127.0.0.13:4000'];
    await waitFor(async () => urlsOf(discovery, 'inventory'), (urls) => urls.join() === two.join(), changeSeenWithinMs, 'the second instance gone');
  });

  it('builds instances from SRV records, each with its own host and port, in the scheme asked for', async () => {
    const name = '_https._tcp.orders.seam.test';
    const dns = await started({
      records: { srv: { [name]: [{ target: 'orders-0.seam.test', port: 8443 }, { target: 'orders-1.seam.test', port: 9443 }] } },
    });
    const discovery = closing(
      dnsDiscovery({ services: { orders: { name, record: 'SRV' } }, servers: [dns.server], scheme: 'https', refreshMs: anHour, logger }),
    );
    await discovery.refresh();
    expect(discovery.instances('orders')).toEqual([
      { id: 'orders-0.seam.test:8443', url: 'https://orders-0.seam.test:8443' },
      { id: 'orders-1.seam.test:9443', url: 'https://orders-1.seam.test:9443' },
    ]);
  });

  it('keeps the last known instances while the DNS server cannot be reached', async () => {
    const name = 'catalog.seam.test';
    const dns = await started({ records: { a: { [name]: ['127.0.0.21', '127.0.0.22'] } }, ttlSeconds: 1 });
    const failures: unknown[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          const entry = JSON.parse(line) as { msg?: string; err?: unknown };
          if (entry.msg?.startsWith('DNS discovery lookup failed')) failures.push(entry.err);
        }
        done();
      },
    });
    const discovery = closing(
      dnsDiscovery({
        services: { catalog: { name, record: 'A', port: 4000 } },
        servers: [dns.server],
        refreshMs: anHour,
        logger: createLogger({ level: 'warn', destination }),
      }),
    );
    await discovery.refresh();
    expect(discovery.instances('catalog')).toHaveLength(2);

    await dns.stop();
    // Ask until a lookup has really failed: one inside the 1 s TTL may still be answered from cache.
    await waitFor(
      async () => {
        await discovery.refresh();
        return failures.length;
      },
      (count) => count > 0,
      changeSeenWithinMs,
      'a failed lookup',
    );
    expect(urlsOf(discovery, 'catalog')).toEqual(['http://127.0.0.21:4000', 'http://127.0.0.22:4000']);
  });

  it('is what SEAM_DISCOVERY=dns opens, asking the servers in SEAM_DNS_SERVERS', async () => {
    const dns = await started({ records: { a: { 'payments.seam.test': ['127.0.0.31'] } } });
    const config = loadConfig({
      NODE_ENV: 'test',
      SEAM_DISCOVERY: 'dns',
      SEAM_DNS_NAME: '{service}.seam.test',
      SEAM_DNS_PORT: '4100',
      SEAM_DNS_SERVERS: dns.server,
    });
    expect(config.deployment.discovery).toMatchObject({ kind: 'dns', servers: [dns.server] });
    const topology: Topology = {
      source: 'test',
      services: [
        { name: 'gateway', modules: [], gateway: true, replicas: 1 },
        { name: 'payments', modules: ['payments'], gateway: false, replicas: 1 },
      ],
    };
    const discovery = closing(await openDiscovery(config.deployment, topology, logger));
    expect(urlsOf(discovery, 'payments')).toEqual(['http://127.0.0.31:4100']);
  });
});

describe('SEAM_DNS_SERVERS', () => {
  it('takes IP addresses with optional ports, and refuses anything else naming the variable', () => {
    const servers = (value: string) => loadConfig({ NODE_ENV: 'test', SEAM_DISCOVERY: 'dns', SEAM_DNS_SERVERS: value }).deployment.discovery;
    expect(servers('10.96.0.10,127.0.0.1:5353,::1,[::1]:53')).toMatchObject({ servers: ['10.96.0.10', '127.0.0.1:5353', '::1', '[::1]:53'] });
    for (const bad of ['dns.example', '10.0.0.1:99999', '10.0.0.1,', 'localhost:53']) {
      expect(() => servers(bad)).toThrow(ConfigError);
      expect(() => servers(bad)).toThrow(/SEAM_DNS_SERVERS/);
    }
  });
});
