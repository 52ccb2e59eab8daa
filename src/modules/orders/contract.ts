/**
 * @module The orders module's public face: placing, reading and cancelling orders, and the
 * events that say how an order ended.
 */
import { z } from 'zod';
import { defineContract, type ContractApi } from '../../kernel/contract.js';
import { defineError } from '../../kernel/errors.js';
import { InsufficientStock } from '../inventory/contract.js';
import { PaymentDeclined } from '../payments/contract.js';
import { ParcelTooHeavy, UnsupportedCountry } from '../shipping/contract.js';

export const OrderNotFound = defineError('ORDER_NOT_FOUND', 'not-found', 'Order not found');
export const OrderNotCancellable = defineError('ORDER_NOT_CANCELLABLE', 'conflict', 'The order can no longer be cancelled');
/** Inventory's refusal, passed on as itself: a code is declared once, by the module that owns it. */
export const OutOfStock = InsufficientStock;
export const UnknownProduct = defineError('UNKNOWN_PRODUCT', 'refused', 'The order names a product that does not exist');
/** Payments' refusal, passed on as itself. */
export const OrderPaymentDeclined = PaymentDeclined;
export const IdempotencyKeyReused = defineError('IDEMPOTENCY_KEY_REUSED', 'refused', 'The idempotency key was used for a different order');
export const OrderPaymentFailed = defineError('PAYMENT_FAILED', 'unavailable', 'The payment could not be processed; try again later');
export const CheckoutFailed = defineError('CHECKOUT_FAILED', 'conflict', 'The order could not be completed and was cancelled');
/** The products are priced in different currencies; one order is paid in one. details: `{ currencies, errors }`. */
export const MixedCurrencies = defineError('MIXED_CURRENCIES', 'refused', 'The order mixes products priced in different currencies');
/** The items cost more than one order may (a payment's range). details: `{ maxItemsCents, errors }`. */
export const OrderTooLarge = defineError('ORDER_TOO_LARGE', 'refused', 'The order is worth more than one order may be');

export const orderStatus = z.enum(['PENDING', 'CONFIRMED', 'CANCELLED']);

const address = z.object({
  name: z.string().min(1).max(100),
  line1: z.string().min(1).max(200),
  city: z.string().min(1).max(100),
  postalCode: z.string().min(1).max(20),
  /** ISO 3166-1 alpha-2, upper case. */
  country: z.string().regex(/^[A-Z]{2}$/),
});

const card = z.object({
  cardNumber: z.string().regex(/^\d{12,19}$/),
  expMonth: z.number().int().min(1).max(12),
  expYear: z.number().int().min(2000).max(2100),
  cvc: z.string().regex(/^\d{3,4}$/),
});

const orderLine = z.object({
  productId: z.string(),
  name: z.string(),
  quantity: z.number().int().positive(),
  unitPriceCents: z.number().int().nonnegative(),
  lineTotalCents: z.number().int().nonnegative(),
});

const order = z.object({
  id: z.string(),
  userId: z.string(),
  status: orderStatus,
  items: z.array(orderLine),
  itemsCents: z.number().int().nonnegative(),
  shippingCents: z.number().int().nonnegative(),
  totalCents: z.number().int().nonnegative(),
  currency: z.string().length(3),
  shippingAddress: address,
  shipmentId: z.string().nullable(),
  /** Last four digits of the card charged; never more. */
  paymentLast4: z.string().nullable(),
  cancellationReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export type Order = z.infer<typeof order>;
export type OrderStatus = z.infer<typeof orderStatus>;
export type ShippingAddress = z.infer<typeof address>;

export const ordersContract = defineContract('orders', 1, {
  methods: {
    /**
     * Places an order and runs checkout (reserve stock, charge, ship) until it ends or the
     * deadline passes; then it returns the order as PENDING and finishes in the background.
     * The same idempotency key for the same user returns the first order and creates nothing.
     */
    placeOrder: {
      summary: 'Places an order and runs checkout',
      input: z.object({
        userId: z.string().min(1),
        idempotencyKey: z.string().min(1).max(200),
        items: z
          .array(z.object({ productId: z.string().min(1).max(100), quantity: z.number().int().min(1).max(100) }))
          .min(1)
          .max(50),
        shippingAddress: address,
        payment: card,
      }),
      output: order,
      errors: [OutOfStock, UnknownProduct, MixedCurrencies, OrderTooLarge, OrderPaymentDeclined, OrderPaymentFailed, CheckoutFailed, IdempotencyKeyReused, UnsupportedCountry, ParcelTooHeavy],
      idempotent: true,
    },
    /** One of the user's orders. Another user's order is reported as not found. */
    getOrder: {
      summary: "Gets one of the user's orders",
      input: z.object({ userId: z.string().min(1), orderId: z.string().min(1).max(100) }),
      output: order,
      errors: [OrderNotFound],
      idempotent: true,
    },
    /** The user's orders, newest first. */
    listOrders: {
      summary: "Lists the user's orders, newest first",
      input: z.object({ userId: z.string().min(1), limit: z.number().int().min(1).max(100) }),
      output: z.object({ items: z.array(order) }),
      errors: [],
      idempotent: true,
    },
    /** Cancels an order that has not been dispatched: releases its stock and refunds it. */
    cancelOrder: {
      summary: 'Cancels an order before dispatch',
      input: z.object({ userId: z.string().min(1), orderId: z.string().min(1).max(100) }),
      output: order,
      errors: [OrderNotFound, OrderNotCancellable],
      idempotent: true,
    },
  },
  events: {
    OrderConfirmed: {
      summary: 'Checkout finished: stock reserved, payment captured, shipment created',
      payload: z.object({ orderId: z.string(), userId: z.string(), totalCents: z.number().int(), currency: z.string() }),
    },
    OrderCancelled: {
      summary: 'The order ended without being fulfilled; stock and payment were given back',
      payload: z.object({ orderId: z.string(), userId: z.string(), reason: z.string() }),
    },
  },
});

export type OrdersApi = ContractApi<typeof ordersContract>;
