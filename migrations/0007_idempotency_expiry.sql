ALTER TABLE "idempotency_keys" ADD COLUMN "etag" text;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "content_type" text;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");