CREATE TABLE "diet_plans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"plan_name" text NOT NULL,
	"origin" text NOT NULL,
	"external_id" text,
	"request_hash" text NOT NULL,
	"targets" jsonb NOT NULL,
	"plan_data" jsonb NOT NULL,
	"explanation" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"is_active" boolean DEFAULT false NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "diet_plans_origin_check" CHECK ("diet_plans"."origin" in ('ai', 'fallback'))
);
--> statement-breakpoint
CREATE TABLE "foods" (
	"id" uuid PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"external_id" text NOT NULL,
	"name" text NOT NULL,
	"food_group" text,
	"calories_per_100g" double precision NOT NULL,
	"protein_per_100g" double precision NOT NULL,
	"carbs_per_100g" double precision NOT NULL,
	"fat_per_100g" double precision NOT NULL,
	"fiber_per_100g" double precision,
	"allergens" text[],
	"serving_grams" double precision,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "diet_plans" ADD CONSTRAINT "diet_plans_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "diet_plans_user_created_idx" ON "diet_plans" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "diet_plans_user_request_idx" ON "diet_plans" USING btree ("user_id","request_hash","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "diet_plans_one_active_per_user" ON "diet_plans" USING btree ("user_id") WHERE "diet_plans"."is_active";--> statement-breakpoint
CREATE UNIQUE INDEX "foods_source_external_key" ON "foods" USING btree ("source","external_id");--> statement-breakpoint
CREATE INDEX "foods_name_idx" ON "foods" USING btree (lower("name"));