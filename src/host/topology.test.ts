import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { application } from '../application.js';
import { isDistributed, loadTopology, monolithTopology, parseTopology, selectService, TopologyError } from './topology.js';

const known = application.modules.map((module) => module.name);
const deploy = join(import.meta.dirname, '..', '..', 'deploy');

const everyModuleButCatalog = 'identity, inventory, payments, shipping, orders, notifications';

const parse = (text: string) => parseTopology(text, 'test.yaml', known);

describe('topology', () => {
  it('loads the shipped monolith and split topologies', () => {
    const monolith = loadTopology(join(deploy, 'monolith', 'topology.yaml'), known);
    expect(monolith.services.map((service) => service.name)).toEqual(['shop']);
    expect(isDistributed(monolith)).toBe(false);

    const split = loadTopology(join(deploy, 'split', 'topology.yaml'), known);
    expect(split.services.map((service) => service.name)).toEqual(['gateway', ...known]);
    expect(split.services.find((service) => service.name === 'catalog')?.replicas).toBe(2);
    expect(split.services.find((service) => service.name === 'gateway')).toMatchObject({ gateway: true, modules: [] });
    expect(isDistributed(split)).toBe(true);
  });

  it('defaults to the monolith: one gateway service with every module', () => {
    expect(monolithTopology(known, 'shop').services).toEqual([{ name: 'shop', modules: known, gateway: true, replicas: 1 }]);
  });

  it('refuses a module placed twice, naming both services', () => {
    expect(() => parse(`services:\n  a: { gateway: true, modules: [${known.join(', ')}] }\n  b: { modules: [catalog] }\n`)).toThrow(
      /module "catalog" is placed twice: in "a" and in "b"/,
    );
  });

  it('refuses a topology that leaves a module out', () => {
    expect(() => parse(`services:\n  a: { gateway: true, modules: [${everyModuleButCatalog}] }\n`)).toThrow(/no service runs "catalog"/);
  });

  it('refuses an unknown module and lists the known ones', () => {
    expect(() => parse(`services:\n  a: { gateway: true, modules: [${known.join(', ')}, billing] }\n`)).toThrow(
      /service "a" names unknown module "billing" \(known: identity, /,
    );
  });

  it('refuses a topology without a gateway, a service that runs nothing, and a name that is no DNS label', () => {
    expect(() => parse(`services:\n  a: { modules: [${known.join(', ')}] }\n`)).toThrow(/no service is the gateway/);
    expect(() => parse(`services:\n  a: { gateway: true, modules: [${known.join(', ')}] }\n  idle: {}\n`)).toThrow(/service "idle" runs no module and is not a gateway/);
    expect(() => parse(`services:\n  Big_Service: { gateway: true, modules: [${known.join(', ')}] }\n`)).toThrow(/"Big_Service": a name must be a DNS label/);
  });

  it('refuses unknown keys, wrong types and text that is not YAML, as TopologyError', () => {
    expect(() => parse(`services:\n  a: { gateway: true, modules: [${known.join(', ')}], replica: 2 }\n`)).toThrow(/services\.a: Unrecognized key: "replica"/);
    expect(() => parse(`services:\n  a: { gateway: yes please, modules: [${known.join(', ')}] }\n`)).toThrow(/services\.a\.gateway/);
    expect(() => parse('services: [unclosed')).toThrow(TopologyError);
    expect(() => loadTopology(join(deploy, 'nowhere.yaml'), known)).toThrow(/cannot be read/);
  });

  it('selects the service this process runs, and needs SEAM_SERVICE when there are several', () => {
    const split = loadTopology(join(deploy, 'split', 'topology.yaml'), known);
    expect(selectService(split, 'orders').modules).toEqual(['orders']);
    expect(() => selectService(split, undefined)).toThrow(/several services .*set SEAM_SERVICE/);
    expect(() => selectService(split, 'billing')).toThrow(/SEAM_SERVICE is "billing", but topology .* has no such service/);
    expect(selectService(monolithTopology(known, 'shop'), undefined).name).toBe('shop');
  });
});
