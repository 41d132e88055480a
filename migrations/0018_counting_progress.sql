ALTER TABLE "result_areas" ADD COLUMN "units_level" "area_level";--> statement-breakpoint
ALTER TABLE "result_areas" ADD COLUMN "units_reporting" integer;--> statement-breakpoint
ALTER TABLE "result_areas" ADD COLUMN "units_total" integer;--> statement-breakpoint
ALTER TABLE "result_areas" ADD COLUMN "ballots_counted" bigint;--> statement-breakpoint
ALTER TABLE "result_areas" ADD COLUMN "expected_votes" bigint;--> statement-breakpoint
ALTER TABLE "result_versions" ADD COLUMN "units_level" "area_level";--> statement-breakpoint
ALTER TABLE "result_versions" ADD COLUMN "units_reporting" integer;--> statement-breakpoint
ALTER TABLE "result_versions" ADD COLUMN "units_total" integer;--> statement-breakpoint
ALTER TABLE "result_versions" ADD COLUMN "ballots_counted" bigint;--> statement-breakpoint
ALTER TABLE "result_versions" ADD COLUMN "expected_votes" bigint;--> statement-breakpoint
ALTER TABLE "result_areas" ADD CONSTRAINT "result_areas_counting" CHECK ("result_areas"."units_reporting" >= 0 and "result_areas"."units_total" >= 0 and "result_areas"."ballots_counted" >= 0 and "result_areas"."expected_votes" >= 0
      and "result_areas"."units_reporting" <= "result_areas"."units_total");--> statement-breakpoint
ALTER TABLE "result_versions" ADD CONSTRAINT "result_versions_counting" CHECK ("result_versions"."units_reporting" >= 0 and "result_versions"."units_total" >= 0 and "result_versions"."ballots_counted" >= 0 and "result_versions"."expected_votes" >= 0
      and "result_versions"."units_reporting" <= "result_versions"."units_total");