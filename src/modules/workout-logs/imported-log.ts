/**
 * One exercise of a workout read from another app's export (Strong, Hevy), ready to become a
 * log entry. The parsers produce it; the log service writes it like any other entry.
 */
export interface ImportedWorkoutLog {
  /**
   * Identifies the source rows (app, workout start, exercise and position in the file), so
   * importing the same file again adds nothing.
   */
  importKey: string;
  /** A library exercise matched by name, else a stable id derived from the name. */
  exerciseId: string;
  exerciseName: string;
  completedAt: Date;
  performanceNotes: string | null;
  sets: ImportedSet[];
  /** The file line the entry's first set was read from, so a skipped entry is reported by it. */
  sourceLine?: number;
}

export interface ImportedSet {
  setNumber: number;
  reps: number;
  weightKg: number | null;
  durationSec: number | null;
  distanceM: number | null;
}

/** What an import did: entries created, and rows skipped with the reason. */
export interface ImportOutcome {
  created: number;
  /** Entries already imported from an earlier upload of the same file. */
  alreadyImported: number;
  skipped: { row: number; reason: string }[];
}
