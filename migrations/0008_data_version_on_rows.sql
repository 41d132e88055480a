-- The data version counts writes that change data. An INSERT that adds no row (the seed's
-- ON CONFLICT DO NOTHING, run at every start) bumped it all the same, so every restart made every
-- CSV ETag stale. Inserts now bump it only when they added rows (a statement trigger with a
-- transition table); updates, deletes and truncates bump it as before.
CREATE FUNCTION bump_data_version_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM inserted) THEN
    UPDATE data_version SET version = version + 1;
  END IF;
  RETURN NULL;
END;
$$;--> statement-breakpoint
DROP TRIGGER countries_data_version ON countries;--> statement-breakpoint
CREATE TRIGGER countries_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON countries
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER countries_data_version_insert AFTER INSERT ON countries REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
DROP TRIGGER sources_data_version ON sources;--> statement-breakpoint
CREATE TRIGGER sources_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON sources
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER sources_data_version_insert AFTER INSERT ON sources REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
DROP TRIGGER organisations_data_version ON organisations;--> statement-breakpoint
CREATE TRIGGER organisations_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON organisations
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER organisations_data_version_insert AFTER INSERT ON organisations REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
DROP TRIGGER candidates_data_version ON candidates;--> statement-breakpoint
CREATE TRIGGER candidates_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON candidates
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER candidates_data_version_insert AFTER INSERT ON candidates REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
DROP TRIGGER elections_data_version ON elections;--> statement-breakpoint
CREATE TRIGGER elections_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON elections
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER elections_data_version_insert AFTER INSERT ON elections REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
DROP TRIGGER result_versions_data_version ON result_versions;--> statement-breakpoint
CREATE TRIGGER result_versions_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON result_versions
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER result_versions_data_version_insert AFTER INSERT ON result_versions REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
DROP TRIGGER result_version_sources_data_version ON result_version_sources;--> statement-breakpoint
CREATE TRIGGER result_version_sources_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON result_version_sources
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER result_version_sources_data_version_insert AFTER INSERT ON result_version_sources REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();--> statement-breakpoint
DROP TRIGGER vote_shares_data_version ON vote_shares;--> statement-breakpoint
CREATE TRIGGER vote_shares_data_version AFTER UPDATE OR DELETE OR TRUNCATE ON vote_shares
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER vote_shares_data_version_insert AFTER INSERT ON vote_shares REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_on_insert();
