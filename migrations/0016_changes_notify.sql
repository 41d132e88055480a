-- Live push (issue 17): each statement that appends to the change feed sends one NOTIFY on the
-- channel "changes" with the newest id it wrote. PostgreSQL delivers it at commit, to every
-- listening session (every API instance), and never for a write rolled back. The payload is only a
-- wake-up: listeners read the feed itself from the last id they sent, so a lost notification
-- delays a change (until the listener's next poll) and never loses it.
CREATE FUNCTION changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('changes', (SELECT max(id) FROM inserted)::text);
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER changes_notify AFTER INSERT ON changes REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION changes_notify();
