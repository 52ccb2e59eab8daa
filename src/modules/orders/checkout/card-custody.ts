/**
 * @module Card custody: the card details of the orders this process is checking out, in
 * memory only and only until the charge step has used them. A card is never written anywhere,
 * so a process that dies takes its customers' cards with it (the charge step then looks the
 * payment up instead of charging).
 */

/** Card details as the customer entered them. */
export interface CardDetails {
  readonly number: string;
  readonly expMonth: number;
  readonly expYear: number;
  readonly cvc: string;
}

export interface CardCustody {
  /** Keeps `card` for the charge step of `orderId`. */
  hold(orderId: string, card: CardDetails): void;
  /** The card held for `orderId`, if this process holds one. */
  cardFor(orderId: string): CardDetails | undefined;
  /** Forgets the card of `orderId`: charged, cancelled, never created, or handed over. */
  release(orderId: string): void;
}

export const cardCustody = (): CardCustody => {
  const cards = new Map<string, CardDetails>();
  return {
    hold: (orderId, card) => {
      cards.set(orderId, card);
    },
    cardFor: (orderId) => cards.get(orderId),
    release: (orderId) => {
      cards.delete(orderId);
    },
  };
};
