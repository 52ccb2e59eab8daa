/**
 * @module The contracts the public edge calls, declared like a module's `requires`.
 *
 * createGateway gets its APIs from this record and from nowhere else, and the composition
 * root derives from it what the gateway service may call in a split deployment, so a route
 * that needs one more contract must add it here, and the permission follows.
 */
import type { AnyContract, ContractApi } from '../kernel/contract.js';
import type { Dependencies, Requirements } from '../kernel/module.js';
import { catalogContract } from '../modules/catalog/contract.js';
import { identityContract } from '../modules/identity/contract.js';
import { inventoryContract } from '../modules/inventory/contract.js';
import { notificationsContract } from '../modules/notifications/contract.js';
import { ordersContract } from '../modules/orders/contract.js';
import { shippingContract } from '../modules/shipping/contract.js';

export const gatewayRequires = {
  catalog: catalogContract,
  identity: identityContract,
  inventory: inventoryContract,
  notifications: notificationsContract,
  orders: ordersContract,
  shipping: shippingContract,
} as const satisfies Requirements;

export type GatewayDependencies = Dependencies<typeof gatewayRequires>;

/** The API of each contract in `requires`, looked up once through `resolve`. */
export const resolveRequirements = <R extends Requirements>(requires: R, resolve: <C extends AnyContract>(contract: C) => ContractApi<C>): Dependencies<R> =>
  Object.fromEntries(Object.entries(requires).map(([key, contract]) => [key, resolve(contract)])) as Dependencies<R>;
