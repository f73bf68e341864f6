CREATE TABLE "analytics_member_changes" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"changed_at" timestamp (3) with time zone NOT NULL,
	"verified_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "exercise_day_rollups" (
	"user_id" uuid NOT NULL,
	"exercise_id" text NOT NULL,
	"day" date NOT NULL,
	"logs" integer NOT NULL,
	"sets" integer NOT NULL,
	"reps" integer NOT NULL,
	"volume_kg" double precision NOT NULL,
	"duration_sec" integer NOT NULL,
	"best_e1rm_kg" double precision,
	"best_weight_kg" double precision,
	"best_weight_reps" integer,
	"best_reps" integer,
	CONSTRAINT "exercise_day_rollups_user_id_exercise_id_day_pk" PRIMARY KEY("user_id","exercise_id","day")
);
--> statement-breakpoint
CREATE TABLE "nutrition_day_rollups" (
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"meals" integer NOT NULL,
	"calories" double precision NOT NULL,
	"protein" double precision NOT NULL,
	"carbs" double precision NOT NULL,
	"fat" double precision NOT NULL,
	CONSTRAINT "nutrition_day_rollups_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
ALTER TABLE "analytics_member_changes" ADD CONSTRAINT "analytics_member_changes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exercise_day_rollups" ADD CONSTRAINT "exercise_day_rollups_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nutrition_day_rollups" ADD CONSTRAINT "nutrition_day_rollups_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_member_changes_unverified_idx" ON "analytics_member_changes" USING btree ("changed_at") WHERE "analytics_member_changes"."verified_at" is null or "analytics_member_changes"."verified_at" < "analytics_member_changes"."changed_at";--> statement-breakpoint
CREATE INDEX "exercise_day_rollups_user_day_idx" ON "exercise_day_rollups" USING btree ("user_id","day");