/**
 * What the remote binding of a split deployment (bindRemote) adds to a plain HTTP call, on the
 * shop's own contracts served by real modules behind two RPC instances on loopback: an
 * idempotent call that fails on one instance is retried on the other; a call that may have
 * run is not retried unless its method is idempotent, while one that never left always is;
 * consecutive transport failures open the breaker, which then fails fast without calling
 * anyone and closes again after a good probe; a refusal from the service never counts
 * against it; the bulkhead turns away what does not fit. Each case fails if the binding loses
 * the protection it names. Nothing here waits on the clock: counts and states decide.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AnyContract, ContractApi } from '../../src/kernel/contract.js';
import { identityContract } from '../../src/modules/identity/contract.js';
import { identityModule } from '../../src/modules/identity/module.js';
import { paymentsContract } from '../../src/modules/payments/contract.js';
import { paymentsModule } from '../../src/modules/payments/module.js';
import { shippingContract } from '../../src/modules/shipping/contract.js';
import { shippingModule } from '../../src/modules/shipping/module.js';
import { FaultInjector, Gate } from '../support/fault-injection.js';
import { bindRemotely, failureOf, outcomeOf, startRpcInstance, type InstanceFault, type RemoteBindingsOptions, type RpcInstance } from '../support/remote-shop.js';
import { startTestHost, type TestHost } from '../support/test-host.js';
import { waitFor } from '../support/wait-for.js';

const served = [identityContract, paymentsContract, shippingContract] as const;

let running: TestHost;
/** Between the modules and the RPC instances: to hold a call on the server side. */
const faults = new FaultInjector();
const open: RpcInstance[] = [];

beforeAll(async () => {
  running = await startTestHost([identityModule, paymentsModule, shippingModule]);
});
afterEach(async () => {
  faults.clear();
  await Promise.all(open.splice(0).map((instance) => instance.close()));
});
afterAll(async () => {
  await running?.stop();
});

const local = <C extends AnyContract>(contract: C): ContractApi<C> => running.host.api(contract);

/** Two fresh instances serving the modules, the first of them with `fault`; calls reach the first first. */
const pair = async (fault: InstanceFault, options: RemoteBindingsOptions = {}) => {
  const contracts = served.map((contract) => ({ contract: contract as AnyContract, api: faults.wrap(contract, local(contract)) as ContractApi<AnyContract> }));
  const [first, second] = await Promise.all([startRpcInstance(contracts), startRpcInstance(contracts)]);
  open.push(first!, second!);
  first!.fault = fault;
  return { first: first!, second: second!, remote: bindRemotely([first!.url, second!.url], { inOrder: true, ...options }) };
};

