CREATE SCHEMA IF NOT EXISTS "shipping";
--> statement-breakpoint
CREATE TABLE "shipping"."outbox" (
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
CREATE TABLE "shipping"."shipments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"order_id" text NOT NULL,
	"user_id" text NOT NULL,
	"status" text NOT NULL,
	"service" text NOT NULL,
	"tracking_number" text NOT NULL,
	"address_name" text NOT NULL,
	"address_line1" text NOT NULL,
	"address_city" text NOT NULL,
	"address_postal_code" text NOT NULL,
	"address_country" char(2) NOT NULL,
	"weight_grams" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shipments_order_id_unique" UNIQUE("order_id"),
	CONSTRAINT "shipments_tracking_number_unique" UNIQUE("tracking_number"),
	CONSTRAINT "shipments_weight_grams_positive" CHECK ("shipping"."shipments"."weight_grams" > 0),
	CONSTRAINT "shipments_status_known" CHECK ("shipping"."shipments"."status" in ('CREATED', 'DISPATCHED', 'DELIVERED', 'CANCELLED')),
	CONSTRAINT "shipments_service_known" CHECK ("shipping"."shipments"."service" in ('standard', 'express'))
);
--> statement-breakpoint
CREATE TABLE "shipping"."tracking_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "shipping"."tracking_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"shipment_id" uuid NOT NULL,
	"status" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "shipping"."tracking_events" ADD CONSTRAINT "tracking_events_shipment_id_shipments_id_fk" FOREIGN KEY ("shipment_id") REFERENCES "shipping"."shipments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "shipping"."outbox" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "tracking_events_shipment_id_idx" ON "shipping"."tracking_events" USING btree ("shipment_id","id");