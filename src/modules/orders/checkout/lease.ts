/**
 * @module The lease by which one process owns an order's checkout. Only the owner may record
 * a step; a claim (and every step recorded) holds the order for `seconds`, so a process that
 * dies lets its orders go once that time is up, and another process takes them over.
 */
import { randomUUID } from 'node:crypto';

export interface Lease {
  /** This process, as the owner of the checkouts it runs: a fresh id per start. */
  readonly owner: string;
  /** How long a claim holds an order for its owner. */
  readonly seconds: number;
}

export const newLease = (seconds: number): Lease => {
  if (!Number.isInteger(seconds) || seconds < 1) throw new RangeError(`A checkout lease lasts a whole number of seconds, at least 1; got ${seconds}`);
  return { owner: randomUUID(), seconds };
};
