import type { Database } from '../../db/database.js';
import { inUnitOfWork, type UnitOfWork } from '../../db/unit-of-work.js';
import { conflict, notFound, validationError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { localDay } from '../../lib/time/local-day.js';
import type { Notifier } from './notifier.js';
import {
  daysMaskOf,
  formatMinuteOfDay,
  latestOccurrence,
  nextOccurrence,
  parseMinuteOfDay,
  weekdaysOf,
  type ReminderTiming,
} from './reminder-occurrences.js';
import { remindersRepository as reminders, type ReminderAdvance } from './reminders.repository.js';
import {
  MAX_REMINDERS_PER_MEMBER,
  type CreateReminderBody,
  type ReminderListView,
  type ReminderView,
  type UpdateReminderBody,
} from './reminders.schemas.js';
import type { ReminderScheduleRow } from './reminders.table.js';

/** A member and one of their local days. */
export interface MemberDay {
  userId: string;
  day: string;
}

/** Which members trained on which of their local days; the workout-logs module provides it. */
export interface TrainingDays {
  /** Of `memberDays`, those with a workout log, as `userId/day` keys; reads through `db`. */
  trainedOn(db: Database, memberDays: readonly MemberDay[]): Promise<Set<string>>;
}

/** The member's profile time zone; the users module provides it. */
export interface HomeTimeZones {
  /**
   * The profile's zone (UTC without one), with the account locked until the transaction ends so
   * that a zone change waits for the reminder being written; undefined when there is no account.
   */
  lockHomeZone(tx: Database, userId: string): Promise<string | undefined>;
}

export interface RemindersServiceDeps {
  db: Database;
  logger: Logger;
  notifier: Notifier;
  trainingDays: TrainingDays;
  homeZones: HomeTimeZones;
}

/** What one run of the scheduler did. */
export interface ReminderRunOutcome {
  sent: number;
  /** Workout reminders not sent because the member had trained that local day. */
  skippedTrained: number;
  /** Occurrences older than the grace window when found (the scheduler was down). */
  missed: number;
}

/**
 * An occurrence found due later than this (the scheduler was down or far behind) is not sent:
 * a 07:00 workout reminder arriving at noon helps no one. Only the latest missed occurrence of
 * a schedule is considered, so a long outage never sends a burst of stale reminders.
 */
export const MISSED_GRACE_MS = 60 * 60 * 1000;
/** Schedules claimed per transaction by the scheduler. */
export const DUE_BATCH_SIZE = 500;

const timingOf = (row: Pick<ReminderScheduleRow, keyof ReminderTiming>): ReminderTiming => ({
  daysMask: row.daysMask,
  minuteOfDay: row.minuteOfDay,
  timeZone: row.timeZone,
});

function presentReminder(row: ReminderScheduleRow): ReminderView {
  return {
    id: row.id,
    kind: row.kind,
    days: weekdaysOf(row.daysMask),
    time: formatMinuteOfDay(row.minuteOfDay),
    mealType: row.mealType,
    enabled: row.enabled,
    timeZone: row.timeZone,
    nextFireAt: row.nextFireAt?.toISOString() ?? null,
    lastFiredAt: row.lastFiredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What the member reads for one occurrence. */
function messageOf(row: ReminderScheduleRow): { title: string; body: string } {
  const time = formatMinuteOfDay(row.minuteOfDay);
  if (row.kind === 'workout') {
    return { title: 'Workout reminder', body: `It’s ${time}: time for your workout.` };
  }
  return {
    title: 'Meal reminder',
    body: row.mealType
      ? `It’s ${time}: time to log your ${row.mealType}.`
      : `It’s ${time}: time to log your meal.`,
  };
}

/**
 * Members' workout and meal reminders: weekly days at a local time in the member's profile zone,
 * and the scheduler that sends each occurrence once.
 *
 * The zone is copied onto each schedule when it is written and rewritten, with the next
 * occurrence, in the transaction that changes the profile's zone (`followHomeZone`), so the
 * scheduler finds due rows by `next_fire_at` alone and never resolves a zone per row to do so.
 */
export class RemindersService {
  constructor(private readonly deps: RemindersServiceDeps) {}

  async list(userId: string): Promise<ReminderListView> {
    return { items: (await reminders.listOf(this.deps.db, userId)).map(presentReminder) };
  }

  async get(userId: string, id: string): Promise<ReminderView> {
    const row = await reminders.find(this.deps.db, userId, id);
    if (!row) throw notFound('Reminder');
    return presentReminder(row);
  }

  async create(userId: string, body: CreateReminderBody): Promise<ReminderView> {
    const row = await this.deps.db.transaction(async (tx) => {
      // Locking the account also serialises a member's creations, so the limit holds.
      const timeZone = await this.deps.homeZones.lockHomeZone(tx, userId);
      if (timeZone === undefined) throw notFound('User');
      if ((await reminders.countOf(tx, userId)) >= MAX_REMINDERS_PER_MEMBER) {
        throw conflict(
          `A member can have at most ${String(MAX_REMINDERS_PER_MEMBER)} reminders.`,
          'REMINDER_LIMIT_REACHED',
        );
      }
      const timing = {
        daysMask: daysMaskOf(body.days),
        minuteOfDay: parseMinuteOfDay(body.time),
        timeZone,
      };
      return reminders.insert(tx, {
        userId,
        kind: body.kind,
        ...timing,
        mealType: body.mealType ?? null,
        enabled: body.enabled,
        nextFireAt: body.enabled ? nextOccurrence(timing, new Date()) : null,
      });
    });
    return presentReminder(row);
  }

  async update(userId: string, id: string, body: UpdateReminderBody): Promise<ReminderView> {
    const row = await this.deps.db.transaction(async (tx) => {
      const current = await reminders.findForUpdate(tx, userId, id);
      if (!current) throw notFound('Reminder');
      if (current.kind !== 'meal' && body.mealType !== undefined && body.mealType !== null) {
        throw validationError('The request body is invalid.', [
          { path: 'body.mealType', message: 'only meal reminders have a meal type' },
        ]);
      }
      const timing = {
        daysMask: body.days ? daysMaskOf(body.days) : current.daysMask,
        minuteOfDay: body.time ? parseMinuteOfDay(body.time) : current.minuteOfDay,
        timeZone: current.timeZone,
      };
      const enabled = body.enabled ?? current.enabled;
      return reminders.update(tx, userId, id, {
        daysMask: timing.daysMask,
        minuteOfDay: timing.minuteOfDay,
        mealType: body.mealType === undefined ? current.mealType : body.mealType,
        enabled,
        nextFireAt: enabled ? nextOccurrence(timing, new Date()) : null,
      });
    });
    if (!row) throw notFound('Reminder');
    return presentReminder(row);
  }

  async remove(userId: string, id: string): Promise<void> {
    if (!(await reminders.delete(this.deps.db, userId, id))) throw notFound('Reminder');
  }

  /**
   * Inside the transaction that changes the member's profile zone: their reminders move to the
   * new zone and their next occurrences are computed in it (07:00 stays 07:00 where they are).
   */
  async followHomeZone(tx: Database, userId: string, timeZone: string): Promise<void> {
    const now = new Date();
    for (const row of await reminders.lockAllOf(tx, userId)) {
      if (row.timeZone === timeZone) continue;
      const timing = { ...timingOf(row), timeZone };
      await reminders.update(tx, userId, row.id, {
        timeZone,
        nextFireAt: row.enabled ? nextOccurrence(timing, now) : null,
      });
    }
  }

  /**
   * Sends every reminder due at `at` (default: the database clock), in batches. Each batch is
   * one transaction that locks its due rows (rows locked by another instance are skipped),
   * moves them to their next occurrences and stores the notifications, so each occurrence is
   * sent once however many instances run this at the same moment.
   *
   * For each due schedule the occurrence considered is its latest at or before `at`. It is
   * sent when at most MISSED_GRACE_MS old, else counted as missed; a workout reminder is
   * skipped when the member has a workout log on that occurrence's local day. Either way the
   * schedule moves to its first occurrence after `at`.
   */
  async sendDue(at?: Date): Promise<ReminderRunOutcome> {
    const total: ReminderRunOutcome = { sent: 0, skippedTrained: 0, missed: 0 };
    for (;;) {
      const batch = await inUnitOfWork(this.deps.db, this.deps.logger, (uow) =>
        this.sendBatch(uow, at),
      );
      total.sent += batch.outcome.sent;
      total.skippedTrained += batch.outcome.skippedTrained;
      total.missed += batch.outcome.missed;
      if (batch.claimed < DUE_BATCH_SIZE) return total;
    }
  }

  private async sendBatch(
    uow: UnitOfWork,
    at: Date | undefined,
  ): Promise<{ claimed: number; outcome: ReminderRunOutcome }> {
    const now = at ?? (await reminders.now(uow.tx));
    const due = await reminders.claimDue(uow.tx, now, DUE_BATCH_SIZE);
    const outcome: ReminderRunOutcome = { sent: 0, skippedTrained: 0, missed: 0 };
    const toSend: { row: ReminderScheduleRow; occurrence: Date; day: string }[] = [];
    const advances: ReminderAdvance[] = [];
    for (const row of due) {
      const timing = timingOf(row);
      const stored = row.nextFireAt ?? now;
      const latest = latestOccurrence(timing, now);
      const occurrence = latest > stored ? latest : stored;
      const advance: ReminderAdvance = {
        id: row.id,
        nextFireAt: nextOccurrence(timing, now),
        firedAt: null,
      };
      advances.push(advance);
      if (now.getTime() - occurrence.getTime() > MISSED_GRACE_MS) {
        outcome.missed++;
        continue;
      }
      toSend.push({ row, occurrence, day: localDay(occurrence, row.timeZone) });
    }
    const workouts = toSend.filter((entry) => entry.row.kind === 'workout');
    const trained =
      workouts.length === 0
        ? new Set<string>()
        : await this.deps.trainingDays.trainedOn(
            uow.tx,
            workouts.map((entry) => ({ userId: entry.row.userId, day: entry.day })),
          );
    const firedAt = new Map<string, Date>();
    for (const { row, occurrence, day } of toSend) {
      if (row.kind === 'workout' && trained.has(`${row.userId}/${day}`)) {
        outcome.skippedTrained++;
        continue;
      }
      firedAt.set(row.id, occurrence);
      const occurrenceIso = occurrence.toISOString();
      await this.deps.notifier.notify(
        {
          userId: row.userId,
          kind: row.kind === 'workout' ? 'workout-reminder' : 'meal-reminder',
          ...messageOf(row),
          data: {
            reminderId: row.id,
            occurrence: occurrenceIso,
            day,
            time: formatMinuteOfDay(row.minuteOfDay),
            mealType: row.mealType,
          },
          dedupeKey: `reminder:${row.id}:${occurrenceIso}`,
        },
        uow,
      );
      outcome.sent++;
    }
    for (const advance of advances) advance.firedAt = firedAt.get(advance.id) ?? null;
    await reminders.advance(uow.tx, advances);
    return { claimed: due.length, outcome };
  }
}
