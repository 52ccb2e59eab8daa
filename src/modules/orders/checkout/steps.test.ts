/**
 * Checkout's state machine, step by step, against in-memory stand-ins for inventory, payments
 * and shipping: where each step goes on success, the cancellation reason a refusal gives, what
 * is retried, the charge without a card, maxChargeAttempts, and compensation.
 */
import { describe, expect, it } from 'vitest';
import type { OrderRow } from '../order.repository.js';
import { cardCustody, type CardCustody } from './card-custody.js';
import { declinedCard, fakeWorld, goodCard, invalidCard, pendingOrder, type FakeWorld } from './fake-dependencies.test-support.js';
import { takeStep, type StepContext, type Transition } from './steps.js';

const lamp = 'lamp';

const setup = (stock = 5) => {
  const world = fakeWorld({ [lamp]: stock });
  const cards = cardCustody();
  const context: StepContext = { deps: world.deps, cards, reservationTtlSeconds: 900, maxChargeAttempts: 3 };
  return { world, cards, context };
};

/** The step `order` is at, taken once. */
const step = (order: OrderRow, context: StepContext): Promise<Transition> => {
  if (order.sagaStep === 'done') throw new Error('a finished checkout has no step to take');
  return takeStep(order.sagaStep, order, context);
};

/** The order as a driver would record `transition` (advances only). */
const recorded = (order: OrderRow, transition: Transition): OrderRow => {
  if (transition.kind !== 'advance') throw new Error(`expected an advance, got ${JSON.stringify(transition)}`);
  return { ...order, ...transition.record, sagaStep: transition.to, sagaAttempts: 0 };
};

const reserveFor = (world: FakeWorld, order: OrderRow) =>
  world.deps.inventory.reserve({ reservationId: order.id, items: [{ productId: lamp, quantity: 2 }], ttlSeconds: 900 });

const withCard = (cards: CardCustody, order: OrderRow, card = goodCard): OrderRow => {
  cards.hold(order.id, card);
  return order;
};

describe('checkout steps', () => {
  it('goes reserve → charge → ship → confirm → done, CONFIRMED, taking stock, payment and shipment once', async () => {
    const { world, cards, context } = setup();
    const order = withCard(cards, pendingOrder(lamp), goodCard);

    const seen: string[] = [];
    let current = order;
    while (current.sagaStep !== 'done') {
      current = recorded(current, await step(current, context));
      seen.push(current.sagaStep);
    }

    expect(seen).toEqual(['charge', 'ship', 'confirm', 'done']);
    const payment = world.payments.get(order.id)!;
    const shipment = world.shipments.get(order.id)!;
    expect(current).toMatchObject({ status: 'CONFIRMED', paymentId: payment.paymentId, paymentLast4: '4242', shipmentId: shipment.id });
    expect(payment).toMatchObject({ status: 'CAPTURED', amountCents: 5490, currency: 'EUR', userId: 'user-1' });
    expect(shipment).toMatchObject({ status: 'CREATED', weightGrams: 1600, address: order.shippingAddress });
    expect(world.reservations.get(order.id)?.status).toBe('COMMITTED');
    expect(world.available.get(lamp)).toBe(3);
  });

  it('cancels as out_of_stock when inventory refuses, naming the products, and takes no stock', async () => {
    const { world, context } = setup(1);

    const transition = await step(pendingOrder(lamp), context);

    expect(transition).toEqual({ kind: 'cancel', reason: 'out_of_stock', details: { productIds: [lamp], code: 'OUT_OF_STOCK' } });
    expect(world.available.get(lamp)).toBe(1);
  });

  it.each([
    { card: 'declined', number: declinedCard, reason: 'payment_declined', code: 'PAYMENT_DECLINED' },
    { card: 'invalid', number: invalidCard, reason: 'card_invalid', code: 'CARD_INVALID' },
  ])('cancels as $reason when payments refuses the card ($card), capturing nothing', async ({ number, reason, code }) => {
    const { world, cards, context } = setup();
    const order = withCard(cards, { ...pendingOrder(lamp), sagaStep: 'charge' }, number);

    const transition = await step(order, context);

    expect(transition).toMatchObject({ kind: 'cancel', reason, details: { code } });
    expect(world.payments.has(order.id)).toBe(false);
  });

  it('cancels as shipping_refused when the carrier refuses the parcel', async () => {
    const { world, context } = setup();
    world.refuseParcels = true;

    const transition = await step(pendingOrder(lamp, { sagaStep: 'ship' }), context);

    expect(transition).toMatchObject({ kind: 'cancel', reason: 'shipping_refused', details: { code: 'PARCEL_TOO_HEAVY' } });
  });

  it('cancels as reservation_expired when the stock was released before the confirmation', async () => {
    const { world, context } = setup();
    const order = pendingOrder(lamp, { sagaStep: 'confirm' });
    await reserveFor(world, order);
    await world.deps.inventory.release({ reservationId: order.id }); // the expiry sweeper, in effect

    const transition = await step(order, context);

    expect(transition).toMatchObject({ kind: 'cancel', reason: 'reservation_expired', details: { code: 'RESERVATION_EXPIRED' } });
  });

  it.each([
    { at: 'reserve', down: 'reserve' },
    { at: 'ship', down: 'createShipment' },
    { at: 'confirm', down: 'commit' },
  ] as const)('retries $at while $down is down, however often it failed before', async ({ at, down }) => {
    const { world, context } = setup();
    const order = pendingOrder(lamp, { sagaStep: at, sagaAttempts: 10 });
    if (at === 'confirm') await reserveFor(world, order);
    world.outages.set(down, 1);

    expect((await step(order, context)).kind).toBe('retry');
    // Once the dependency is back, the same step goes through.
    expect((await step(order, context)).kind).toBe('advance');
  });
});

