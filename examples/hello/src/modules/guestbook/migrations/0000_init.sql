CREATE SCHEMA IF NOT EXISTS "guestbook";
--> statement-breakpoint
CREATE TABLE "guestbook"."entries" (
	"greeting_id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"written_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "guestbook"."inbox" (
	"event_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbox_event_id_pk" PRIMARY KEY("event_id")
);
