CREATE TABLE "branch_period_points" (
	"branch_id" uuid NOT NULL,
	"period" text NOT NULL,
	"starts_on" date NOT NULL,
	"user_id" uuid NOT NULL,
	"points" integer NOT NULL,
	"sort_name" text NOT NULL,
	"eligible" boolean NOT NULL,
	CONSTRAINT "branch_period_points_branch_id_period_starts_on_user_id_pk" PRIMARY KEY("branch_id","period","starts_on","user_id"),
	CONSTRAINT "branch_period_points_period_check" CHECK ("branch_period_points"."period" in ('week', 'month', 'all'))
);
--> statement-breakpoint
DROP INDEX "member_period_points_period_idx";--> statement-breakpoint
ALTER TABLE "branch_period_points" ADD CONSTRAINT "branch_period_points_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "public"."branches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "branch_period_points" ADD CONSTRAINT "branch_period_points_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "branch_period_points_rank_idx" ON "branch_period_points" USING btree ("branch_id","period","starts_on","points" DESC NULLS LAST,"sort_name" collate "C","user_id") WHERE "branch_period_points"."eligible";--> statement-breakpoint
CREATE INDEX "branch_period_points_name_idx" ON "branch_period_points" USING btree ("branch_id","sort_name" collate "C","user_id") WHERE "branch_period_points"."eligible" and "branch_period_points"."period" = 'all';--> statement-breakpoint
CREATE INDEX "branch_period_points_ranked_idx" ON "branch_period_points" USING btree ("branch_id") WHERE "branch_period_points"."period" = 'all' and "branch_period_points"."eligible";--> statement-breakpoint
CREATE INDEX "branch_period_points_user_idx" ON "branch_period_points" USING btree ("user_id","period","starts_on");--> statement-breakpoint
-- Every existing membership: its lifetime row (the sum of the member's months is the sum of all
-- their ledger rows), name and eligibility as the leaderboard ranks them.
INSERT INTO "branch_period_points" ("branch_id", "period", "starts_on", "user_id", "points", "sort_name", "eligible")
SELECT bm."branch_id", 'all', '0001-01-01', bm."user_id",
       coalesce((SELECT sum(p."points") FROM "member_period_points" p
                 WHERE p."user_id" = bm."user_id" AND p."period" = 'month'), 0)::int,
       lower(u."username"),
       u."is_active" AND NOT EXISTS (
         SELECT 1 FROM "social_settings" s
         WHERE s."user_id" = bm."user_id" AND (s."privacy" = 'private' OR NOT s."show_on_leaderboards"))
FROM "branch_members" bm JOIN "users" u ON u."id" = bm."user_id";--> statement-breakpoint
-- Their week and month sums, in each of their branches.
INSERT INTO "branch_period_points" ("branch_id", "period", "starts_on", "user_id", "points", "sort_name", "eligible")
SELECT a."branch_id", p."period", p."starts_on", a."user_id", p."points", a."sort_name", a."eligible"
FROM "branch_period_points" a JOIN "member_period_points" p ON p."user_id" = a."user_id"
WHERE a."period" = 'all';
--> statement-breakpoint
-- A lifetime row's start implies its period ('0001-01-01' is only ever 'all'): without this, the
-- planner multiplies the two selectivities, expects a few dozen members where there are
-- thousands, and reads the 0-point members of a fresh week or month by sorting all of them
-- instead of the first few by name.
CREATE STATISTICS "branch_period_points_period_stats" (dependencies, mcv) ON "period", "starts_on" FROM "branch_period_points";--> statement-breakpoint
ANALYZE "branch_period_points";
