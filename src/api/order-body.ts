/**
 * @module The body of POST /orders: the orders contract's placeOrder input, less what the
 * gateway fills in itself (the user, the Idempotency-Key header), after tidying what people
 * type. Plain zod and the contract, nothing of the framework, so the checkout benchmark's
 * plain shop validates with exactly this too.
 */
import { z } from 'zod';
import { ordersContract } from '../modules/orders/contract.js';

/** What people type, tidied where the meaning is plain: "de" is DE, "4242 4242 ..." is the number. */
const tidy = (body: unknown): unknown => {
  if (typeof body !== 'object' || body === null) return body;
  const { shippingAddress, payment } = body as { shippingAddress?: unknown; payment?: unknown };
  const address = shippingAddress as { country?: unknown } | undefined;
  const card = payment as { cardNumber?: unknown } | undefined;
  return {
    ...body,
    ...(typeof address === 'object' && address !== null && typeof address.country === 'string'
      ? { shippingAddress: { ...address, country: address.country.trim().toUpperCase() } }
      : {}),
    ...(typeof card === 'object' && card !== null && typeof card.cardNumber === 'string'
      ? { payment: { ...card, cardNumber: card.cardNumber.replace(/[\s-]/g, '') } }
      : {}),
  };
};

export const placeOrderBody = z.preprocess(tidy, ordersContract.methods.placeOrder.input.omit({ userId: true, idempotencyKey: true }));
