-- The country of each line's election, on the line (issue 18): /v1/vote-shares?country= reads a
-- country's lines in id order from one index instead of walking every line in id order and
-- joining it to its election, which took tens of milliseconds per page on a dataset of millions
-- of lines. A trigger fills it on every insert from the line's version, whatever the insert gave,
-- so no writer can set it wrong; an election's country is part of its id and never changes.
ALTER TABLE "vote_shares" ADD COLUMN "country_code" char(2);--> statement-breakpoint
CREATE FUNCTION vote_shares_set_country() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT e.country_code INTO NEW.country_code
    FROM result_versions rv JOIN elections e ON e.id = rv.election_id
    WHERE rv.id = NEW.version_id;
  RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER vote_shares_country BEFORE INSERT ON vote_shares
  FOR EACH ROW EXECUTE FUNCTION vote_shares_set_country();--> statement-breakpoint
-- The lines already stored: the one rewrite the append-only rule (migration 0002) lets through.
ALTER TABLE "vote_shares" DISABLE TRIGGER vote_shares_append_only;--> statement-breakpoint
UPDATE "vote_shares" vs SET "country_code" = e.country_code
  FROM result_versions rv JOIN elections e ON e.id = rv.election_id
  WHERE rv.id = vs.version_id;--> statement-breakpoint
ALTER TABLE "vote_shares" ENABLE TRIGGER vote_shares_append_only;--> statement-breakpoint
CREATE INDEX "vote_shares_country_idx" ON "vote_shares" USING btree ("country_code","id");
