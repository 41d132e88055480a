-- Name search is LIKE '%key%' on candidates.search_key, which a btree cannot serve; a trigram GIN
-- index can (pg_trgm is a trusted extension on PostgreSQL 13+, and bundled with PGlite).
-- Kept out of the Drizzle schema: drizzle-kit cannot express an operator class here.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS candidates_search_key_trgm_idx ON candidates USING gin (search_key gin_trgm_ops);
