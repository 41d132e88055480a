ALTER TABLE "elections" ADD COLUMN "current_version" integer;--> statement-breakpoint
UPDATE elections e SET current_version = (SELECT max(number) FROM result_versions v WHERE v.election_id = e.id);--> statement-breakpoint
-- Fresh statistics for the new column, or the planner may start from result_versions.
ANALYZE elections;--> statement-breakpoint
CREATE FUNCTION track_current_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE elections SET current_version = NEW.number
  WHERE id = NEW.election_id AND (current_version IS NULL OR current_version < NEW.number);
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER result_versions_current AFTER INSERT ON result_versions
  FOR EACH ROW EXECUTE FUNCTION track_current_version();
