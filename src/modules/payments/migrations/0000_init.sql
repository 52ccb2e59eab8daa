CREATE SCHEMA IF NOT EXISTS "payments";
--> statement-breakpoint
CREATE TABLE "payments"."attempts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"payment_id" uuid NOT NULL,
	"amount_cents" integer NOT NULL,
	"currency" char(3) NOT NULL,
	"last4" char(4) NOT NULL,
	"brand" text NOT NULL,
	"outcome" text NOT NULL,
	"decline_reason" text,
	"processor_ref" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "attempts_outcome_known" CHECK ("payments"."attempts"."outcome" in ('PROCESSING', 'CAPTURED', 'DECLINED', 'FAILED', 'ABANDONED'))
);
--> statement-breakpoint
CREATE TABLE "payments"."payments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"user_id" text NOT NULL,
	"amount_cents" integer NOT NULL,
	"currency" char(3) NOT NULL,
	"status" text NOT NULL,
	"last4" char(4) NOT NULL,
	"brand" text NOT NULL,
	"attempt_id" uuid NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"processor_ref" text,
	"decline_reason" text,
	"refunded_cents" integer DEFAULT 0 NOT NULL,
	"refund_ref" text,
	"lease_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"captured_at" timestamp with time zone,
	"refunded_at" timestamp with time zone,
	CONSTRAINT "payments_order_id_unique" UNIQUE("order_id"),
	CONSTRAINT "payments_amount_cents_positive" CHECK ("payments"."payments"."amount_cents" > 0),
	CONSTRAINT "payments_refunded_cents_range" CHECK ("payments"."payments"."refunded_cents" between 0 and "payments"."payments"."amount_cents"),
	CONSTRAINT "payments_last4_digits" CHECK ("payments"."payments"."last4" ~ '^[0-9]{4}$'),
	CONSTRAINT "payments_captured_has_processor_ref" CHECK ("payments"."payments"."status" not in ('CAPTURED', 'REFUNDING', 'REFUNDED') or "payments"."payments"."processor_ref" is not null),
	CONSTRAINT "payments_status_known" CHECK ("payments"."payments"."status" in ('PROCESSING', 'CAPTURED', 'DECLINED', 'FAILED', 'REFUNDING', 'REFUNDED'))
);
--> statement-breakpoint
ALTER TABLE "payments"."attempts" ADD CONSTRAINT "attempts_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "payments"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attempts_payment_id_idx" ON "payments"."attempts" USING btree ("payment_id","created_at");