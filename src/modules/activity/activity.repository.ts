import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import {
  workoutActivity,
  type NewWorkoutActivityRow,
  type WorkoutActivityRow,
} from './activity.table.js';

/** The only place that queries the members' daily workout activity. */
export const activityRepository = {
  async insert(db: Database, values: NewWorkoutActivityRow): Promise<WorkoutActivityRow> {
    const [row] = await db.insert(workoutActivity).values(values).returning();
    if (!row) throw new Error('insert returned no row');
    return row;
  },

  /** Everything the user recorded, oldest first (the data export). */
  async allOf(db: Database, userId: string): Promise<WorkoutActivityRow[]> {
    return db
      .select()
      .from(workoutActivity)
      .where(eq(workoutActivity.userId, userId))
      .orderBy(asc(workoutActivity.recordedAt), asc(workoutActivity.id));
  },
};
