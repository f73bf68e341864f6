CREATE TABLE "meal_analyses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"file_id" uuid NOT NULL,
	"image_sha256" text NOT NULL,
	"service_analysis_id" text NOT NULL,
	"items" jsonb NOT NULL,
	"calories" double precision NOT NULL,
	"protein" double precision NOT NULL,
	"carbs" double precision NOT NULL,
	"fat" double precision NOT NULL,
	"confidence" double precision NOT NULL,
	"needs_confirmation" boolean NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"meal_log_id" uuid,
	"confirmed_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meal_analyses_status_check" CHECK ("meal_analyses"."status" in ('pending', 'confirmed'))
);
--> statement-breakpoint
CREATE TABLE "meal_analysis_feedback" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"analysis_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"service_analysis_id" text NOT NULL,
	"corrections" jsonb NOT NULL,
	"added_items" jsonb NOT NULL,
	"service_feedback_id" text,
	"delivered_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meal_image_analyses" (
	"image_sha256" text PRIMARY KEY NOT NULL,
	"service_analysis_id" text NOT NULL,
	"items" jsonb NOT NULL,
	"calories" double precision NOT NULL,
	"protein" double precision NOT NULL,
	"carbs" double precision NOT NULL,
	"fat" double precision NOT NULL,
	"confidence" double precision NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "meal_analyses" ADD CONSTRAINT "meal_analyses_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meal_analyses" ADD CONSTRAINT "meal_analyses_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meal_analyses" ADD CONSTRAINT "meal_analyses_meal_log_id_meal_logs_id_fk" FOREIGN KEY ("meal_log_id") REFERENCES "public"."meal_logs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meal_analysis_feedback" ADD CONSTRAINT "meal_analysis_feedback_analysis_id_meal_analyses_id_fk" FOREIGN KEY ("analysis_id") REFERENCES "public"."meal_analyses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meal_analysis_feedback" ADD CONSTRAINT "meal_analysis_feedback_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "meal_analyses_user_file_key" ON "meal_analyses" USING btree ("user_id","file_id");--> statement-breakpoint
CREATE INDEX "meal_analyses_user_created_idx" ON "meal_analyses" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "meal_analysis_feedback_analysis_key" ON "meal_analysis_feedback" USING btree ("analysis_id");