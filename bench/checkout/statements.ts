/**
 * @module The statement texts the framework sends on the request path of one order, copied
 * from the server's statement log, so PostgreSQL parses, plans and returns the same things
 * in both paths. The benchmark checks against the log that they still match.
 */

const orderColumns =
  '"id", "user_id", "idempotency_key", "request_hash", "status", "items", "items_cents", "shipping_cents", "total_cents", "currency", "weight_grams", "shipping_address", "payment_id", "payment_last4", "shipment_id", "cancellation_reason", "cancellation_details", "saga_step", "saga_attempts", "saga_next_at", "saga_lease_until", "saga_owner", "created_at", "updated_at"';
const reservationColumns = '"id", "status", "items", "expires_at", "created_at", "updated_at"';
const paymentColumns =
  '"id", "order_id", "user_id", "amount_cents", "currency", "status", "last4", "brand", "attempt_id", "attempts", "processor_ref", "decline_reason", "refunded_cents", "refund_ref", "lease_until", "created_at", "updated_at", "captured_at", "refunded_at", coalesce("lease_until" <= now(), false) as "lease_expired"';
const shipmentColumns =
  '"id", "order_id", "user_id", "status", "service", "tracking_number", "address_name", "address_line1", "address_city", "address_postal_code", "address_country", "weight_grams", "created_at", "updated_at"';

