-- Search reads `names` (migration 0010): candidates.search_key and its two indexes (a btree, and
-- migration 0005's trigram index) were written on every insert and read by nothing.
DROP INDEX IF EXISTS "candidates_search_key_trgm_idx";--> statement-breakpoint
DROP INDEX "candidates_search_key_idx";--> statement-breakpoint
ALTER TABLE "candidates" DROP COLUMN "search_key";
