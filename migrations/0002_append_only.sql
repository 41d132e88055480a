-- Result versions, their lines and sources, and the audit log are append-only: the engine itself
-- refuses to rewrite or delete them, whatever code path tries.
CREATE FUNCTION refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;--> statement-breakpoint
CREATE TRIGGER result_versions_append_only BEFORE UPDATE OR DELETE ON result_versions
  FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();--> statement-breakpoint
CREATE TRIGGER vote_shares_append_only BEFORE UPDATE OR DELETE ON vote_shares
  FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();--> statement-breakpoint
CREATE TRIGGER result_version_sources_append_only BEFORE UPDATE OR DELETE ON result_version_sources
  FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
