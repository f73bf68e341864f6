import { foodGroups, type CuisineTag, type FoodEntry, type MealType } from './food-table.data.js';
import type { MacroAmounts, PlannedRole } from './portion-tuning.js';

/*
 * Which food fills each part of each meal. Every slot (meal type × role) rotates through its own
 * list, so foods vary from meal to meal and day to day without any randomness.
 */

/** Notes for the plan's explanation, each said once. */
export class PlanNotes {
  private readonly notes: string[] = [];

  add(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  list(): string[] {
    return [...this.notes];
  }
}

/** What the food is for: the part of a meal, and the meal's targets it should suit. */
export interface SlotRequest {
  mealType: MealType;
  role: PlannedRole;
  target: MacroAmounts;
}

export const ROLE_LABELS: Record<PlannedRole, string> = {
  protein: 'protein',
  carb: 'carbohydrate',
  produce: 'vegetables/fruit',
  fat: 'added fat',
  main: 'dish',
};

// A cuisine needs this many foods for a slot before the planner stops adding others.
const MIN_CUISINE_CHOICES = 2;
// Protein sources should carry at least 1.25× the meal's protein share of energy (but need not
// pass 50%); carbohydrates and fats no more than the meal's share, or protein overshoots.
const PROTEIN_SOURCE_FIT = 1.25;
const MAX_PROTEIN_SOURCE_SHARE = 0.5;
// A dish needs at least 60% of the meal's protein share; a protein side can make up the rest.
const DISH_PROTEIN_FIT = 0.6;

type PoolScope = 'preferred' | 'all cuisines';

/** Energy from protein as a fraction of all energy. */
export function proteinShare(macros: { calories: number; protein: number }): number {
  return macros.calories > 0 ? (4 * macros.protein) / macros.calories : 0;
}

/**
 * Whether a food suits the meal's protein share: a protein source dense enough to carry it, a
 * carbohydrate or fat not richer in protein than the meal should be overall, a dish close enough
 * that one side can make up the difference.
 */
function suitsMeal(food: FoodEntry, slot: SlotRequest): boolean {
  const mealShare = proteinShare(slot.target);
  const share = proteinShare(food.per100g);
  switch (slot.role) {
    case 'protein':
      return share >= Math.min(PROTEIN_SOURCE_FIT * mealShare, MAX_PROTEIN_SOURCE_SHARE);
    case 'carb':
    case 'fat':
      return share <= mealShare;
    case 'main':
      return share >= DISH_PROTEIN_FIT * mealShare;
    case 'produce':
      return true;
  }
}

/** Takes one food from each group in turn, so consecutive picks come from different groups. */
function interleaveByGroup(foods: readonly FoodEntry[]): FoodEntry[] {
  const byGroup = foodGroups.map((group) => foods.filter((food) => food.group === group));
  const longest = Math.max(0, ...byGroup.map((list) => list.length));
  const result: FoodEntry[] = [];
  for (let index = 0; index < longest; index += 1) {
    for (const list of byGroup) {
      const food = list[index];
      if (food) result.push(food);
    }
  }
  return result;
}

const mealKind = (mealType: MealType) =>
  mealType === 'lunch' || mealType === 'dinner' ? 'main' : mealType;

/** Rotating food choices for one plan, over the foods the member may eat. */
export class FoodRotation {
  private readonly pools = new Map<string, readonly FoodEntry[]>();
  // Lunch and dinner share cursors, so the day's two main meals differ.
  private readonly cursors = new Map<string, number>();

  constructor(
    private readonly foods: readonly FoodEntry[],
    private readonly cuisines: ReadonlySet<CuisineTag>,
    private readonly notes: PlanNotes,
  ) {}

