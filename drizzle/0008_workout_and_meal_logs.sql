CREATE TABLE "workout_logs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"exercise_id" text NOT NULL,
	"exercise_name" text NOT NULL,
	"completed_at" timestamp (3) with time zone NOT NULL,
	"performance_notes" text,
	"machine_id" uuid,
	"source" text NOT NULL,
	"import_key" text,
	"personal_records" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workout_logs_source_check" CHECK ("workout_logs"."source" in ('app', 'machine', 'import'))
);
--> statement-breakpoint
CREATE TABLE "workout_sets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"log_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"set_number" integer NOT NULL,
	"reps" integer NOT NULL,
	"weight_kg" double precision,
	"duration_sec" integer,
	"distance_m" double precision,
	"estimated_one_rep_max_kg" double precision,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workout_sets_set_number_check" CHECK ("workout_sets"."set_number" >= 1),
	CONSTRAINT "workout_sets_reps_check" CHECK ("workout_sets"."reps" >= 0)
);
--> statement-breakpoint
CREATE TABLE "meal_logs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"meal_type" text NOT NULL,
	"meal_description" text NOT NULL,
	"consumed_at" timestamp (3) with time zone NOT NULL,
	"calories" double precision NOT NULL,
	"protein" double precision NOT NULL,
	"carbs" double precision NOT NULL,
	"fat" double precision NOT NULL,
	"items" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"image_id" uuid,
	"source" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meal_logs_meal_type_check" CHECK ("meal_logs"."meal_type" in ('breakfast', 'lunch', 'dinner', 'snack')),
	CONSTRAINT "meal_logs_source_check" CHECK ("meal_logs"."source" in ('manual', 'foods', 'copy', 'analysis')),
	CONSTRAINT "meal_logs_macros_check" CHECK ("meal_logs"."calories" >= 0 and "meal_logs"."protein" >= 0 and "meal_logs"."carbs" >= 0 and "meal_logs"."fat" >= 0)
);
--> statement-breakpoint
CREATE TABLE "deleted_records" (
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"record_id" uuid NOT NULL,
	"deleted_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deleted_records_kind_record_id_pk" PRIMARY KEY("kind","record_id")
);
--> statement-breakpoint
ALTER TABLE "workout_logs" ADD CONSTRAINT "workout_logs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workout_sets" ADD CONSTRAINT "workout_sets_log_id_workout_logs_id_fk" FOREIGN KEY ("log_id") REFERENCES "public"."workout_logs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workout_sets" ADD CONSTRAINT "workout_sets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meal_logs" ADD CONSTRAINT "meal_logs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deleted_records" ADD CONSTRAINT "deleted_records_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "workout_logs_user_completed_idx" ON "workout_logs" USING btree ("user_id","completed_at","id");--> statement-breakpoint
CREATE INDEX "workout_logs_user_day_idx" ON "workout_logs" USING btree ("user_id","day");--> statement-breakpoint
CREATE INDEX "workout_logs_user_updated_idx" ON "workout_logs" USING btree ("user_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "workout_logs_user_exercise_idx" ON "workout_logs" USING btree ("user_id","exercise_id","completed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "workout_logs_user_import_key" ON "workout_logs" USING btree ("user_id","import_key") WHERE "workout_logs"."import_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "workout_sets_log_set_key" ON "workout_sets" USING btree ("log_id","set_number");--> statement-breakpoint
CREATE INDEX "workout_sets_user_day_idx" ON "workout_sets" USING btree ("user_id","day");--> statement-breakpoint
CREATE INDEX "meal_logs_user_day_idx" ON "meal_logs" USING btree ("user_id","day","consumed_at");--> statement-breakpoint
CREATE INDEX "meal_logs_user_updated_idx" ON "meal_logs" USING btree ("user_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "deleted_records_user_kind_deleted_idx" ON "deleted_records" USING btree ("user_id","kind","deleted_at");