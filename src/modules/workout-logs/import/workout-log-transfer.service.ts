import type { Database } from '../../../db/database.js';
import type { MemberTimeZones } from '../workout-logs.service.js';
import type { Cursor } from '../../../lib/http/cursor.js';
import type { ImportedWorkoutLog, ImportOutcome } from '../imported-log.js';
import { csvHeader, csvRows } from './workout-log-csv.presenter.js';
import { workoutLogExportRepository, type DayRange } from './workout-log-export.repository.js';
import {
  exerciseNameCandidates,
  parseWorkoutCsv,
  withExerciseIds,
  type SkippedRowReport,
} from './workout-csv.parser.js';
import type { SourceApp, UnitSystem } from './source-rows.js';

/** Writes imported entries as log entries; the workout logs service provides it. */
export interface WorkoutLogImporter {
  /**
   * Creates the entries whose `importKey` the member has not imported before (all in one
   * transaction, with points and records as for any entry), counts the others.
   */
  importLogs(userId: string, entries: ImportedWorkoutLog[]): Promise<ImportOutcome>;
}

/** The exercise library's ids by lower-cased name; the workouts module provides it. */
export interface ExerciseNameLookup {
  /** Ids of the library exercises among these lower-cased names, keyed by lower-cased name. */
  exerciseIdsByName(names: string[]): Promise<Map<string, string>>;
}

export interface WorkoutLogTransferSettings {
  /** Largest CSV body accepted, in bytes. */
  importMaxBytes: number;
  /** Data rows a CSV may have. */
  importMaxRows: number;
  /** Log entries read per query of an export (each with its sets). */
  exportPageSize: number;
}

export interface WorkoutLogTransferDeps {
  db: Database;
  importer: WorkoutLogImporter;
  exercises: ExerciseNameLookup;
  timeZones: MemberTimeZones;
  settings: WorkoutLogTransferSettings;
  /** The clock future-dated rows are judged by (tests set it). */
  now?: () => Date;
}

export interface ImportRequest {
  format?: SourceApp;
  units?: UnitSystem;
  timeZone?: string;
}

/** What an import answers. */
export interface ImportSummary {
  format: SourceApp;
  created: number;
  alreadyImported: number;
  skipped: SkippedRowReport[];
}

/** Moving a member's workout logs in and out as CSV: Strong/Hevy imports, our own export. */
export class WorkoutLogTransferService {
  constructor(private readonly deps: WorkoutLogTransferDeps) {}

  get settings(): WorkoutLogTransferSettings {
    return this.deps.settings;
  }

  /**
   * Imports a Strong or Hevy CSV export: wall-clock times in the member's zone (or the one
   * asked for), exercises matched to the library by name. Entries imported before (same
   * importKey) are counted, not added; rows that are no set are reported with their line.
   */
  async importCsv(userId: string, csv: string, request: ImportRequest): Promise<ImportSummary> {
    const timeZone = request.timeZone ?? (await this.deps.timeZones.timezoneOf(userId));
    const parsed = await parseWorkoutCsv(csv, {
      format: request.format,
      units: request.units ?? 'metric',
      timeZone,
      now: this.deps.now?.() ?? new Date(),
      maxRows: this.deps.settings.importMaxRows,
    });
    const names = [
      ...new Set(parsed.entries.flatMap((entry) => exerciseNameCandidates(entry.exerciseName))),
    ];
    const libraryIds = await this.deps.exercises.exerciseIdsByName(names);
    const entries = withExerciseIds(parsed.entries, libraryIds);
    const outcome =
      entries.length > 0
        ? await this.deps.importer.importLogs(userId, entries)
        : { created: 0, alreadyImported: 0, skipped: [] };
    return {
      format: parsed.format,
      created: outcome.created,
      alreadyImported: outcome.alreadyImported,
      skipped: [...parsed.skipped, ...outcome.skipped].sort((a, b) => a.row - b.row),
    };
  }

  /**
   * The member's log entries as CSV (see workout-log-csv.presenter.ts for the columns), oldest
   * first, read page by page in keyset order and produced one page at a time, so an export of
   * hundreds of thousands of sets never sits in memory whole.
   */
  async *exportCsv(userId: string, range: DayRange): AsyncGenerator<string> {
    const { db, settings } = this.deps;
    // The header goes out with the first page, so a failing first read is still a problem
    // answer rather than a cut-off file.
    let header = csvHeader();
    let after: Cursor | undefined;
    for (;;) {
      const logs = await workoutLogExportRepository.logPage(
        db,
        userId,
        range,
        after,
        settings.exportPageSize,
      );
      const sets = await workoutLogExportRepository.setsOf(
        db,
        userId,
        logs.map((log) => log.id),
      );
      const piece = header + csvRows(logs, sets);
      if (piece !== '') yield piece;
      header = '';
      const last = logs.at(-1);
      if (!last || logs.length < settings.exportPageSize) return;
      after = { at: last.completedAt, id: last.id };
    }
  }
}