  /**
   * The next food in rotation for a slot, preferring one that suits the meal over one not yet
   * eaten that day. When the member's cuisines have no protein source dense enough for the
   * meal, other cuisines are searched before settling; a dish must always suit, since a plate
   * is the better fallback.
   */
  pick(slot: SlotRequest, usedToday: Set<string>): FoodEntry | undefined {
    const fresh = (food: FoodEntry) => !usedToday.has(food.slug);
    const fits = (food: FoodEntry) => suitsMeal(food, slot);
    for (const scope of this.scopesFor(slot.role)) {
      const rotation = this.inRotation(slot, scope);
      const suited = rotation.find((food) => fits(food) && fresh(food)) ?? rotation.find(fits);
      if (!suited) continue;
      if (scope === 'all cuisines') {
        this.notes.add(
          `No ${slot.mealType} protein in your cuisines is dense enough for your protein target: some come from other cuisines.`,
        );
      }
      return this.take(slot, scope, suited, usedToday);
    }
    if (slot.role === 'main') return undefined;
    const rotation = this.inRotation(slot, 'preferred');
    const fallback = rotation.find(fresh) ?? rotation[0];
    return fallback && this.take(slot, 'preferred', fallback, usedToday);
  }

  private scopesFor(role: PlannedRole): PoolScope[] {
    return role === 'protein' && this.cuisines.size > 0
      ? ['preferred', 'all cuisines']
      : ['preferred'];
  }

  private cursorKey(slot: SlotRequest, scope: PoolScope): string {
    return `${mealKind(slot.mealType)}:${slot.role}:${scope}`;
  }

  /** The slot's foods in rotation order, starting after the last one taken. */
  private inRotation(slot: SlotRequest, scope: PoolScope): FoodEntry[] {
    const pool = this.pool(slot, scope);
    const start = (this.cursors.get(this.cursorKey(slot, scope)) ?? 0) % Math.max(pool.length, 1);
    return [...pool.slice(start), ...pool.slice(0, start)];
  }

  private take(
    slot: SlotRequest,
    scope: PoolScope,
    food: FoodEntry,
    usedToday: Set<string>,
  ): FoodEntry {
    this.cursors.set(this.cursorKey(slot, scope), this.pool(slot, scope).indexOf(food) + 1);
    usedToday.add(food.slug);
    return food;
  }

  private pool(slot: SlotRequest, scope: PoolScope): readonly FoodEntry[] {
    const key = `${slot.mealType}:${slot.role}:${scope}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const candidates = this.candidates(slot);
      pool = interleaveByGroup(
        scope === 'preferred' ? this.preferredOf(candidates, slot) : candidates,
      );
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Foods for the role that suit the meal type, or any meal when none does. */
  private candidates({ mealType, role }: SlotRequest): FoodEntry[] {
    const forRole = this.foods.filter((food) => food.mealRole === role);
    const forMeal = forRole.filter((food) => food.mealTypes.includes(mealType));
    if (forMeal.length > 0 || role === 'main') return forMeal;
    if (forRole.length > 0) {
      this.notes.add(
        `No allowed ${ROLE_LABELS[role]} suits ${mealType}, so one from other meals is used.`,
      );
    }
    return forRole;
  }

  /**
   * The member's cuisines when they offer enough choice, topped up with international staples,
   * else every candidate. Dishes come only from the member's cuisines.
   */
  private preferredOf(candidates: readonly FoodEntry[], slot: SlotRequest): readonly FoodEntry[] {
    if (this.cuisines.size === 0) return candidates;
    const inCuisines = (food: FoodEntry) => food.cuisines.some((tag) => this.cuisines.has(tag));
    const preferred = candidates.filter(inCuisines);
    if (slot.role === 'main' || preferred.length >= MIN_CUISINE_CHOICES) return preferred;
    const label = `${slot.mealType} ${ROLE_LABELS[slot.role]}`;
    const withStaples = candidates.filter(
      (food) => inCuisines(food) || food.cuisines.includes('international'),
    );
    if (withStaples.length >= MIN_CUISINE_CHOICES) {
      this.notes.add(`Too few ${label} choices in your cuisines: added international staples.`);
      return withStaples;
    }
    if (candidates.length > 0) {
      this.notes.add(`Too few ${label} choices in your cuisines: used all cuisines.`);
    }
    return candidates;
  }
}
