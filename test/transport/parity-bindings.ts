/**
 * @module The two bindings the parity tests run one body under: the shop in a ModuleHost in
 * this process, called in process and through the binding a split deployment uses (bindRemote:
 * a balancer over two RPC instances on loopback that serve the in-process modules). What the
 * remote binding adds when the wire fails is in remote-protections.test.ts.
 */
import { afterAll, beforeAll } from 'vitest';
import { application } from '../../src/application.js';
import type { AnyContract, ContractApi } from '../../src/kernel/contract.js';
import { catalogContract } from '../../src/modules/catalog/contract.js';
import { identityContract } from '../../src/modules/identity/contract.js';
import { inventoryContract } from '../../src/modules/inventory/contract.js';
import { notificationsContract } from '../../src/modules/notifications/contract.js';
import { ordersContract } from '../../src/modules/orders/contract.js';
import { paymentsContract } from '../../src/modules/payments/contract.js';
import { shippingContract } from '../../src/modules/shipping/contract.js';
import { bindRemotely, startRpcInstance, type RemoteBindings, type RpcInstance } from '../support/remote-shop.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

export const shopContracts: readonly AnyContract[] = [catalogContract, identityContract, inventoryContract, ordersContract, paymentsContract, shippingContract, notificationsContract];

export const unknownUuid = '00000000-0000-4000-8000-000000000000';

export interface Binding {
  readonly name: string;
  api<C extends AnyContract>(contract: C): ContractApi<C>;
}

export interface ParityShop {
  /** The reference: the module's own API in this process. */
  local<C extends AnyContract>(contract: C): ContractApi<C>;
  /** In process, then remote; each answers inside tests. */
  readonly bindings: readonly Binding[];
  /** The RPC instances behind the remote binding, inside tests. */
  instances(): readonly RpcInstance[];
}

/** Registers the file's hooks that start the shop and its two RPC instances, and stop them after its tests. */
export const parityShop = (): ParityShop => {
  let running: TestHost;
  let instances: RpcInstance[] = [];
  let remote: RemoteBindings;

  beforeAll(async () => {
    // A checkout deadline no loaded machine reaches: placeOrder always answers how checkout ended.
    running = await startTestHost(application.modules, { CHECKOUT_DEADLINE_MS: '120000' });
    await running.host.seed({ onlyIfEmpty: true });
    const served = shopContracts.map((contract) => ({ contract, api: running.host.api(contract) as ContractApi<AnyContract> }));
    instances = await Promise.all([startRpcInstance(served), startRpcInstance(served)]);
    remote = bindRemotely(instances.map((instance) => instance.url));
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
    await running?.stop();
  });

  const local = <C extends AnyContract>(contract: C): ContractApi<C> => running.host.api(contract);
  return {
    local,
    bindings: [
      { name: 'in process', api: local },
      { name: 'remote (bindRemote)', api: (contract) => remote.api(contract) },
    ],
    instances: () => instances,
  };
};
