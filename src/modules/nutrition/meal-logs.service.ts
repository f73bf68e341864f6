import type { Database } from '../../db/database.js';
import { mapPage } from '../../db/keyset-page.js';
import { inUnitOfWork, type UnitOfWork } from '../../db/unit-of-work.js';
import { notFound, unknownReference, validationError } from '../../lib/errors.js';
import type { KeyedQueue } from '../../lib/keyed-queue.js';
import type { DomainEvents } from '../../lib/events/domain-events.js';
import { SYNC_OVERLAP_SECONDS, encodeSyncCursor } from '../../lib/http/cursor.js';
import type { Logger } from '../../lib/logger.js';
import { instantOnLocalDay, localDay, localTimeOfDay } from '../../lib/time/local-day.js';
import { mealLogsRepository } from './meal-logs.repository.js';
import { presentMealLog, roundMacros, roundToTenth } from './meal-logs.presenter.js';
import {
  MAX_MEALS_PER_DAY,
  type CopiedMealDayView,
  type CopyMealDayBody,
  type CopyMealLogBody,
  type CreateMealLogBody,
  type MealDayView,
  type MealListing,
  type MealLogView,
  type MealSyncPageView,
  type UpdateMealLogBody,
} from './meal-logs.schemas.js';
import type { MealLogItem, MealLogRow, NewMealLogRow } from './meal-logs.table.js';
import { nutritionRepository } from './nutrition.repository.js';
import type { DailyTargets } from './nutrition.service.js';

/** The member's time zone for their local day; the container provides it. */
export interface MemberTimeZones {
  timezoneOf(userId: string): Promise<string>;
}

/** The member's daily targets (the nutrition service). */
export interface DailyTargetsProvider {
  dailyTargets(userId: string): Promise<DailyTargets>;
}

/** The member's uploaded meal photos (the files feature). */
export interface MealImages {
  /** Marks the member's meal image referenced in `tx`; false when they have no such image. */
  claim(tx: Database, userId: string, imageId: string): Promise<boolean>;
}

export interface MealLogsServiceDeps {
  db: Database;
  images: MealImages;
  logger: Logger;
  events: DomainEvents;
  timeZones: MemberTimeZones;
  targets: DailyTargetsProvider;
  /** A member's writes, one at a time per process (see KeyedQueue). */
  memberWrites: KeyedQueue;
}

interface Macros {
  calories: number;
  protein: number;
  carbs: number;
  fat: number;
}

/** What a meal's nutrition was built from: macros as given, or foods with grams. */
interface MealNutrition {
  macros: Macros;
  items: MealLogItem[];
  source: 'manual' | 'foods';
}

const sumMacros = (parts: readonly Macros[]): Macros =>
  roundMacros(
    parts.reduce(
      (sum, part) => ({
        calories: sum.calories + part.calories,
        protein: sum.protein + part.protein,
        carbs: sum.carbs + part.carbs,
        fat: sum.fat + part.fat,
      }),
      { calories: 0, protein: 0, carbs: 0, fat: 0 },
    ),
  );

/** The description a meal built from foods gets when none is given: the foods' names. */
function describeItems(items: readonly MealLogItem[]): string {
  const names = [...new Set(items.map((item) => item.name))].join(' + ');
  return names.length <= 500 ? names : `${names.slice(0, 499)}…`;
}

/** A copy of a meal as a new row on another day (items and macros as logged, not recomputed). */
function copyOf(
  meal: MealLogRow,
  target: { day: string; consumedAt: Date; mealType?: MealLogRow['mealType'] },
): NewMealLogRow {
  return {
    userId: meal.userId,
    day: target.day,
    mealType: target.mealType ?? meal.mealType,
    mealDescription: meal.mealDescription,
    consumedAt: target.consumedAt,
    calories: meal.calories,
    protein: meal.protein,
    carbs: meal.carbs,
    fat: meal.fat,
    items: meal.items,
    imageId: meal.imageId,
    source: 'copy',
  };
}

/**
 * The member's meal diary: meals logged with macros or built from foods, each day against its
 * targets, two-way sync for offline phones, and copies of a meal or a whole day. Every write is
 * one transaction that also runs `meal-logs.changed` for each meal it touches.
 */
export class MealLogsService {
  constructor(private readonly deps: MealLogsServiceDeps) {}

