CREATE TABLE "member_period_points" (
	"user_id" uuid NOT NULL,
	"period" text NOT NULL,
	"starts_on" date NOT NULL,
	"points" integer NOT NULL,
	CONSTRAINT "member_period_points_user_id_period_starts_on_pk" PRIMARY KEY("user_id","period","starts_on"),
	CONSTRAINT "member_period_points_period_check" CHECK ("member_period_points"."period" in ('week', 'month'))
);
--> statement-breakpoint
ALTER TABLE "member_period_points" ADD CONSTRAINT "member_period_points_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "member_period_points_period_idx" ON "member_period_points" USING btree ("period","starts_on","user_id","points");--> statement-breakpoint
CREATE INDEX "branch_members_branch_idx" ON "branch_members" USING btree ("branch_id","user_id");--> statement-breakpoint
-- The sums of the ledger written before this migration (date_trunc('week') starts on Monday).
INSERT INTO "member_period_points" ("user_id", "period", "starts_on", "points")
SELECT "user_id", 'week', date_trunc('week', "day")::date, sum("amount")::int
FROM "points_ledger" GROUP BY 1, 3
UNION ALL
SELECT "user_id", 'month', date_trunc('month', "day")::date, sum("amount")::int
FROM "points_ledger" GROUP BY 1, 3;
