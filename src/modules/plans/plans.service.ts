import type { Database } from '../../db/database.js';
import type { Page, PageRequest } from '../../db/keyset-page.js';
import { AppError, notFound } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { UsersRepository } from '../users/index.js';
import type { PlanRepository } from './plans.repository.js';

/** Where a generated plan came from, as clients see it. */
export type PlanSource = 'ai' | 'cache' | 'fallback';

/** What sets one kind of plan (workout, diet) apart from the other. */
export interface PlanKind {
  /** What a 404 names, e.g. "Workout plan". */
  label: string;
  /** The field of the user's `activePlans` that points at the active plan. */
  activeSlot: 'workoutPlanId' | 'dietPlanId';
  /** The planning service, as logs name it, e.g. "workout planning". */
  serviceName: string;
}

/** The user's active-plan slots; the users module's repository provides them. */
export type ActivePlanSlots = Pick<UsersRepository, 'findByIdForUpdate' | 'setActivePlan'>;

export interface PlansServiceDeps<Row, NewRow> {
  db: Database;
  accounts: ActivePlanSlots;
  logger: Logger;
  plans: PlanRepository<Row, NewRow>;
  kind: PlanKind;
}

/** One generation: the inputs' hash and the two ways to build and store a plan for them. */
export interface PlanGeneration<Row> {
  userId: string;
  requestHash: string;
  /** Whether the planning service is configured and can take these inputs. */
  askService: boolean;
  /** Asks the planning service and stores its plan. */
  fromService(): Promise<Row>;
  /** Builds and stores a plan with the built-in planner. */
  fromBuiltInPlanner(): Promise<Row>;
}

/**
 * The stored plans of one kind: generation with its fallbacks, listing, reading and activation,
 * the same for workout and diet plans.
 */
export class PlansService<Row, NewRow> {
  constructor(private readonly deps: PlansServiceDeps<Row, NewRow>) {}

  /**
   * The planning service when it can answer; when it fails, the member's newest plan for the
   * same inputs (the seed's rule: a plan the member already has beats a generic one, but only
   * one made for the same inputs, as an older one could predate a health condition or an
   * allergy); else the built-in planner.
   */
  async generateWithFallback(
    generation: PlanGeneration<Row>,
  ): Promise<{ row: Row; source: PlanSource }> {
    if (generation.askService) {
      try {
        return { row: await generation.fromService(), source: 'ai' };
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        this.deps.logger.warn(
          { code: error.code, detail: error.detail },
          `${this.deps.kind.serviceName} failed`,
        );
        const { db, plans } = this.deps;
        const stored = await plans.latestFor(db, generation.userId, generation.requestHash);
        if (stored) return { row: stored, source: 'cache' };
      }
    }
    return { row: await generation.fromBuiltInPlanner(), source: 'fallback' };
  }

  list(userId: string, page: PageRequest): Promise<Page<Row>> {
    return this.deps.plans.list(this.deps.db, userId, page);
  }

  /** Every plan of the user, oldest first, for their data export. */
  allOf(userId: string): Promise<Row[]> {
    return this.deps.plans.allOf(this.deps.db, userId);
  }

  async get(userId: string, id: string): Promise<Row> {
    const row = await this.deps.plans.find(this.deps.db, userId, id);
    if (!row) throw notFound(this.deps.kind.label);
    return row;
  }

  async getActive(userId: string): Promise<Row> {
    const row = await this.deps.plans.findActive(this.deps.db, userId);
    if (!row) throw notFound(`Active ${this.deps.kind.label.toLowerCase()}`);
    return row;
  }

  /** Makes the plan active and points the user's `activePlans` at it, in one transaction. */
  async activate(userId: string, id: string): Promise<Row> {
    const { plans, kind } = this.deps;
    return this.deps.db.transaction(async (tx) => {
      // Locking the user row serialises concurrent activations of one user's plans.
      if (!(await this.deps.accounts.findByIdForUpdate(tx, userId))) throw notFound('User');
      const activated = await plans.activate(tx, userId, id);
      if (!activated) throw notFound(kind.label);
      await this.deps.accounts.setActivePlan(
        tx,
        userId,
        kind.activeSlot === 'workoutPlanId' ? { workoutPlanId: id } : { dietPlanId: id },
      );
      return activated;
    });
  }
}
