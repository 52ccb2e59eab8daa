/**
 * @module The plain shop's order body: the same checks as the Seam gateway's POST /orders,
 * with the gateway's own code for them: its order-body schema (the orders contract's zod
 * schema after the same tidying; plain zod, no framework code) and its rule that every text
 * must be one PostgreSQL can store (no U+0000, no lone surrogate).
 */
import type { z } from 'zod';
import { firstUnstorable } from '../../../src/gateway/input.js';
import { placeOrderBody } from '../../../src/api/order-body.js';

/** A field and what is wrong with it, as problem details list them. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export type OrderBody = z.output<typeof placeOrderBody>;

/** The order asked for in `json` (parsed JSON), or every problem with it. */
export const parseOrderBody = (json: unknown): { readonly body: OrderBody } | { readonly problems: FieldProblem[] } => {
  const parsed = placeOrderBody.safeParse(json);
  if (!parsed.success) return { problems: parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message })) };
  const bad = firstUnstorable(parsed.data);
  return bad ? { problems: [bad] } : { body: parsed.data };
};
