CREATE TABLE "branch_members" (
	"branch_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"joined_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "branch_members_user_id_branch_id_pk" PRIMARY KEY("user_id","branch_id")
);
--> statement-breakpoint
CREATE TABLE "branch_staff" (
	"branch_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"assigned_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "branch_staff_user_id_branch_id_pk" PRIMARY KEY("user_id","branch_id")
);
--> statement-breakpoint
CREATE TABLE "branches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"address" text NOT NULL,
	"timezone" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "gym_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"branch_id" uuid NOT NULL,
	"start_time" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"end_time" timestamp (3) with time zone,
	"duration" integer,
	"machines_used" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gym_sessions_status_check" CHECK ("gym_sessions"."status" in ('active', 'completed', 'expired'))
);
--> statement-breakpoint
CREATE TABLE "machine_maintenance_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"machine_id" uuid NOT NULL,
	"type" text NOT NULL,
	"notes" text NOT NULL,
	"performed_by" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "machines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"branch_id" uuid NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"location" text NOT NULL,
	"qr_code" text NOT NULL,
	"device_key_hash" text NOT NULL,
	"status" text DEFAULT 'available' NOT NULL,
	"current_user_id" uuid,
	"linked_at" timestamp (3) with time zone,
	"last_activity_at" timestamp (3) with time zone,
	"last_heartbeat" timestamp (3) with time zone,
	"telemetry" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "machines_occupied_has_user_check" CHECK (("machines"."status" = 'occupied') = ("machines"."current_user_id" is not null)),
	CONSTRAINT "machines_status_check" CHECK ("machines"."status" in ('available', 'occupied', 'maintenance', 'offline'))
);
--> statement-breakpoint
CREATE TABLE "workout_activity" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"exercise_id" text NOT NULL,
	"exercise_name" text NOT NULL,
	"set_number" integer NOT NULL,
	"reps" integer NOT NULL,
	"weight_kg" double precision,
	"duration_sec" integer,
	"machine_id" uuid,
	"source" text NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workout_activity_source_check" CHECK ("workout_activity"."source" in ('app', 'machine'))
);
--> statement-breakpoint
ALTER TABLE "branch_members" ADD CONSTRAINT "branch_members_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "public"."branches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "branch_members" ADD CONSTRAINT "branch_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "branch_staff" ADD CONSTRAINT "branch_staff_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "public"."branches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "branch_staff" ADD CONSTRAINT "branch_staff_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gym_sessions" ADD CONSTRAINT "gym_sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gym_sessions" ADD CONSTRAINT "gym_sessions_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "public"."branches"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_maintenance_log" ADD CONSTRAINT "machine_maintenance_log_machine_id_machines_id_fk" FOREIGN KEY ("machine_id") REFERENCES "public"."machines"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_maintenance_log" ADD CONSTRAINT "machine_maintenance_log_performed_by_users_id_fk" FOREIGN KEY ("performed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machines" ADD CONSTRAINT "machines_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "public"."branches"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machines" ADD CONSTRAINT "machines_current_user_id_users_id_fk" FOREIGN KEY ("current_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workout_activity" ADD CONSTRAINT "workout_activity_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "branch_staff_branch_idx" ON "branch_staff" USING btree ("branch_id");--> statement-breakpoint
CREATE UNIQUE INDEX "branches_name_lower_key" ON "branches" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "branches_name_id_idx" ON "branches" USING btree ("name","id");--> statement-breakpoint
CREATE UNIQUE INDEX "gym_sessions_one_active_per_user_key" ON "gym_sessions" USING btree ("user_id") WHERE "gym_sessions"."status" = 'active';--> statement-breakpoint
CREATE INDEX "gym_sessions_user_start_idx" ON "gym_sessions" USING btree ("user_id","start_time","id");--> statement-breakpoint
CREATE INDEX "gym_sessions_active_start_idx" ON "gym_sessions" USING btree ("start_time") WHERE "gym_sessions"."status" = 'active';--> statement-breakpoint
CREATE INDEX "machine_maintenance_machine_created_idx" ON "machine_maintenance_log" USING btree ("machine_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "machines_qr_code_key" ON "machines" USING btree ("qr_code");--> statement-breakpoint
CREATE UNIQUE INDEX "machines_device_key_hash_key" ON "machines" USING btree ("device_key_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "machines_current_user_key" ON "machines" USING btree ("current_user_id") WHERE "machines"."current_user_id" is not null;--> statement-breakpoint
CREATE INDEX "machines_branch_name_idx" ON "machines" USING btree ("branch_id","name","id");--> statement-breakpoint
CREATE INDEX "workout_activity_user_day_idx" ON "workout_activity" USING btree ("user_id","day","recorded_at");