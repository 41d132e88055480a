CREATE TABLE "seed_runs" (
	"digest" text PRIMARY KEY NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