const address = { name: 'Ada Lovelace', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' };
const newShipment = () => ({ orderId: `order-${randomUUID()}`, userId: `user-${randomUUID()}`, address, weightGrams: 1200, service: 'standard' as const });

describe('retries', () => {
  it.each<InstanceFault>(['proxy-503', 'drop', 'lose-answer'])('retry an idempotent call on the other instance when the first one fails (%s), doing the work once', async (fault) => {
    const { first, second, remote } = await pair(fault);
    const request = newShipment();
    const shipment = await remote.api(shippingContract).createShipment(request);
    expect(shipment).toEqual(await local(shippingContract).getShipmentByOrder({ orderId: request.orderId }));
    expect(shipment).toMatchObject({ orderId: request.orderId, status: 'CREATED' });
    expect([first.calls('shipping.createShipment'), second.calls('shipping.createShipment')]).toEqual([1, 1]);
  });

  it.each([
    { fault: 'proxy-503' as const, status: 'CREATED' },
    { fault: 'drop' as const, status: 'CREATED' },
    // It ran on the first instance; a retry would have taken a second step, to DELIVERED.
    { fault: 'lose-answer' as const, status: 'DISPATCHED' },
  ])('never retry a non-idempotent call that may have run ($fault): OUTCOME_UNKNOWN, and it ran at most once', async ({ fault, status }) => {
    const { first, second, remote } = await pair(fault);
    const created = await local(shippingContract).createShipment(newShipment());
    expect(await failureOf(remote.api(shippingContract).advanceShipment({ shipmentId: created.id }))).toMatchObject({ code: 'OUTCOME_UNKNOWN', kind: 'outcome-unknown' });
    expect([first.calls('shipping.advanceShipment'), second.calls('shipping.advanceShipment')]).toEqual([1, 0]);
    expect((await local(shippingContract).getShipment({ shipmentId: created.id })).status).toBe(status);
  });

  it('retry a non-idempotent call that never reached an instance (connection refused) on the other one', async () => {
    const { first, second, remote } = await pair('none');
    await first.close(); // its port now refuses connections
    const email = `refused-${randomUUID()}@example.com`;
    const user = await remote.api(identityContract).register({ email, password: 'correct horse battery', name: 'Ada Retry' });
    expect(second.calls('identity.register')).toBe(1);
    expect((await local(identityContract).login({ email, password: 'correct horse battery' })).user).toEqual(user);
  });

  it('never retry an answer: a refusal reaches the caller after one call', async () => {
    const { first, second, remote } = await pair('none');
    const email = `taken-${randomUUID()}@example.com`;
    await local(identityContract).register({ email, password: 'correct horse battery', name: 'Ada First' });
    expect(await failureOf(remote.api(identityContract).register({ email, password: 'correct horse battery', name: 'Ada Second' }))).toMatchObject({ code: 'EMAIL_TAKEN' });
    expect(await failureOf(remote.api(identityContract).getProfile({ userId: randomUUID() }))).toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(first.calls('identity.register') + second.calls('identity.register')).toBe(1);
    expect(first.calls('identity.getProfile') + second.calls('identity.getProfile')).toBe(1);
  });
});

describe('the circuit breaker', () => {
  const lookups = (instances: readonly RpcInstance[]) => instances.reduce((sum, instance) => sum + instance.calls('payments.getPaymentByOrder'), 0);
  /** Breaks both instances, fails `breakAfterFailures` calls, heals them: the breaker is open on healthy instances. */
  const openBreaker = async (halfOpenAfterMs: number) => {
    const { first, second, remote } = await pair('proxy-503', { resilience: { breakAfterFailures: 3, halfOpenAfterMs, initialDelayMs: 1, maxDelayMs: 10 } });
    second.fault = 'proxy-503';
    const payments = remote.binding(paymentsContract);
    for (let call = 0; call < 3; call += 1) {
      expect(await failureOf(payments.api.getPaymentByOrder({ orderId: `order-${randomUUID()}` }))).toMatchObject({ code: 'OUTCOME_UNKNOWN', kind: 'outcome-unknown' });
    }
    expect(payments.breakerState()).toBe('open');
    first.fault = 'none';
    second.fault = 'none';
    return { instances: [first, second], payments };
  };

  it('opens after consecutive transport failures, then fails fast with SERVICE_UNAVAILABLE without calling', async () => {
    const { instances, payments } = await openBreaker(600_000);
    const reached = lookups(instances);
    for (let call = 0; call < 3; call += 1) {
      expect(await failureOf(payments.api.getPaymentByOrder({ orderId: `order-${randomUUID()}` }))).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        kind: 'unavailable',
        details: { service: 'shop', breaker: 'open' },
      });
    }
    expect(lookups(instances)).toBe(reached);
    expect(payments.breakerState()).toBe('open');
  });

  it('lets a probe through once half-open, and closes when it succeeds', async () => {
    const { payments } = await openBreaker(200);
    const orderId = `order-${randomUUID()}`;
    // Refused fast while open; the first call after the pause is the probe, answered by the service.
    await waitFor(() => outcomeOf(payments.api.getPaymentByOrder({ orderId })), (outcome) => 'error' in outcome && outcome.error.code === 'PAYMENT_NOT_FOUND', 30_000, 'the probe to be answered');
    expect(payments.breakerState()).toBe('closed');
  });

  it('does not count refusals against the service', async () => {
    const { first, second, remote } = await pair('none', { resilience: { breakAfterFailures: 2, halfOpenAfterMs: 600_000 } });
    const payments = remote.binding(paymentsContract);
    for (let call = 0; call < 5; call += 1) {
      expect(await failureOf(payments.api.getPaymentByOrder({ orderId: `order-${randomUUID()}` }))).toMatchObject({ code: 'PAYMENT_NOT_FOUND', kind: 'not-found' });
    }
    expect(payments.breakerState()).toBe('closed');
    expect(lookups([first, second])).toBe(5);
  });
});

describe('the bulkhead', () => {
  it('turns a call away at once when every slot and queue place is taken, without calling', async () => {
    const { first, second, remote } = await pair('none', { resilience: { maxConcurrent: 1, maxQueued: 0 } });
    const held = `order-${randomUUID()}`;
    const gate = new Gate();
    faults.inject(paymentsContract, 'getPaymentByOrder', {
      when: (input) => input.orderId === held,
      run: async (_input, proceed) => {
        await gate.pass();
        return proceed();
      },
    });
    const payments = remote.api(paymentsContract);
    const holding = outcomeOf(payments.getPaymentByOrder({ orderId: held }));
    try {
      await gate.reached;
      expect(await failureOf(payments.getPaymentByOrder({ orderId: `order-${randomUUID()}` }))).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { bulkhead: 'full' } });
      expect(first.calls('payments.getPaymentByOrder') + second.calls('payments.getPaymentByOrder')).toBe(1);
    } finally {
      gate.open(); // else the held call would keep its instance from closing
    }
    expect(await holding).toMatchObject({ error: { code: 'PAYMENT_NOT_FOUND' } });
  });
});
