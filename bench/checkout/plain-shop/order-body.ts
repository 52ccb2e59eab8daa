/**
 * @module The plain shop's order body: the same checks as the Seam gateway's POST /orders.
 * The schema is the orders contract's own zod schema for placeOrder (a plain zod object; it
 * brings no framework code along), less the fields the gateway fills in itself, after the
 * same tidying (country upper-cased, spaces and dashes out of the card number); then the rule
 * the gateway applies to every text, that PostgreSQL can store it (no U+0000, no lone surrogate).
 */
import { z } from 'zod';
import { ordersContract } from '../../../src/modules/orders/contract.js';

/** A field and what is wrong with it, as problem details list them. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export type OrderBody = z.output<typeof orderBody>;

/** What people type, tidied where the meaning is plain, as the gateway does. */
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
    ...(typeof card === 'object' && card !== null && typeof card.cardNumber === 'string' ? { payment: { ...card, cardNumber: card.cardNumber.replace(/[\s-]/g, '') } } : {}),
  };
};

const orderBody = z.preprocess(tidy, ordersContract.methods.placeOrder.input.omit({ userId: true, idempotencyKey: true }));

/** The dotted path of the first text in `value` PostgreSQL cannot store, and why. */
const firstUnstorable = (value: unknown, path: readonly string[] = []): FieldProblem | undefined => {
  if (typeof value === 'string') {
    const field = path.join('.') || '(root)';
    if (value.includes('\u0000')) return { field, message: 'must not contain the character U+0000' };
    if (!value.isWellFormed()) return { field, message: 'must be valid Unicode text (it holds a lone UTF-16 surrogate)' };
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const bad = firstUnstorable(item, [...path, key]);
    if (bad) return bad;
  }
  return undefined;
};

/** The order asked for in `json` (parsed JSON), or every problem with it. */
export const parseOrderBody = (json: unknown): { readonly body: OrderBody } | { readonly problems: FieldProblem[] } => {
  const parsed = orderBody.safeParse(json);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message })) };
  const bad = firstUnstorable(parsed.data);
  return bad ? { problems: [bad] } : { body: parsed.data };
};