  async create(userId: string, body: CreateMealLogBody): Promise<MealLogView> {
    const nutrition = await this.nutritionOf(body);
    if (!nutrition) {
      throw validationError('Give macros or items.', [
        { path: 'body.macros', message: 'give macros, or items to compute them from' },
      ]);
    }
    const consumedAt = new Date(body.consumedAt);
    const timeZone = await this.deps.timeZones.timezoneOf(userId);
    const meal = await this.write(userId, async (uow) => {
      if (body.imageId) await this.claimImage(uow.tx, userId, body.imageId);
      const [row] = await mealLogsRepository.insert(uow.tx, [
        {
          userId,
          day: localDay(consumedAt, timeZone),
          mealType: body.mealType,
          mealDescription: body.mealDescription ?? describeItems(nutrition.items),
          consumedAt,
          ...nutrition.macros,
          items: nutrition.items,
          imageId: body.imageId ?? null,
          source: nutrition.source,
        },
      ]);
      if (!row) throw new Error('insert returned no row');
      await this.changed(uow, 'created', row);
      return row;
    });
    return presentMealLog(meal);
  }

  /**
   * Logs a meal recognised in a photo (source `analysis`, macros as confirmed). `alongside` runs
   * in the same transaction right after the insert, so the caller's own record of it (the
   * analysis marked confirmed) and the meal, with its points, commit together or not at all.
   */
  async createFromAnalysis(
    userId: string,
    meal: {
      mealType: MealLogRow['mealType'];
      mealDescription: string;
      consumedAt: string;
      macros: Macros;
      imageId: string;
    },
    alongside: (uow: UnitOfWork, meal: MealLogRow) => Promise<void>,
  ): Promise<MealLogView> {
    const consumedAt = new Date(meal.consumedAt);
    const timeZone = await this.deps.timeZones.timezoneOf(userId);
    const row = await this.write(userId, async (uow) => {
      const [inserted] = await mealLogsRepository.insert(uow.tx, [
        {
          userId,
          day: localDay(consumedAt, timeZone),
          mealType: meal.mealType,
          mealDescription: meal.mealDescription,
          consumedAt,
          ...roundMacros(meal.macros),
          items: [],
          imageId: meal.imageId,
          source: 'analysis',
        },
      ]);
      if (!inserted) throw new Error('insert returned no row');
      await alongside(uow, inserted);
      await this.changed(uow, 'created', inserted);
      return inserted;
    });
    return presentMealLog(row);
  }

  async get(userId: string, id: string): Promise<MealLogView> {
    const meal = await mealLogsRepository.find(this.deps.db, userId, id);
    if (!meal) throw notFound('Meal');
    return presentMealLog(meal);
  }

  async update(userId: string, id: string, body: UpdateMealLogBody): Promise<MealLogView> {
    const nutrition = await this.nutritionOf(body);
    const consumedAt = body.consumedAt === undefined ? undefined : new Date(body.consumedAt);
    const timeZone = consumedAt && (await this.deps.timeZones.timezoneOf(userId));
    const meal = await this.write(userId, async (uow) => {
      const current = await mealLogsRepository.findForUpdate(uow.tx, userId, id);
      if (!current) throw notFound('Meal');
      if (body.imageId) await this.claimImage(uow.tx, userId, body.imageId);
      const updated = await mealLogsRepository.update(uow.tx, userId, id, {
        mealType: body.mealType,
        mealDescription: body.mealDescription,
        imageId: body.imageId,
        ...(consumedAt && timeZone && { consumedAt, day: localDay(consumedAt, timeZone) }),
        ...(nutrition && {
          ...nutrition.macros,
          items: nutrition.items,
          source: nutrition.source,
        }),
      });
      if (!updated) throw notFound('Meal');
      await this.changed(uow, 'updated', updated, current.day);
      return updated;
    });
    return presentMealLog(meal);
  }

  /** A meal may show only the member's own uploaded meal photo; 422 at `body.imageId` else. */
  private async claimImage(tx: Database, userId: string, imageId: string): Promise<void> {
    if (!(await this.deps.images.claim(tx, userId, imageId))) {
      throw unknownReference(
        'body.imageId',
        'is not a meal image you uploaded (POST /api/upload/meal-images)',
      );
    }
  }

  /** Deletes the meal and writes its tombstone, in one transaction. */
  async delete(userId: string, id: string): Promise<void> {
    await this.write(userId, async (uow) => {
      const meal = await mealLogsRepository.delete(uow.tx, userId, id);
      if (!meal) throw notFound('Meal');
      await this.changed(uow, 'deleted', meal);
    });
  }