export const statements = {
  findOrderByKey: `select ${orderColumns} from "orders"."orders" where ("orders"."orders"."user_id" = $1 and "orders"."orders"."idempotency_key" = $2)`,
  productsByIds: (count: number) =>
    `select "catalog"."products"."id", "catalog"."products"."sku", "catalog"."products"."name", "catalog"."products"."description", "catalog"."products"."price_cents", "catalog"."products"."currency", "catalog"."products"."weight_grams", "catalog"."products"."created_at", "catalog"."categories"."slug", "catalog"."categories"."name" from "catalog"."products" inner join "catalog"."categories" on "catalog"."products"."category_id" = "catalog"."categories"."id" where "catalog"."products"."id" in (${Array.from({ length: count }, (_, i) => `$${i + 1}`).join(', ')})`,
  insertOrder: `insert into "orders"."orders" ("id", "user_id", "idempotency_key", "request_hash", "status", "items", "items_cents", "shipping_cents", "total_cents", "currency", "weight_grams", "shipping_address", "payment_id", "payment_last4", "shipment_id", "cancellation_reason", "cancellation_details", "saga_step", "saga_attempts", "saga_next_at", "saga_lease_until", "saga_owner", "created_at", "updated_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, default, default, default, default, default, $13, default, default, now() + make_interval(secs => $14), $15, default, default) on conflict ("user_id","idempotency_key") do nothing returning ${orderColumns}`,
  claimSaga: `update "orders"."orders" set "saga_lease_until" = now() + make_interval(secs => $1), "saga_owner" = $2 where ("orders"."orders"."id" = $3 and "orders"."orders"."saga_step" <> $4 and ("orders"."orders"."saga_lease_until" is null or "orders"."orders"."saga_lease_until" < now() or "orders"."orders"."saga_owner" = $5)) returning ${orderColumns}`,
  lockReservation: `select ${reservationColumns} from "inventory"."reservations" where "inventory"."reservations"."id" = $1 for update`,
  takeStock: `update "inventory"."stock_levels" set "available" = "inventory"."stock_levels"."available" - $1, "updated_at" = $2 where ("inventory"."stock_levels"."product_id" = $3 and "inventory"."stock_levels"."available" >= $4) returning "product_id"`,
  insertReservation: `insert into "inventory"."reservations" ("id", "status", "items", "expires_at", "created_at", "updated_at") values ($1, $2, $3, $4, default, default) returning ${reservationColumns}`,
  advanceToCharge: `update "orders"."orders" set "saga_step" = $1, "saga_attempts" = $2, "saga_next_at" = now(), "saga_lease_until" = now() + make_interval(secs => $3), "saga_owner" = $4, "updated_at" = now() where ("orders"."orders"."id" = $5 and "orders"."orders"."saga_owner" = $6) returning ${orderColumns}`,
  insertPayment: `insert into "payments"."payments" ("id", "order_id", "user_id", "amount_cents", "currency", "status", "last4", "brand", "attempt_id", "attempts", "processor_ref", "decline_reason", "refunded_cents", "refund_ref", "lease_until", "created_at", "updated_at", "captured_at", "refunded_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, default, default, default, default, default, now() + make_interval(secs => $10), default, default, default, default) on conflict ("order_id") do nothing returning ${paymentColumns}`,
  insertAttempt: `insert into "payments"."attempts" ("id", "payment_id", "amount_cents", "currency", "last4", "brand", "outcome", "decline_reason", "processor_ref", "created_at", "finished_at") values ($1, $2, $3, $4, $5, $6, $7, default, default, default, default)`,
  finishPayment: `update "payments"."payments" set "status" = $1, "processor_ref" = $2, "decline_reason" = $3, "lease_until" = $4, "updated_at" = now(), "captured_at" = now() where ("payments"."payments"."attempt_id" = $5 and "payments"."payments"."status" = $6) returning ${paymentColumns}`,
  finishAttempt: `update "payments"."attempts" set "outcome" = $1, "decline_reason" = $2, "processor_ref" = $3, "finished_at" = now() where ("payments"."attempts"."id" = $4 and "payments"."attempts"."outcome" = $5)`,
  advanceToShip: `update "orders"."orders" set "payment_id" = $1, "payment_last4" = $2, "saga_step" = $3, "saga_attempts" = $4, "saga_next_at" = now(), "saga_lease_until" = now() + make_interval(secs => $5), "saga_owner" = $6, "updated_at" = now() where ("orders"."orders"."id" = $7 and "orders"."orders"."saga_owner" = $8) returning ${orderColumns}`,
  insertShipment: `insert into "shipping"."shipments" ("id", "order_id", "user_id", "status", "service", "tracking_number", "address_name", "address_line1", "address_city", "address_postal_code", "address_country", "weight_grams", "created_at", "updated_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, default, default) on conflict ("order_id") do nothing returning ${shipmentColumns}`,
  insertTrackingEvent: `insert into "shipping"."tracking_events" ("id", "shipment_id", "status", "at") values (default, $1, $2, default)`,
  trackingHistory: `select "status", "at" from "shipping"."tracking_events" where "shipping"."tracking_events"."shipment_id" = $1 order by "shipping"."tracking_events"."id" asc`,
  advanceToConfirm: `update "orders"."orders" set "shipment_id" = $1, "saga_step" = $2, "saga_attempts" = $3, "saga_next_at" = now(), "saga_lease_until" = now() + make_interval(secs => $4), "saga_owner" = $5, "updated_at" = now() where ("orders"."orders"."id" = $6 and "orders"."orders"."saga_owner" = $7) returning ${orderColumns}`,
  setReservationStatus: `update "inventory"."reservations" set "status" = $1, "updated_at" = $2 where "inventory"."reservations"."id" = $3 returning ${reservationColumns}`,
  advanceToDone: `update "orders"."orders" set "status" = $1, "saga_step" = $2, "saga_attempts" = $3, "saga_next_at" = now(), "saga_lease_until" = $4, "saga_owner" = $5, "updated_at" = now() where ("orders"."orders"."id" = $6 and "orders"."orders"."saga_owner" = $7) returning ${orderColumns}`,
  insertOutbox: `insert into "orders".outbox (id, event_id, event_type, subscriber, payload, occurred_at) values ($1, $2, $3, $4, $5::jsonb, clock_timestamp())`,
  findOrderById: `select ${orderColumns} from "orders"."orders" where "orders"."orders"."id" = $1`,
} as const;
