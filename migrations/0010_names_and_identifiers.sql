-- Names in every language and script the sources use, and other datasets' ids (issue 16). The
-- records' own names are mirrored into `names` by the application (search keys are folded in
-- JavaScript, src/lib/name-key.ts): the seed at start-up fills them for rows written before this
-- migration.
CREATE TYPE "public"."identifier_scheme" AS ENUM('wikidata', 'ocd-id', 'parlgov', 'electionguide');--> statement-breakpoint
CREATE TYPE "public"."name_kind" AS ENUM('name', 'short', 'abbreviation', 'variant', 'former');--> statement-breakpoint
CREATE TABLE "external_ids" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "external_ids_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"candidate_id" text,
	"organisation_id" text,
	"area_id" text,
	"election_id" text,
	"scheme" "identifier_scheme" NOT NULL,
	"value" text NOT NULL,
	"source_id" text NOT NULL,
	CONSTRAINT "external_ids_one_subject" CHECK (num_nonnulls("external_ids"."candidate_id", "external_ids"."organisation_id", "external_ids"."area_id", "external_ids"."election_id") = 1)
);
--> statement-breakpoint
CREATE TABLE "names" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "names_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"candidate_id" text,
	"organisation_id" text,
	"area_id" text,
	"election_id" text,
	"name" text NOT NULL,
	"lang" text NOT NULL,
	"kind" "name_kind" NOT NULL,
	"preferred" boolean DEFAULT false NOT NULL,
	"valid_from" text,
	"valid_to" text,
	"search_key" text NOT NULL,
	"source_id" text NOT NULL,
	CONSTRAINT "names_subject_lang_kind_name" UNIQUE NULLS NOT DISTINCT("candidate_id","organisation_id","area_id","election_id","lang","kind","name"),
	CONSTRAINT "names_one_subject" CHECK (num_nonnulls("names"."candidate_id", "names"."organisation_id", "names"."area_id", "names"."election_id") = 1),
	CONSTRAINT "names_lang" CHECK ("names"."lang" ~ '^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?$'),
	CONSTRAINT "names_valid_from" CHECK ("names"."valid_from" ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'),
	CONSTRAINT "names_valid_to" CHECK ("names"."valid_to" ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$')
);
--> statement-breakpoint
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_area_id_areas_id_fk" FOREIGN KEY ("area_id") REFERENCES "public"."areas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_election_id_elections_id_fk" FOREIGN KEY ("election_id") REFERENCES "public"."elections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_ids" ADD CONSTRAINT "external_ids_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "names" ADD CONSTRAINT "names_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "names" ADD CONSTRAINT "names_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "names" ADD CONSTRAINT "names_area_id_areas_id_fk" FOREIGN KEY ("area_id") REFERENCES "public"."areas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "names" ADD CONSTRAINT "names_election_id_elections_id_fk" FOREIGN KEY ("election_id") REFERENCES "public"."elections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "names" ADD CONSTRAINT "names_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "external_ids_scheme_value_idx" ON "external_ids" USING btree ("scheme","value");--> statement-breakpoint
CREATE INDEX "external_ids_candidate_idx" ON "external_ids" USING btree ("candidate_id") WHERE "external_ids"."candidate_id" is not null;--> statement-breakpoint
CREATE INDEX "external_ids_organisation_idx" ON "external_ids" USING btree ("organisation_id") WHERE "external_ids"."organisation_id" is not null;--> statement-breakpoint
CREATE INDEX "external_ids_area_idx" ON "external_ids" USING btree ("area_id") WHERE "external_ids"."area_id" is not null;--> statement-breakpoint
CREATE INDEX "external_ids_election_idx" ON "external_ids" USING btree ("election_id") WHERE "external_ids"."election_id" is not null;--> statement-breakpoint
CREATE INDEX "names_candidate_idx" ON "names" USING btree ("candidate_id") WHERE "names"."candidate_id" is not null;--> statement-breakpoint
CREATE INDEX "names_organisation_idx" ON "names" USING btree ("organisation_id") WHERE "names"."organisation_id" is not null;--> statement-breakpoint
CREATE INDEX "names_area_idx" ON "names" USING btree ("area_id") WHERE "names"."area_id" is not null;--> statement-breakpoint
CREATE INDEX "names_election_idx" ON "names" USING btree ("election_id") WHERE "names"."election_id" is not null;--> statement-breakpoint
CREATE INDEX "names_search_key_trgm_idx" ON "names" USING gin ("search_key" gin_trgm_ops);--> statement-breakpoint
CREATE TRIGGER names_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON names
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER names_data_version_insert AFTER INSERT ON names REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
CREATE TRIGGER external_ids_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON external_ids
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER external_ids_data_version_insert AFTER INSERT ON external_ids REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();