  /**
   * Copies one meal to a day (default today) at the same local time of day; on today, a time
   * still ahead becomes now, since no meal is logged in the future.
   */
  async copy(userId: string, id: string, body: CopyMealLogBody): Promise<MealLogView> {
    const timeZone = await this.deps.timeZones.timezoneOf(userId);
    const now = new Date();
    const day = body.date ?? localDay(now, timeZone);
    this.refuseFutureDay(day, now, timeZone, 'body.date');
    const copy = await this.write(userId, async (uow) => {
      const original = await mealLogsRepository.find(uow.tx, userId, id);
      if (!original) throw notFound('Meal');
      const [row] = await mealLogsRepository.insert(uow.tx, [
        copyOf(original, {
          day,
          consumedAt: this.sameTimeOn(day, original.consumedAt, now, timeZone),
          mealType: body.mealType,
        }),
      ]);
      if (!row) throw new Error('insert returned no row');
      await this.changed(uow, 'created', row);
      return row;
    });
    return presentMealLog(copy);
  }

  /**
   * Copies every meal of a day (or of some meal types) to another, all in one transaction: all
   * are copied or none. A day with nothing to copy is a 404, so a client can tell it apart from
   * a copy that happened.
   */
  async copyDay(userId: string, body: CopyMealDayBody): Promise<CopiedMealDayView> {
    const timeZone = await this.deps.timeZones.timezoneOf(userId);
    const now = new Date();
    this.refuseFutureDay(body.toDate, now, timeZone, 'body.toDate');
    const copies = await this.write(userId, async (uow) => {
      const originals = await mealLogsRepository.ofDay(uow.tx, userId, body.fromDate, {
        mealTypes: body.mealTypes,
        limit: MAX_MEALS_PER_DAY + 1,
      });
      if (originals.length === 0) throw notFound(`Meals to copy on ${body.fromDate}`);
      if (originals.length > MAX_MEALS_PER_DAY) {
        throw validationError('Too many meals to copy at once.', [
          {
            path: 'body.fromDate',
            message: `has more than ${String(MAX_MEALS_PER_DAY)} meals; copy them one by one`,
          },
        ]);
      }
      const rows = await mealLogsRepository.insert(
        uow.tx,
        originals.map((original) =>
          copyOf(original, {
            day: body.toDate,
            consumedAt: this.sameTimeOn(body.toDate, original.consumedAt, now, timeZone),
          }),
        ),
      );
      for (const row of rows) await this.changed(uow, 'created', row);
      return rows;
    });
    return { fromDate: body.fromDate, toDate: body.toDate, meals: copies.map(presentMealLog) };
  }

  /** `GET /meals` in whichever mode it was asked for. */
  async list(userId: string, listing: MealListing) {
    switch (listing.mode) {
      case 'day':
        return this.day(userId, listing.date);
      case 'range':
        return mapPage(
          await mealLogsRepository.listRange(this.deps.db, userId, listing),
          presentMealLog,
        );
      case 'sync':
        return this.sync(userId, listing);
    }
  }

  /** A day's meals (default today, in the member's zone), totals, targets and what remains. */
  async day(userId: string, date?: string): Promise<MealDayView> {
    const day = date ?? localDay(new Date(), await this.deps.timeZones.timezoneOf(userId));
    const [meals, sums, { targets, source }] = await Promise.all([
      mealLogsRepository.ofDay(this.deps.db, userId, day, { limit: MAX_MEALS_PER_DAY }),
      mealLogsRepository.dayTotals(this.deps.db, userId, day),
      this.deps.targets.dailyTargets(userId),
    ]);
    const totals = roundMacros(sums);
    return {
      date: day,
      meals: meals.map(presentMealLog),
      totals,
      targets,
      targetsSource: source,
      remaining: targets && {
        calories: roundToTenth(targets.calories - totals.calories),
        protein: roundToTenth(targets.protein - totals.protein),
        carbs: roundToTenth(targets.carbs - totals.carbs),
        fat: roundToTenth(targets.fat - totals.fat),
      },
    };
  }

