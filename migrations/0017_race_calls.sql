CREATE TYPE "public"."race_call_status" AS ENUM('too-early', 'too-close', 'called', 'runoff', 'uncalled');--> statement-breakpoint
CREATE TABLE "race_call_winners" (
	"call_id" integer NOT NULL,
	"position" smallint NOT NULL,
	"candidate_id" text,
	"organisation_id" text,
	"option" text,
	CONSTRAINT "race_call_winners_call_id_position_pk" PRIMARY KEY("call_id","position"),
	CONSTRAINT "race_call_winners_one_subject" CHECK (num_nonnulls("race_call_winners"."candidate_id", "race_call_winners"."organisation_id", "race_call_winners"."option") = 1)
);
--> statement-breakpoint
CREATE TABLE "race_calls" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "race_calls_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"election_id" text NOT NULL,
	"contest_id" integer NOT NULL,
	"number" integer NOT NULL,
	"status" "race_call_status" NOT NULL,
	"source_id" text NOT NULL,
	"called_at" timestamp with time zone NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "race_calls_contest_number_key" UNIQUE("contest_id","number"),
	CONSTRAINT "race_calls_number_positive" CHECK ("race_calls"."number" >= 1)
);
--> statement-breakpoint
ALTER TABLE "race_call_winners" ADD CONSTRAINT "race_call_winners_call_id_race_calls_id_fk" FOREIGN KEY ("call_id") REFERENCES "public"."race_calls"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "race_call_winners" ADD CONSTRAINT "race_call_winners_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "race_call_winners" ADD CONSTRAINT "race_call_winners_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "race_calls" ADD CONSTRAINT "race_calls_election_id_elections_id_fk" FOREIGN KEY ("election_id") REFERENCES "public"."elections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "race_calls" ADD CONSTRAINT "race_calls_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "public"."contests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "race_calls" ADD CONSTRAINT "race_calls_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "race_calls" ADD CONSTRAINT "race_calls_contest_election_fk" FOREIGN KEY ("contest_id","election_id") REFERENCES "public"."contests"("id","election_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "race_call_winners_candidate_idx" ON "race_call_winners" USING btree ("candidate_id") WHERE "race_call_winners"."candidate_id" is not null;--> statement-breakpoint
CREATE INDEX "race_call_winners_organisation_idx" ON "race_call_winners" USING btree ("organisation_id") WHERE "race_call_winners"."organisation_id" is not null;
--> statement-breakpoint
-- Calls are append-only, as result versions are; a winner may only follow a merge of the person or
-- party it names into another (a redirect says so), as a result line may (migration 0012).
CREATE TRIGGER race_calls_append_only BEFORE UPDATE OR DELETE ON race_calls
  FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();--> statement-breakpoint
CREATE FUNCTION race_call_winners_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND (to_jsonb(NEW) - 'candidate_id' - 'organisation_id') = (to_jsonb(OLD) - 'candidate_id' - 'organisation_id')
     AND (NEW.candidate_id IS NOT DISTINCT FROM OLD.candidate_id OR EXISTS (
       SELECT 1 FROM redirects r WHERE r.kind = 'person' AND r.from_id = OLD.candidate_id AND r.into_id = NEW.candidate_id))
     AND (NEW.organisation_id IS NOT DISTINCT FROM OLD.organisation_id OR EXISTS (
       SELECT 1 FROM redirects r WHERE r.kind = 'party' AND r.from_id = OLD.organisation_id AND r.into_id = NEW.organisation_id))
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;--> statement-breakpoint
CREATE TRIGGER race_call_winners_append_only BEFORE UPDATE OR DELETE ON race_call_winners
  FOR EACH ROW EXECUTE FUNCTION race_call_winners_refuse_rewrite();--> statement-breakpoint
-- A call changes what /results shows: the cached results are read afresh (migration 0008).
CREATE TRIGGER race_calls_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON race_calls
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER race_calls_data_version_insert AFTER INSERT ON race_calls REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
CREATE TRIGGER race_call_winners_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON race_call_winners
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
-- Each call is a change in the feed (migration 0013), kind "call", numbered as the contest's calls.
CREATE FUNCTION changes_record_calls() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM changes_lock();
  INSERT INTO changes (kind, action, resource_id, election_id, country_code, contest, version, url)
  SELECT 'call', 'published', c.election_id, c.election_id, e.country_code, c.slug, i.number,
    '/v1/elections/' || c.election_id || '/contests/' || c.slug || '/calls/' || i.number
  FROM inserted i JOIN contests c ON c.id = i.contest_id JOIN elections e ON e.id = c.election_id
  ORDER BY i.id;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER race_calls_changes AFTER INSERT ON race_calls REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record_calls();
