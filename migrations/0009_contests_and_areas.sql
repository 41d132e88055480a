-- Contests within elections, areas (reporting units) and their figures, parties' details. Written by
-- drizzle-kit, then: contest_id added nullable, filled for existing versions, made NOT NULL; the
-- triggers at the end are by hand.
CREATE TYPE "public"."area_level" AS ENUM('country', 'region', 'city', 'district', 'polling-station');--> statement-breakpoint
CREATE TYPE "public"."contest_kind" AS ENUM('candidate', 'party-list', 'ballot-question');--> statement-breakpoint
CREATE TYPE "public"."organisation_kind" AS ENUM('party', 'public-association', 'alliance', 'other');--> statement-breakpoint
ALTER TYPE "public"."selection_kind" ADD VALUE 'party';--> statement-breakpoint
ALTER TYPE "public"."selection_kind" ADD VALUE 'option';--> statement-breakpoint
ALTER TYPE "public"."selection_kind" ADD VALUE 'other';--> statement-breakpoint
CREATE TABLE "areas" (
	"id" text PRIMARY KEY NOT NULL,
	"country_code" char(2) NOT NULL,
	"parent_id" text,
	"level" "area_level" NOT NULL,
	"name" text NOT NULL,
	"iso_code" text,
	"authority_code" text,
	"valid_from" date,
	"valid_to" date,
	"note" text,
	"source_id" text,
	CONSTRAINT "areas_iso_code_unique" UNIQUE("iso_code")
);
--> statement-breakpoint
CREATE TABLE "organisation_members" (
	"alliance_id" text NOT NULL,
	"member_id" text NOT NULL,
	"source_id" text NOT NULL,
	CONSTRAINT "organisation_members_alliance_id_member_id_pk" PRIMARY KEY("alliance_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "contests" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"election_id" text NOT NULL,
	"slug" text NOT NULL,
	"kind" "contest_kind" NOT NULL,
	"name" text NOT NULL,
	"area_id" text NOT NULL,
	"seats" smallint,
	"threshold_percent" numeric(6, 3),
	"main" boolean DEFAULT false NOT NULL,
	"note" text,
	"current_version" integer,
	"source_id" text NOT NULL,
	CONSTRAINT "contests_election_slug_key" UNIQUE("election_id","slug"),
	CONSTRAINT "contests_id_election_key" UNIQUE("id","election_id")
);
--> statement-breakpoint
CREATE TABLE "result_areas" (
	"version_id" integer NOT NULL,
	"area_id" text NOT NULL,
	"registered_voters" bigint,
	"ballots_cast" bigint,
	"valid_votes" bigint,
	"invalid_votes" bigint,
	"turnout_percent" numeric(6, 3),
	"complete" boolean DEFAULT false NOT NULL,
	"published_as_is" boolean DEFAULT false NOT NULL,
	CONSTRAINT "result_areas_version_id_area_id_pk" PRIMARY KEY("version_id","area_id")
);
--> statement-breakpoint
ALTER TABLE "result_versions" DROP CONSTRAINT "result_versions_election_number_key";--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "kind" "organisation_kind";--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "short_name" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "abbreviation" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "colour" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "colour_source_id" text;--> statement-breakpoint
ALTER TABLE "result_versions" ADD COLUMN "contest_id" integer;--> statement-breakpoint
ALTER TABLE "vote_shares" ADD COLUMN "area_id" text;--> statement-breakpoint
ALTER TABLE "vote_shares" ADD COLUMN "seats" integer;--> statement-breakpoint
ALTER TABLE "areas" ADD CONSTRAINT "areas_country_code_countries_code_fk" FOREIGN KEY ("country_code") REFERENCES "public"."countries"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "areas" ADD CONSTRAINT "areas_parent_id_areas_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."areas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "areas" ADD CONSTRAINT "areas_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisation_members" ADD CONSTRAINT "organisation_members_alliance_id_organisations_id_fk" FOREIGN KEY ("alliance_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisation_members" ADD CONSTRAINT "organisation_members_member_id_organisations_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organisation_members" ADD CONSTRAINT "organisation_members_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contests" ADD CONSTRAINT "contests_election_id_elections_id_fk" FOREIGN KEY ("election_id") REFERENCES "public"."elections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contests" ADD CONSTRAINT "contests_area_id_areas_id_fk" FOREIGN KEY ("area_id") REFERENCES "public"."areas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contests" ADD CONSTRAINT "contests_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "result_areas" ADD CONSTRAINT "result_areas_version_id_result_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."result_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "result_areas" ADD CONSTRAINT "result_areas_area_id_areas_id_fk" FOREIGN KEY ("area_id") REFERENCES "public"."areas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "areas_parent_idx" ON "areas" USING btree ("parent_id","id");--> statement-breakpoint
CREATE INDEX "areas_country_level_idx" ON "areas" USING btree ("country_code","level","id");--> statement-breakpoint
CREATE UNIQUE INDEX "contests_one_main_idx" ON "contests" USING btree ("election_id") WHERE "contests"."main";--> statement-breakpoint
CREATE INDEX "contests_area_idx" ON "contests" USING btree ("area_id");--> statement-breakpoint
CREATE INDEX "result_areas_area_idx" ON "result_areas" USING btree ("area_id");--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_colour_source_id_sources_id_fk" FOREIGN KEY ("colour_source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "result_versions" ADD CONSTRAINT "result_versions_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "public"."contests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "result_versions" ADD CONSTRAINT "result_versions_contest_election_fk" FOREIGN KEY ("contest_id","election_id") REFERENCES "public"."contests"("id","election_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vote_shares" ADD CONSTRAINT "vote_shares_area_id_areas_id_fk" FOREIGN KEY ("area_id") REFERENCES "public"."areas"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "vote_shares_nominator_idx" ON "vote_shares" USING btree ("nominator_id");--> statement-breakpoint
ALTER TABLE "result_versions" ADD CONSTRAINT "result_versions_contest_number_key" UNIQUE("contest_id","number");--> statement-breakpoint
ALTER TABLE "vote_shares" ADD CONSTRAINT "vote_shares_seats_nonnegative" CHECK ("vote_shares"."seats" >= 0);--> statement-breakpoint
ALTER TABLE "vote_shares" DROP CONSTRAINT "vote_shares_label_kind";--> statement-breakpoint
ALTER TABLE "vote_shares" ADD CONSTRAINT "vote_shares_label_kind" CHECK ("vote_shares"."kind"::text in ('candidate', 'party') or "vote_shares"."label" is not null);--> statement-breakpoint
ALTER TABLE "vote_shares" ADD CONSTRAINT "vote_shares_party_kind" CHECK ("vote_shares"."kind"::text <> 'party' or "vote_shares"."nominator_id" is not null);--> statement-breakpoint
-- Existing elections: each gets its country's area and one main contest, which holds its versions.
INSERT INTO areas (id, country_code, level, name)
  SELECT DISTINCT lower(c.code), c.code, 'country'::area_level, c.name
  FROM countries c JOIN elections e ON e.country_code = c.code
  ON CONFLICT DO NOTHING;--> statement-breakpoint
INSERT INTO contests (election_id, slug, kind, name, area_id, seats, main, source_id)
  SELECT e.id,
    CASE e.type WHEN 'presidential' THEN 'president' WHEN 'parliamentary' THEN 'party-list' WHEN 'referendum' THEN 'question-1' ELSE 'main' END,
    (CASE e.type WHEN 'parliamentary' THEN 'party-list' WHEN 'referendum' THEN 'ballot-question' ELSE 'candidate' END)::contest_kind,
    CASE e.type WHEN 'presidential' THEN 'President' WHEN 'parliamentary' THEN 'Party lists' WHEN 'referendum' THEN 'Question 1' ELSE 'Main contest' END,
    lower(e.country_code),
    CASE e.type WHEN 'presidential' THEN 1 END,
    true,
    e.source_id
  FROM elections e;--> statement-breakpoint
-- The one rewrite of versions ever allowed: filling the new column, with the guard off meanwhile.
ALTER TABLE result_versions DISABLE TRIGGER result_versions_append_only;--> statement-breakpoint
UPDATE result_versions v SET contest_id = c.id FROM contests c WHERE c.election_id = v.election_id AND c.main;--> statement-breakpoint
ALTER TABLE result_versions ENABLE TRIGGER result_versions_append_only;--> statement-breakpoint
UPDATE contests c SET current_version = (SELECT max(number) FROM result_versions v WHERE v.contest_id = c.id);--> statement-breakpoint
ALTER TABLE "result_versions" ALTER COLUMN "contest_id" SET NOT NULL;--> statement-breakpoint
-- A contest's newest version number, and the election's (its main contest's), kept on insert:
-- once per statement (a bulk import or db:synth writes thousands of versions in one).
CREATE OR REPLACE FUNCTION track_current_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE contests c SET current_version = n.number
  FROM (SELECT contest_id, max(number) AS number FROM inserted GROUP BY contest_id) n
  WHERE c.id = n.contest_id AND (c.current_version IS NULL OR c.current_version < n.number);
  UPDATE elections e SET current_version = n.number
  FROM (SELECT i.election_id, max(i.number) AS number FROM inserted i
        JOIN contests c ON c.id = i.contest_id AND c.main GROUP BY i.election_id) n
  WHERE e.id = n.election_id AND (e.current_version IS NULL OR e.current_version < n.number);
  RETURN NULL;
END;
$$;--> statement-breakpoint
DROP TRIGGER result_versions_current ON result_versions;--> statement-breakpoint
CREATE TRIGGER result_versions_current AFTER INSERT ON result_versions
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION track_current_version();--> statement-breakpoint
-- A version's areas are append-only like the rest of it.
CREATE TRIGGER result_areas_append_only BEFORE UPDATE OR DELETE ON result_areas
  FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();--> statement-breakpoint
-- The new tables count as data: their writes bump the data version (CSV ETags, the results cache).
CREATE TRIGGER areas_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON areas
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER areas_data_version_insert AFTER INSERT ON areas REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
CREATE TRIGGER contests_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON contests
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER contests_data_version_insert AFTER INSERT ON contests REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
CREATE TRIGGER result_areas_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON result_areas
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER result_areas_data_version_insert AFTER INSERT ON result_areas REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
CREATE TRIGGER organisation_members_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON organisation_members
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER organisation_members_data_version_insert AFTER INSERT ON organisation_members REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();
