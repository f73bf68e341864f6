CREATE TABLE "reminder_schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"days_mask" smallint NOT NULL,
	"minute_of_day" smallint NOT NULL,
	"meal_type" text,
	"time_zone" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"next_fire_at" timestamp (3) with time zone,
	"last_fired_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reminder_schedules_kind_check" CHECK ("reminder_schedules"."kind" in ('workout', 'meal')),
	CONSTRAINT "reminder_schedules_days_check" CHECK ("reminder_schedules"."days_mask" between 1 and 127),
	CONSTRAINT "reminder_schedules_minute_check" CHECK ("reminder_schedules"."minute_of_day" between 0 and 1439),
	CONSTRAINT "reminder_schedules_meal_type_check" CHECK ("reminder_schedules"."meal_type" is null or ("reminder_schedules"."kind" = 'meal' and "reminder_schedules"."meal_type" in ('breakfast', 'lunch', 'dinner', 'snack'))),
	CONSTRAINT "reminder_schedules_enabled_check" CHECK ("reminder_schedules"."enabled" = ("reminder_schedules"."next_fire_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "reminder_schedules" ADD CONSTRAINT "reminder_schedules_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reminder_schedules_due_idx" ON "reminder_schedules" USING btree ("next_fire_at") WHERE "reminder_schedules"."next_fire_at" is not null;--> statement-breakpoint
CREATE INDEX "reminder_schedules_user_idx" ON "reminder_schedules" USING btree ("user_id","created_at");