CREATE TYPE "public"."election_type" AS ENUM('presidential', 'parliamentary', 'referendum', 'local');--> statement-breakpoint
CREATE TYPE "public"."outcome" AS ENUM('elected', 'defeated', 'advanced-to-runoff');--> statement-breakpoint
CREATE TYPE "public"."percent_base" AS ENUM('lines-total', 'ballots-cast', 'valid-votes', 'unknown');--> statement-breakpoint
CREATE TYPE "public"."result_status" AS ENUM('unofficial-partial', 'unofficial-complete', 'certified', 'recount', 'correction');--> statement-breakpoint
CREATE TYPE "public"."selection_kind" AS ENUM('candidate', 'against-all');--> statement-breakpoint
CREATE TYPE "public"."source_kind" AS ENUM('official', 'news');--> statement-breakpoint
CREATE TABLE "countries" (
	"code" char(2) PRIMARY KEY NOT NULL,
	"alpha3" char(3) NOT NULL,
	"numeric" char(3) NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "countries_alpha3_unique" UNIQUE("alpha3")
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"id" text PRIMARY KEY NOT NULL,
	"publisher" text NOT NULL,
	"title" text,
	"url" text,
	"published" text,
	"kind" "source_kind" NOT NULL,
	"language" text,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"source_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "candidates" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"search_key" text NOT NULL,
	"note" text,
	"source_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "elections" (
	"id" text PRIMARY KEY NOT NULL,
	"country_code" char(2) NOT NULL,
	"type" "election_type" NOT NULL,
	"date" date NOT NULL,
	"snap" boolean,
	"round" smallint DEFAULT 1 NOT NULL,
	"previous_round_id" text,
	"term_end_year" smallint,
	"candidate_count" integer,
	"note" text,
	"source_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "result_version_sources" (
	"version_id" integer NOT NULL,
	"source_id" text NOT NULL,
	"covers" text NOT NULL,
	CONSTRAINT "result_version_sources_version_id_source_id_pk" PRIMARY KEY("version_id","source_id")
);
--> statement-breakpoint
CREATE TABLE "result_versions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "result_versions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"election_id" text NOT NULL,
	"number" integer NOT NULL,
	"status" "result_status" NOT NULL,
	"as_of" text,
	"complete" boolean NOT NULL,
	"published_by" text,
	"registered_voters" bigint,
	"ballots_cast" bigint,
	"valid_votes" bigint,
	"invalid_votes" bigint,
	"turnout_percent" numeric(6, 3),
	"percent_base" "percent_base" NOT NULL,
	"note" text,
	"source_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "result_versions_election_number_key" UNIQUE("election_id","number")
);
--> statement-breakpoint
CREATE TABLE "vote_shares" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "vote_shares_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"version_id" integer NOT NULL,
	"kind" "selection_kind" NOT NULL,
	"candidate_id" text,
	"label" text,
	"nominator_id" text,
	"votes" bigint,
	"percent" numeric(6, 3),
	"rank" integer,
	"outcome" "outcome",
	CONSTRAINT "vote_shares_candidate_kind" CHECK (("vote_shares"."kind" = 'candidate') = ("vote_shares"."candidate_id" is not null)),
	CONSTRAINT "vote_shares_label_kind" CHECK ("vote_shares"."kind" = 'candidate' or "vote_shares"."label" is not null),
	CONSTRAINT "vote_shares_percent_range" CHECK ("vote_shares"."percent" between 0 and 100),
	CONSTRAINT "vote_shares_votes_nonnegative" CHECK ("vote_shares"."votes" >= 0)
);
--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "candidates" ADD CONSTRAINT "candidates_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "elections" ADD CONSTRAINT "elections_country_code_countries_code_fk" FOREIGN KEY ("country_code") REFERENCES "public"."countries"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "elections" ADD CONSTRAINT "elections_previous_round_id_elections_id_fk" FOREIGN KEY ("previous_round_id") REFERENCES "public"."elections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "elections" ADD CONSTRAINT "elections_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "result_version_sources" ADD CONSTRAINT "result_version_sources_version_id_result_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."result_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "result_version_sources" ADD CONSTRAINT "result_version_sources_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "result_versions" ADD CONSTRAINT "result_versions_election_id_elections_id_fk" FOREIGN KEY ("election_id") REFERENCES "public"."elections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "result_versions" ADD CONSTRAINT "result_versions_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vote_shares" ADD CONSTRAINT "vote_shares_version_id_result_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."result_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vote_shares" ADD CONSTRAINT "vote_shares_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vote_shares" ADD CONSTRAINT "vote_shares_nominator_id_organisations_id_fk" FOREIGN KEY ("nominator_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "candidates_search_key_idx" ON "candidates" USING btree ("search_key");--> statement-breakpoint
CREATE INDEX "elections_date_id_idx" ON "elections" USING btree ("date" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "elections_country_date_idx" ON "elections" USING btree ("country_code","date" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "vote_shares_version_idx" ON "vote_shares" USING btree ("version_id","id");--> statement-breakpoint
CREATE INDEX "vote_shares_candidate_idx" ON "vote_shares" USING btree ("candidate_id");