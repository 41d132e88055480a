CREATE TABLE "redirects" (
	"kind" text NOT NULL,
	"from_id" text NOT NULL,
	"into_id" text NOT NULL,
	"merged_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "redirects_kind_from_id_pk" PRIMARY KEY("kind","from_id"),
	CONSTRAINT "redirects_kind" CHECK ("redirects"."kind" in ('person', 'party'))
);
--> statement-breakpoint
ALTER TABLE "areas" ADD COLUMN "revision" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN "terms" text;--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN "terms_url" text;--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN "attribution" text;--> statement-breakpoint
ALTER TABLE "sources" ADD COLUMN "revision" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "revision" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "candidates" ADD COLUMN "revision" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE INDEX "redirects_into_idx" ON "redirects" USING btree ("kind","into_id");--> statement-breakpoint
CREATE TRIGGER redirects_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON redirects
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER redirects_data_version_insert AFTER INSERT ON redirects REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();
--> statement-breakpoint
-- Lines stay append-only with one exception, checked here rather than trusted to the code: a merge
-- may point a line at the person or party its own was merged into (a redirect says so), and
-- change nothing else.
CREATE FUNCTION vote_shares_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND (to_jsonb(NEW) - 'candidate_id' - 'nominator_id') = (to_jsonb(OLD) - 'candidate_id' - 'nominator_id')
     AND (NEW.candidate_id IS NOT DISTINCT FROM OLD.candidate_id OR EXISTS (
       SELECT 1 FROM redirects r WHERE r.kind = 'person' AND r.from_id = OLD.candidate_id AND r.into_id = NEW.candidate_id))
     AND (NEW.nominator_id IS NOT DISTINCT FROM OLD.nominator_id OR EXISTS (
       SELECT 1 FROM redirects r WHERE r.kind = 'party' AND r.from_id = OLD.nominator_id AND r.into_id = NEW.nominator_id))
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;--> statement-breakpoint
DROP TRIGGER vote_shares_append_only ON vote_shares;--> statement-breakpoint
CREATE TRIGGER vote_shares_append_only BEFORE UPDATE OR DELETE ON vote_shares
  FOR EACH ROW EXECUTE FUNCTION vote_shares_refuse_rewrite();