  /**
   * Changes since `updatedSince` (less the overlap window, see SYNC_OVERLAP_SECONDS): meals
   * created or changed and meals deleted, as one stream ordered by change time then id, paged.
   * The last page's `syncCursor` is the database time at which this sync's first page was read:
   * everything committed before it has been returned, and what committed later with an earlier
   * time falls in the next sync's overlap.
   */
  async sync(
    userId: string,
    listing: Extract<MealListing, { mode: 'sync' }>,
  ): Promise<MealSyncPageView> {
    const { db } = this.deps;
    const asOf = listing.cursor?.asOf ?? (await mealLogsRepository.now(db));
    const since = new Date(listing.updatedSince.getTime() - SYNC_OVERLAP_SECONDS * 1000);
    // One row more of each stream than asked for tells whether the merged stream goes on.
    const [changed, deleted] = await Promise.all([
      mealLogsRepository.changedSince(db, userId, since, listing.cursor, listing.limit + 1),
      mealLogsRepository.deletedSince(db, userId, since, listing.cursor, listing.limit + 1),
    ]);
    // A change is the meal as it is now, or (without `meal`) its deletion.
    const stream: { at: Date; id: string; meal?: MealLogRow }[] = [
      ...changed.map((meal) => ({ at: meal.updatedAt, id: meal.id, meal })),
      ...deleted.map((tombstone) => ({ at: tombstone.deletedAt, id: tombstone.recordId })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const page = stream.slice(0, listing.limit);
    const last = page.at(-1);
    const hasMore = stream.length > listing.limit && last !== undefined;
    return {
      items: page.flatMap((entry) => (entry.meal ? [presentMealLog(entry.meal)] : [])),
      deleted: page.flatMap((entry) =>
        entry.meal ? [] : [{ id: entry.id, deletedAt: entry.at.toISOString() }],
      ),
      nextCursor: hasMore ? encodeSyncCursor({ at: last.at, id: last.id, asOf }) : null,
      syncCursor: hasMore ? null : asOf.toISOString(),
    };
  }

  /** Every meal of the member, oldest first, for their data export. */
  async exportOf(userId: string): Promise<MealLogView[]> {
    return (await mealLogsRepository.allOf(this.deps.db, userId)).map(presentMealLog);
  }

  /** Runs a write as one unit of work. */
  /** One transaction of the member's, after the member's earlier writes on this instance. */
  private write<T>(userId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return this.deps.memberWrites.run(userId, () =>
      inUnitOfWork(this.deps.db, this.deps.logger, work),
    );
  }

  /** Lets the listeners (points, achievements, analytics) follow, inside the transaction. */
  private changed(
    uow: UnitOfWork,
    change: 'created' | 'updated' | 'deleted',
    meal: MealLogRow,
    previousDay?: string,
  ): Promise<void> {
    return this.deps.events.run('meal-logs.changed', {
      uow,
      userId: meal.userId,
      change,
      meal,
      ...(previousDay !== undefined && previousDay !== meal.day && { previousDay }),
    });
  }

  /**
   * Macros as given, or computed from the foods' per-100 g values for the grams eaten (each
   * item to 0.1, the meal the sum of its items); undefined when the body gives neither. An
   * unknown food is a 400 naming the item, like any other invalid field.
   */
  private async nutritionOf(body: {
    macros?: Macros;
    items?: { foodId: string; grams: number }[];
  }): Promise<MealNutrition | undefined> {
    const portions = body.items;
    if (!portions) return body.macros && { macros: body.macros, items: [], source: 'manual' };
    const foods = new Map(
      (
        await nutritionRepository.findFoods(this.deps.db, [
          ...new Set(portions.map((portion) => portion.foodId)),
        ])
      ).map((food) => [food.id, food]),
    );
    const unknown = portions.flatMap((portion, index) =>
      foods.has(portion.foodId)
        ? []
        : [{ path: `body.items.${String(index)}.foodId`, message: 'no food with this id' }],
    );
    if (unknown.length > 0) throw validationError('Unknown food in items.', unknown);
    const items = portions.map((portion): MealLogItem => {
      const food = foods.get(portion.foodId);
      if (!food) throw new Error('food checked above');
      const share = portion.grams / 100;
      return {
        foodId: food.id,
        name: food.name,
        grams: portion.grams,
        ...roundMacros({
          calories: food.caloriesPer100g * share,
          protein: food.proteinPer100g * share,
          carbs: food.carbsPer100g * share,
          fat: food.fatPer100g * share,
        }),
      };
    });
    return { macros: sumMacros(items), items, source: 'foods' };
  }

  /** Copies and day copies land on a day no later than the member's today. */
  private refuseFutureDay(day: string, now: Date, timeZone: string, path: string): void {
    const today = localDay(now, timeZone);
    if (day > today) {
      throw validationError('Meals cannot be logged on a future day.', [
        { path, message: `must not be after today (${today} in ${timeZone})` },
      ]);
    }
  }

  /** The original's local time of day on `day`; never later than now. */
  private sameTimeOn(day: string, original: Date, now: Date, timeZone: string): Date {
    const at = instantOnLocalDay(day, localTimeOfDay(original, timeZone), timeZone);
    return at > now ? now : at;
  }
}