describe('the charge step', () => {
  const atCharge = (world: FakeWorld, cards: CardCustody, attempts: number, card = goodCard): OrderRow => {
    world.outages.set('charge', 1);
    return withCard(cards, pendingOrder(lamp, { sagaStep: 'charge', sagaAttempts: attempts }), card);
  };

  it('retries a charge that failed transiently while attempts are left, keeping the card', async () => {
    const { world, cards, context } = setup();
    const order = atCharge(world, cards, 1);

    const transition = await step(order, context);

    expect(transition.kind).toBe('retry');
    expect(cards.cardFor(order.id)).toEqual(goodCard);
    expect(recorded(order, await step(order, context))).toMatchObject({ sagaStep: 'ship', paymentLast4: '4242' });
  });

  it('cancels as payment_failed when the maxChargeAttempts-th charge fails transiently', async () => {
    const { world, cards, context } = setup();

    const transition = await step(atCharge(world, cards, context.maxChargeAttempts - 1), context);

    expect(transition).toEqual({ kind: 'cancel', reason: 'payment_failed', details: { code: 'SERVICE_UNAVAILABLE' } });
  });

  it('without the card (its process died), carries on with a charge that went through', async () => {
    const { world, cards, context } = setup();
    const order = pendingOrder(lamp, { sagaStep: 'charge' });
    const charged = await world.deps.payments.charge({ orderId: order.id, userId: order.userId, amountCents: order.totalCents, currency: 'EUR', card: goodCard });

    const transition = await step(order, context);

    expect(recorded(order, transition)).toMatchObject({ sagaStep: 'ship', paymentId: charged.paymentId, paymentLast4: '4242' });
    expect(cards.cardFor(order.id)).toBeUndefined();
  });

  it('without the card and with no charge made, cancels as checkout_interrupted and charges nothing', async () => {
    const { world, context } = setup();
    const order = pendingOrder(lamp, { sagaStep: 'charge' });

    expect(await step(order, context)).toEqual({ kind: 'cancel', reason: 'checkout_interrupted' });
    expect(world.payments.has(order.id)).toBe(false);
  });

  it('without the card, keeps retrying a payment lookup that fails, past maxChargeAttempts', async () => {
    const { world, context } = setup();
    world.outages.set('getPaymentByOrder', 1);

    const transition = await step(pendingOrder(lamp, { sagaStep: 'charge', sagaAttempts: 10 }), context);

    expect(transition.kind).toBe('retry');
  });
});

describe('compensation', () => {
  /** An order that got through reserve, charge and ship, now at `compensate`. */
  const shippedThenCancelled = async (world: FakeWorld, cards: CardCustody, context: StepContext): Promise<OrderRow> => {
    let order = withCard(cards, pendingOrder(lamp));
    for (let taken = 0; taken < 3; taken += 1) order = recorded(order, await step(order, context));
    expect(order.sagaStep).toBe('confirm');
    expect(world.available.get(lamp)).toBe(3);
    return { ...order, sagaStep: 'compensate', cancellationReason: 'shipping_refused' };
  };

  it('cancels the shipment, refunds the payment and releases the stock, then ends CANCELLED', async () => {
    const { world, cards, context } = setup();
    const order = await shippedThenCancelled(world, cards, context);

    const transition = await step(order, context);

    expect(recorded(order, transition)).toMatchObject({ sagaStep: 'done', status: 'CANCELLED', cancellationReason: 'shipping_refused' });
    expect(world.shipments.get(order.id)?.status).toBe('CANCELLED');
    expect(world.payments.get(order.id)).toMatchObject({ status: 'REFUNDED', refundedCents: 5490 });
    expect(world.reservations.get(order.id)?.status).toBe('RELEASED');
    expect(world.available.get(lamp)).toBe(5);
  });

  it('undoes everything once however often it runs (a retry, a runner that lost its lease)', async () => {
    const { world, cards, context } = setup();
    const order = await shippedThenCancelled(world, cards, context);

    for (let run = 0; run < 3; run += 1) expect((await step(order, context)).kind).toBe('advance');

    expect(world.payments.get(order.id)).toMatchObject({ status: 'REFUNDED', refundedCents: 5490 });
    expect(world.available.get(lamp)).toBe(5);
  });

  it('compensates an order that got nowhere without changing anything', async () => {
    const { world, context } = setup();
    const order = pendingOrder(lamp, { sagaStep: 'compensate', cancellationReason: 'out_of_stock' });

    expect(recorded(order, await step(order, context))).toMatchObject({ sagaStep: 'done', status: 'CANCELLED' });
    expect(world.available.get(lamp)).toBe(5);
    expect(world.payments.size + world.shipments.size + world.reservations.size).toBe(0);
  });

  it('is retried when an undo fails transiently, and completes once the dependency is back', async () => {
    const { world, cards, context } = setup();
    const order = await shippedThenCancelled(world, cards, context);
    world.outages.set('refundOrder', 1);

    expect((await step(order, context)).kind).toBe('retry');
    expect(recorded(order, await step(order, context))).toMatchObject({ status: 'CANCELLED' });
    expect(world.payments.get(order.id)?.status).toBe('REFUNDED');
    expect(world.available.get(lamp)).toBe(5);
  });
});
