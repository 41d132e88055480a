ALTER TABLE "data_version" ADD COLUMN "updated_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL;--> statement-breakpoint
-- Last-Modified (issue 17): each bump records its time, and takes the change feed's lock first
-- (migration 0013), so that every writer of public data holds that one lock from its first bump
-- to its commit. A reader that finds the lock free at instant C knows that every write it cannot
-- see yet will be timed after C (src/db/last-modified.ts). Writers of the feed already took that
-- lock before the data version's row; now all do, in that order.
CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM changes_lock();
  UPDATE data_version SET version = version + 1, updated_at = clock_timestamp();
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_data_version_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT FROM inserted) THEN
    PERFORM changes_lock();
    UPDATE data_version SET version = version + 1, updated_at = clock_timestamp();
  END IF;
  RETURN NULL;
END;
$$;
