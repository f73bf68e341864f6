CREATE TABLE "feed_workouts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"author_id" uuid NOT NULL,
	"day" date NOT NULL,
	"exercises" jsonb NOT NULL,
	"completed_sets" integer NOT NULL,
	"volume_kg" double precision NOT NULL,
	"personal_records" jsonb NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"last_entry_at" timestamp (3) with time zone NOT NULL,
	"checked_out_at" timestamp (3) with time zone,
	"visible_from" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "feed_workouts" ADD CONSTRAINT "feed_workouts_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "feed_workouts_author_day_key" ON "feed_workouts" USING btree ("author_id","day");--> statement-breakpoint
CREATE INDEX "feed_workouts_author_visible_idx" ON "feed_workouts" USING btree ("author_id","visible_from","id");--> statement-breakpoint
-- Hand-written: workouts logged before the feed existed enter it as completed (last entry plus
-- the 60-minute quiet period), summarised as feed.repository.ts refreshWorkoutDay does.
WITH entries AS (
  SELECT l.id, l.user_id, l.day, l.exercise_id, l.exercise_name, l.completed_at, l.personal_records,
    count(s.id) FILTER (WHERE s.reps >= 1 OR coalesce(s.duration_sec, 0) >= 1)::int AS sets,
    coalesce(sum(s.reps * s.weight_kg) FILTER (WHERE s.reps >= 1 OR coalesce(s.duration_sec, 0) >= 1), 0)::float8 AS volume
  FROM workout_logs l LEFT JOIN workout_sets s ON s.log_id = l.id
  GROUP BY l.id
), done AS (SELECT * FROM entries WHERE sets > 0),
exercises AS (
  SELECT user_id, day,
    jsonb_agg(jsonb_build_object('exerciseId', exercise_id, 'exerciseName', name, 'completedSets', sets) ORDER BY first_at, exercise_id) AS list
  FROM (
    SELECT user_id, day, exercise_id, (array_agg(exercise_name ORDER BY completed_at DESC, id DESC))[1] AS name,
      sum(sets)::int AS sets, min(completed_at) AS first_at
    FROM done GROUP BY user_id, day, exercise_id
  ) e
  GROUP BY user_id, day
), records AS (
  SELECT user_id, day,
    jsonb_agg(jsonb_build_object('exerciseId', exercise_id, 'exerciseName', name, 'kinds', to_jsonb(kinds)) ORDER BY first_at, exercise_id) AS list
  FROM (
    SELECT d.user_id, d.day, d.exercise_id, (array_agg(d.exercise_name ORDER BY d.completed_at DESC, d.id DESC))[1] AS name,
      array_agg(DISTINCT k.kind ORDER BY k.kind) AS kinds, min(d.completed_at) AS first_at
    FROM done d CROSS JOIN LATERAL unnest(d.personal_records) AS k(kind)
    GROUP BY d.user_id, d.day, d.exercise_id
  ) r
  GROUP BY user_id, day
)
INSERT INTO "feed_workouts" ("author_id", "day", "exercises", "completed_sets", "volume_kg", "personal_records", "started_at", "last_entry_at", "visible_from")
SELECT t.user_id, t.day, ex.list, t.completed_sets, t.volume_kg, coalesce(rec.list, '[]'::jsonb),
  t.started_at, t.last_entry_at, t.last_entry_at + interval '60 minutes'
FROM (
  SELECT user_id, day, sum(sets)::int AS completed_sets, sum(volume)::float8 AS volume_kg,
    min(completed_at) AS started_at, max(completed_at) AS last_entry_at
  FROM done GROUP BY user_id, day
) t
JOIN exercises ex USING (user_id, day)
LEFT JOIN records rec USING (user_id, day);
