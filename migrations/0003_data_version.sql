-- One counter for "has any published data changed": bumped once per writing statement on every
-- table a read can show. Reads use it as a cheap validator (ETag) without hashing what they send.
CREATE TABLE data_version (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  version bigint NOT NULL
);--> statement-breakpoint
INSERT INTO data_version (id, version) VALUES (true, 1);--> statement-breakpoint
CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE data_version SET version = version + 1;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER countries_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON countries
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER sources_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sources
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER organisations_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER candidates_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON candidates
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER elections_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON elections
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER result_versions_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON result_versions
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER result_version_sources_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON result_version_sources
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();--> statement-breakpoint
CREATE TRIGGER vote_shares_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vote_shares
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
