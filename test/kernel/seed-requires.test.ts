/**
 * A seed reaches only the contracts it declares: the declaration is what a split deployment
 * turns into permission to call another service, so a seed that used more than it declared
 * would work in the monolith and be refused once split. It is refused everywhere instead.
 */
import { describe, expect, it } from 'vitest';
import type { ContractApi } from '../../src/kernel/contract.js';
import type { DatabaseHandle } from '../../src/kernel/database.js';
import { createLogger } from '../../src/kernel/logger.js';
import { defineModule, type ContractResolver, type ModuleSeed } from '../../src/kernel/module.js';
import { seedModules } from '../../src/kernel/module-data.js';
import { greeterContract, listenerContract } from '../support/greeter-modules.js';

const greeted: string[] = [];
const greeter: ContractApi<typeof greeterContract> = {
  greet: async ({ name }) => {
    greeted.push(name);
    return { id: name };
  },
};
const resolve = ((contract) => {
  if (contract.id !== greeterContract.id) throw new Error(`no binding for ${contract.id}`);
  return greeter;
}) as ContractResolver;

/** A module whose seed greets through the greeter contract, declaring it or not. */
const seedingModule = (declares: boolean) => {
  const seed: ModuleSeed = {
    ...(declares ? { requires: [greeterContract] } : {}),
    isEmpty: async () => true,
    async run(_db, _logger, resolveContract) {
      await resolveContract(greeterContract).greet({ name: 'seeded', fail: false });
      return 1;
    },
  };
  return defineModule({ name: 'sub', provides: listenerContract, requires: {}, schema: 'sub', migrations: '/nowhere', seed, create: () => ({ received: async () => ({ names: [] }) }) });
};

// Seeds here touch no table: a handle is passed along, never used.
const database = { db: {} } as unknown as DatabaseHandle;
const options = { onlyIfEmpty: true, resolve, logger: createLogger({ level: 'silent' }) };

describe('seeds and the contracts they require', () => {
  it('resolves a contract the seed declares', async () => {
    expect(await seedModules(database, [seedingModule(true)], options)).toEqual({ sub: 1 });
    expect(greeted).toEqual(['seeded']);
  });

  it('refuses one it does not declare, naming the module and the contract', async () => {
    await expect(seedModules(database, [seedingModule(false)], options)).rejects.toThrow('The seed of module sub resolves greeter/v1 without declaring it in its requires');
  });
});
