DROP INDEX "elections_date_id_idx";--> statement-breakpoint
DROP INDEX "elections_country_date_idx";--> statement-breakpoint
CREATE INDEX "elections_date_id_idx" ON "elections" USING btree ("date" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "elections_country_date_idx" ON "elections" USING btree ("country_code","date" DESC NULLS FIRST,"id");