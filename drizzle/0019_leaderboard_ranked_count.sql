DROP INDEX "member_period_points_period_idx";--> statement-breakpoint
CREATE INDEX "branch_period_points_ranked_idx" ON "branch_period_points" USING btree ("branch_id") WHERE "branch_period_points"."period" = 'all' and "branch_period_points"."eligible";--> statement-breakpoint
-- A lifetime row's start implies its period ('0001-01-01' is only ever 'all'): without this, the
-- planner multiplies the two selectivities, expects a few dozen members where there are
-- thousands, and reads the 0-point members of a fresh week or month by sorting all of them
-- instead of the first few by name.
CREATE STATISTICS "branch_period_points_period_stats" (dependencies, mcv) ON "period", "starts_on" FROM "branch_period_points";--> statement-breakpoint
ANALYZE "branch_period_points";
