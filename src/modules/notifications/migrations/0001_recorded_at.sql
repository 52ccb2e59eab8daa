DROP INDEX "notifications"."notifications_user_created_idx";--> statement-breakpoint
ALTER TABLE "notifications"."notifications" ADD COLUMN "recorded_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL;--> statement-breakpoint
CREATE INDEX "notifications_user_created_recorded_idx" ON "notifications"."notifications" USING btree ("user_id","created_at","recorded_at");