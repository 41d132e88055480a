CREATE TABLE "changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"kind" text NOT NULL,
	"action" text NOT NULL,
	"resource_id" text NOT NULL,
	"election_id" text,
	"country_code" text,
	"contest" text,
	"version" integer,
	"url" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "changes_election_idx" ON "changes" USING btree ("election_id","id");--> statement-breakpoint
CREATE INDEX "changes_country_idx" ON "changes" USING btree ("country_code","id");--> statement-breakpoint
-- Every writer of the feed takes this transaction-scoped lock before its rows get their ids, so
-- ids follow commit order (see src/db/schema/changes.ts). Writers of other tables never wait on it.
CREATE FUNCTION changes_lock() RETURNS void LANGUAGE sql AS $$ SELECT pg_advisory_xact_lock(7261006) $$;--> statement-breakpoint
CREATE FUNCTION changes_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  path text := CASE TG_TABLE_NAME
    WHEN 'elections' THEN '/v1/elections/' WHEN 'candidates' THEN '/v1/candidates/'
    WHEN 'organisations' THEN '/v1/organisations/' WHEN 'sources' THEN '/v1/sources/'
    ELSE '/v1/areas/' END;
  kind text := CASE TG_TABLE_NAME
    WHEN 'elections' THEN 'election' WHEN 'candidates' THEN 'candidate'
    WHEN 'organisations' THEN 'organisation' WHEN 'sources' THEN 'source' ELSE 'area' END;
BEGIN
  PERFORM changes_lock();
  IF TG_OP = 'INSERT' THEN
    INSERT INTO changes (kind, action, resource_id, election_id, country_code, url)
    SELECT kind, 'created', r.id,
      CASE WHEN kind = 'election' THEN r.id END,
      CASE WHEN kind IN ('election', 'area') THEN r.country_code END,
      path || r.id
    FROM (SELECT n.id, to_jsonb(n) ->> 'country_code' AS country_code FROM inserted n ORDER BY n.id) r;
  ELSE
    -- An update that changes what a read shows: not the newest version number an election keeps.
    INSERT INTO changes (kind, action, resource_id, election_id, country_code, url)
    SELECT kind, 'updated', r.id,
      CASE WHEN kind = 'election' THEN r.id END,
      CASE WHEN kind IN ('election', 'area') THEN r.country_code END,
      path || r.id
    FROM (
      SELECT n.id, to_jsonb(n) ->> 'country_code' AS country_code FROM updated n JOIN previous o ON o.id = n.id
      WHERE (to_jsonb(n) - 'current_version') IS DISTINCT FROM (to_jsonb(o) - 'current_version')
      ORDER BY n.id
    ) r;
  END IF;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE FUNCTION changes_record_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM changes_lock();
  INSERT INTO changes (kind, action, resource_id, election_id, country_code, contest, version, url)
  SELECT 'results', 'published', c.election_id, c.election_id, e.country_code, c.slug, i.number,
    '/v1/elections/' || c.election_id || '/contests/' || c.slug || '/results/versions/' || i.number
  FROM inserted i JOIN contests c ON c.id = i.contest_id JOIN elections e ON e.id = c.election_id
  ORDER BY i.id;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE FUNCTION changes_record_merges() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM changes_lock();
  INSERT INTO changes (kind, action, resource_id, url)
  SELECT CASE i.kind WHEN 'person' THEN 'candidate' ELSE 'organisation' END, 'merged', i.from_id,
    CASE i.kind WHEN 'person' THEN '/v1/candidates/' ELSE '/v1/organisations/' END || i.into_id
  FROM inserted i ORDER BY i.from_id;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER elections_changes_insert AFTER INSERT ON elections REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record();--> statement-breakpoint
CREATE TRIGGER elections_changes_update AFTER UPDATE ON elections REFERENCING OLD TABLE AS previous NEW TABLE AS updated
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record();--> statement-breakpoint
CREATE TRIGGER candidates_changes_insert AFTER INSERT ON candidates REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record();--> statement-breakpoint
CREATE TRIGGER candidates_changes_update AFTER UPDATE ON candidates REFERENCING OLD TABLE AS previous NEW TABLE AS updated
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record();--> statement-breakpoint
CREATE TRIGGER organisations_changes_insert AFTER INSERT ON organisations REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record();--> statement-breakpoint
CREATE TRIGGER organisations_changes_update AFTER UPDATE ON organisations REFERENCING OLD TABLE AS previous NEW TABLE AS updated
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record();--> statement-breakpoint
CREATE TRIGGER sources_changes_insert AFTER INSERT ON sources REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record();--> statement-breakpoint
CREATE TRIGGER sources_changes_update AFTER UPDATE ON sources REFERENCING OLD TABLE AS previous NEW TABLE AS updated
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record();--> statement-breakpoint
CREATE TRIGGER areas_changes_insert AFTER INSERT ON areas REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record();--> statement-breakpoint
CREATE TRIGGER areas_changes_update AFTER UPDATE ON areas REFERENCING OLD TABLE AS previous NEW TABLE AS updated
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record();--> statement-breakpoint
CREATE TRIGGER result_versions_changes AFTER INSERT ON result_versions REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record_versions();--> statement-breakpoint
CREATE TRIGGER redirects_changes AFTER INSERT ON redirects REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION changes_record_merges();--> statement-breakpoint
-- The feed from the start: what exists already, in the order it was made where that is known.
SELECT changes_lock();--> statement-breakpoint
INSERT INTO changes (kind, action, resource_id, url) SELECT 'source', 'created', id, '/v1/sources/' || id FROM sources ORDER BY id;--> statement-breakpoint
INSERT INTO changes (kind, action, resource_id, country_code, url)
  SELECT 'area', 'created', id, country_code, '/v1/areas/' || id FROM areas ORDER BY level <> 'country', id;--> statement-breakpoint
INSERT INTO changes (kind, action, resource_id, url)
  SELECT 'organisation', 'created', id, '/v1/organisations/' || id FROM organisations ORDER BY id;--> statement-breakpoint
INSERT INTO changes (kind, action, resource_id, url)
  SELECT 'candidate', 'created', id, '/v1/candidates/' || id FROM candidates ORDER BY id;--> statement-breakpoint
INSERT INTO changes (kind, action, resource_id, election_id, country_code, url)
  SELECT 'election', 'created', id, id, country_code, '/v1/elections/' || id FROM elections ORDER BY date, id;--> statement-breakpoint
INSERT INTO changes (kind, action, resource_id, election_id, country_code, contest, version, url)
  SELECT 'results', 'published', c.election_id, c.election_id, e.country_code, c.slug, v.number,
    '/v1/elections/' || c.election_id || '/contests/' || c.slug || '/results/versions/' || v.number
  FROM result_versions v JOIN contests c ON c.id = v.contest_id JOIN elections e ON e.id = c.election_id
  ORDER BY v.created_at, v.id;
