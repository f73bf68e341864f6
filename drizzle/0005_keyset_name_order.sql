DROP INDEX "exercises_name_idx";--> statement-breakpoint
DROP INDEX "foods_name_idx";--> statement-breakpoint
DROP INDEX "branches_name_id_idx";--> statement-breakpoint
DROP INDEX "machines_branch_name_idx";--> statement-breakpoint
CREATE INDEX "exercises_lower_name_id_idx" ON "exercises" USING btree (lower("name"),"id");--> statement-breakpoint
CREATE INDEX "foods_lower_name_id_idx" ON "foods" USING btree (lower("name"),"id");--> statement-breakpoint
CREATE INDEX "branches_lower_name_id_idx" ON "branches" USING btree (lower("name"),"id");--> statement-breakpoint
CREATE INDEX "machines_branch_lower_name_id_idx" ON "machines" USING btree ("branch_id",lower("name"),"id");