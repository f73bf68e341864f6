CREATE TABLE "member_day_totals" (
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"workout_logs" integer DEFAULT 0 NOT NULL,
	"completed_sets" integer DEFAULT 0 NOT NULL,
	"volume_kg" double precision DEFAULT 0 NOT NULL,
	"record_logs" integer DEFAULT 0 NOT NULL,
	"meals" integer DEFAULT 0 NOT NULL,
	"meal_calories" double precision DEFAULT 0 NOT NULL,
	"calorie_target" double precision,
	"on_calorie_target" boolean DEFAULT false NOT NULL,
	"gym_check_ins" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "member_day_totals_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
CREATE TABLE "points_ledger" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"rule" text NOT NULL,
	"amount" integer NOT NULL,
	"source_kind" text NOT NULL,
	"source_id" uuid,
	"day" date NOT NULL,
	"reverses_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT clock_timestamp() NOT NULL,
	CONSTRAINT "points_ledger_amount_check" CHECK ("points_ledger"."amount" <> 0),
	CONSTRAINT "points_ledger_rule_check" CHECK ("points_ledger"."rule" in ('completed-set', 'logged-meal', 'gym-visit', 'daily-goal', 'achievement')),
	CONSTRAINT "points_ledger_source_check" CHECK (("points_ledger"."source_kind" = 'day') = ("points_ledger"."source_id" is null) and "points_ledger"."source_kind" in ('workout-log', 'meal-log', 'gym-session', 'day', 'achievement')),
	CONSTRAINT "points_ledger_reversal_check" CHECK ("points_ledger"."reverses_id" is null or "points_ledger"."amount" < 0)
);
--> statement-breakpoint
CREATE TABLE "user_achievements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"key" text NOT NULL,
	"day" date NOT NULL,
	"unlocked_at" timestamp (3) with time zone DEFAULT clock_timestamp() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "member_day_totals" ADD CONSTRAINT "member_day_totals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_ledger" ADD CONSTRAINT "points_ledger_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_ledger" ADD CONSTRAINT "points_ledger_reverses_id_points_ledger_id_fk" FOREIGN KEY ("reverses_id") REFERENCES "public"."points_ledger"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_achievements" ADD CONSTRAINT "user_achievements_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "points_ledger_user_created_idx" ON "points_ledger" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "points_ledger_user_day_rule_idx" ON "points_ledger" USING btree ("user_id","day","rule");--> statement-breakpoint
CREATE INDEX "points_ledger_reverses_idx" ON "points_ledger" USING btree ("reverses_id") WHERE "points_ledger"."reverses_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "user_achievements_user_key" ON "user_achievements" USING btree ("user_id","key");