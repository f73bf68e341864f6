CREATE TABLE "scan_webhook_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"scan_id" uuid NOT NULL,
	"received_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"status" text DEFAULT 'processing' NOT NULL,
	"stage" text DEFAULT 'submit-scan' NOT NULL,
	"format" text NOT NULL,
	"measured_at" timestamp (3) with time zone NOT NULL,
	"measurement" jsonb NOT NULL,
	"service_metrics" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"scan_job_id" text,
	"scan_job_status" text,
	"avatar_job_id" text,
	"avatar_job_status" text,
	"model_source_url" text,
	"data_file_id" uuid,
	"model_file_id" uuid,
	"body_composition_id" uuid,
	"failure_reason" text,
	"next_step_at" timestamp (3) with time zone,
	"claimed_until" timestamp (3) with time zone,
	"poll_count" integer DEFAULT 0 NOT NULL,
	"transient_failures" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp (3) with time zone,
	CONSTRAINT "scans_progress_check" CHECK ("scans"."progress" >= 0 and "scans"."progress" <= 1)
);
--> statement-breakpoint
ALTER TABLE "scan_webhook_events" ADD CONSTRAINT "scan_webhook_events_scan_id_scans_id_fk" FOREIGN KEY ("scan_id") REFERENCES "public"."scans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scans" ADD CONSTRAINT "scans_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scans" ADD CONSTRAINT "scans_data_file_id_files_id_fk" FOREIGN KEY ("data_file_id") REFERENCES "public"."files"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scans" ADD CONSTRAINT "scans_model_file_id_files_id_fk" FOREIGN KEY ("model_file_id") REFERENCES "public"."files"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scans" ADD CONSTRAINT "scans_body_composition_id_body_composition_entries_id_fk" FOREIGN KEY ("body_composition_id") REFERENCES "public"."body_composition_entries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "scans_user_created_idx" ON "scans" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "scans_due_idx" ON "scans" USING btree ("next_step_at") WHERE "scans"."next_step_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "scans_scan_job_idx" ON "scans" USING btree ("scan_job_id");--> statement-breakpoint
CREATE UNIQUE INDEX "scans_avatar_job_idx" ON "scans" USING btree ("avatar_job_id");