import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract } from './contract.js';
import { defineModule, type AnyModule } from './module.js';
import { orderModules } from './module-host.js';

const contractNamed = (name: string) =>
  defineContract(name, 1, {
    methods: { ping: { input: z.object({}), output: z.object({}), errors: [], idempotent: true } },
  });

const a = contractNamed('a');
const b = contractNamed('b');
const c = contractNamed('c');

const moduleProviding = (name: string, provides: ReturnType<typeof contractNamed>, requires: Record<string, ReturnType<typeof contractNamed>>): AnyModule =>
  defineModule({ name, provides, requires, schema: name, migrations: '/nowhere', create: () => ({ ping: async () => ({}) }) });

describe('orderModules', () => {
  it('puts every module after the providers of what it requires', () => {
    const modules = [moduleProviding('ma', a, { b, c }), moduleProviding('mb', b, { c }), moduleProviding('mc', c, {})];
    expect(orderModules(modules).map((module) => module.name)).toEqual(['mc', 'mb', 'ma']);
  });

  it('rejects a cycle, naming its path', () => {
    const modules = [moduleProviding('ma', a, { b }), moduleProviding('mb', b, { a })];
    expect(() => orderModules(modules)).toThrow('Modules require each other in a cycle: ma -> mb -> ma');
  });

  it('rejects a requirement that nothing provides, unless it is bound remotely', () => {
    const modules = [moduleProviding('ma', a, { b })];
    expect(() => orderModules(modules)).toThrow('Module ma requires b/v1, which no module in this process provides');
    expect(orderModules(modules, new Set(['b/v1'])).map((module) => module.name)).toEqual(['ma']);
  });

  it('rejects a contract provided twice', () => {
    expect(() => orderModules([moduleProviding('ma', a, {}), moduleProviding('other', a, {})])).toThrow(
      'Contract a/v1 is provided by both ma and other',
    );
  });
});

describe('defineModule', () => {
  it('rejects names that cannot be a PostgreSQL schema', () => {
    expect(() => moduleProviding('Bad-Name', a, {})).toThrow(/lower-case identifier/);
  });
});
