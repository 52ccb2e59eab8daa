CREATE SCHEMA IF NOT EXISTS "orders";
--> statement-breakpoint
CREATE TABLE "orders"."orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" text NOT NULL,
	"items" jsonb NOT NULL,
	"items_cents" integer NOT NULL,
	"shipping_cents" integer NOT NULL,
	"total_cents" integer NOT NULL,
	"currency" text NOT NULL,
	"weight_grams" integer NOT NULL,
	"shipping_address" jsonb NOT NULL,
	"payment_id" text,
	"payment_last4" text,
	"shipment_id" text,
	"cancellation_reason" text,
	"cancellation_details" jsonb,
	"saga_step" text NOT NULL,
	"saga_attempts" integer DEFAULT 0 NOT NULL,
	"saga_next_at" timestamp with time zone DEFAULT now() NOT NULL,
	"saga_lease_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders"."outbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"event_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"subscriber" text NOT NULL,
	"payload" jsonb NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "orders_user_idempotency_key_idx" ON "orders"."orders" USING btree ("user_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "orders_user_created_idx" ON "orders"."orders" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "orders_saga_due_idx" ON "orders"."orders" USING btree ("saga_next_at") WHERE "orders"."orders"."saga_step" <> 'done';--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "orders"."outbox" USING btree ("status","next_attempt_at");