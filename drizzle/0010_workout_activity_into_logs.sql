-- Sets reported over the socket before workout logs existed join the logs, as replaying the
-- same messages through the log writer would: one log per (user_id, day, exercise_id); a
-- repeated set number corrects that set (the latest row wins); the log keeps the first row's
-- name, source and machine, and is completed at the latest row's time. Set ids stay the ids
-- the devices were acked with. Hand-written: keep it above the DROP when regenerating.
WITH "groups" AS (
	SELECT gen_random_uuid() AS "log_id", "user_id", "day", "exercise_id",
		(array_agg("exercise_name" ORDER BY "recorded_at", "id"))[1] AS "exercise_name",
		(array_agg("source" ORDER BY "recorded_at", "id"))[1] AS "source",
		(array_agg("machine_id" ORDER BY "recorded_at", "id") FILTER (WHERE "machine_id" IS NOT NULL))[1] AS "machine_id",
		min("recorded_at") AS "first_at",
		max("recorded_at") AS "last_at"
	FROM "workout_activity"
	GROUP BY "user_id", "day", "exercise_id"
), "logs" AS (
	INSERT INTO "workout_logs" ("id", "user_id", "day", "exercise_id", "exercise_name", "completed_at", "machine_id", "source", "created_at", "updated_at")
	SELECT "log_id", "user_id", "day", "exercise_id", "exercise_name", "last_at", "machine_id", "source", "first_at", "last_at"
	FROM "groups"
), "latest" AS (
	SELECT DISTINCT ON ("user_id", "day", "exercise_id", "set_number") *
	FROM "workout_activity"
	ORDER BY "user_id", "day", "exercise_id", "set_number", "recorded_at" DESC, "id" DESC
)
INSERT INTO "workout_sets" ("id", "log_id", "user_id", "day", "set_number", "reps", "weight_kg", "duration_sec", "estimated_one_rep_max_kg", "recorded_at")
SELECT "latest"."id", "groups"."log_id", "latest"."user_id", "latest"."day", "latest"."set_number", "latest"."reps", "latest"."weight_kg", "latest"."duration_sec",
	-- Epley, as the service computes it (same float8 operations, so the same value).
	CASE
		WHEN "latest"."weight_kg" > 0 AND "latest"."reps" = 1 THEN "latest"."weight_kg"
		WHEN "latest"."weight_kg" > 0 AND "latest"."reps" > 1 THEN "latest"."weight_kg" * (1 + "latest"."reps"::float8 / 30)
	END,
	"latest"."recorded_at"
FROM "latest"
JOIN "groups" USING ("user_id", "day", "exercise_id");
--> statement-breakpoint
-- The records each entry set against the member's earlier entries of the exercise, as the
-- service flags them (see personal-records.ts).
WITH "metrics" AS (
	SELECT "l"."id", "l"."user_id", "l"."exercise_id", "l"."completed_at",
		max("s"."estimated_one_rep_max_kg") AS "e1rm",
		max("s"."weight_kg") FILTER (WHERE "s"."reps" > 0) AS "weight",
		max("s"."reps") AS "reps",
		round(sum("s"."reps" * coalesce("s"."weight_kg", 0))::numeric, 3)::float8 AS "volume"
	FROM "workout_logs" "l"
	JOIN "workout_sets" "s" ON "s"."log_id" = "l"."id"
	GROUP BY "l"."id"
), "running" AS (
	SELECT "id", "e1rm", "weight", "reps", "volume",
		max("e1rm") OVER "earlier" AS "best_e1rm",
		max("weight") OVER "earlier" AS "best_weight",
		max("reps") OVER "earlier" AS "best_reps",
		max("volume") OVER "earlier" AS "best_volume"
	FROM "metrics"
	WINDOW "earlier" AS (PARTITION BY "user_id", "exercise_id" ORDER BY "completed_at", "id" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
)
UPDATE "workout_logs" SET "personal_records" = array_remove(ARRAY[
	CASE WHEN "running"."e1rm" > 0 AND ("running"."best_e1rm" IS NULL OR "running"."e1rm" > "running"."best_e1rm") THEN 'e1rm' END,
	CASE WHEN "running"."weight" > 0 AND ("running"."best_weight" IS NULL OR "running"."weight" > "running"."best_weight") THEN 'weight' END,
	CASE WHEN "running"."reps" > 0 AND ("running"."best_reps" IS NULL OR "running"."reps" > "running"."best_reps") THEN 'reps' END,
	CASE WHEN "running"."volume" > 0 AND ("running"."best_volume" IS NULL OR "running"."volume" > "running"."best_volume") THEN 'volume' END
]::text[], NULL)
FROM "running"
WHERE "workout_logs"."id" = "running"."id";
--> statement-breakpoint
DROP TABLE "workout_activity" CASCADE;--> statement-breakpoint
CREATE INDEX "workout_logs_user_records_idx" ON "workout_logs" USING btree ("user_id","exercise_id","completed_at","id") WHERE cardinality("workout_logs"."personal_records") > 0;
