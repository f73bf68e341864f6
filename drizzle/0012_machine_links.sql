CREATE TABLE "machine_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"machine_id" uuid,
	"branch_id" uuid NOT NULL,
	"user_id" uuid,
	"machine_type" text NOT NULL,
	"started_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp (3) with time zone,
	"end_reason" text,
	CONSTRAINT "machine_links_ended_has_reason_check" CHECK (("machine_links"."ended_at" is null) = ("machine_links"."end_reason" is null)),
	CONSTRAINT "machine_links_interval_check" CHECK ("machine_links"."ended_at" is null or "machine_links"."ended_at" >= "machine_links"."started_at"),
	CONSTRAINT "machine_links_end_reason_check" CHECK (end_reason in ('unlinked', 'released-by-staff', 'relinked', 'checked-out', 'left-branch', 'expired', 'idle', 'maintenance', 'offline', 'machine-removed', 'account-deleted'))
);
--> statement-breakpoint
ALTER TABLE "machine_links" ADD CONSTRAINT "machine_links_machine_id_machines_id_fk" FOREIGN KEY ("machine_id") REFERENCES "public"."machines"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_links" ADD CONSTRAINT "machine_links_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "public"."branches"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_links" ADD CONSTRAINT "machine_links_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "machine_links_open_machine_key" ON "machine_links" USING btree ("machine_id") WHERE "machine_links"."ended_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "machine_links_open_user_key" ON "machine_links" USING btree ("user_id") WHERE "machine_links"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "machine_links_branch_end_start_idx" ON "machine_links" USING btree ("branch_id",coalesce("ended_at", 'infinity'::timestamptz),"started_at");--> statement-breakpoint
CREATE INDEX "machine_links_user_start_idx" ON "machine_links" USING btree ("user_id","started_at");--> statement-breakpoint
CREATE INDEX "machine_links_machine_start_idx" ON "machine_links" USING btree ("machine_id","started_at");--> statement-breakpoint
CREATE INDEX "gym_sessions_active_branch_idx" ON "gym_sessions" USING btree ("branch_id") WHERE "gym_sessions"."status" = 'active';--> statement-breakpoint
-- Links open when this runs get their history row, so an open row exists exactly while a machine is held.
INSERT INTO "machine_links" ("machine_id", "branch_id", "user_id", "machine_type", "started_at")
SELECT "id", "branch_id", "current_user_id", "type", coalesce("linked_at", now()) FROM "machines" WHERE "current_user_id" IS NOT NULL;
