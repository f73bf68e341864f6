import { uniqueViolation } from '../../db/constraint-violations.js';
import type { Database } from '../../db/database.js';
import { mapPage, type PageRequest } from '../../db/keyset-page.js';
import { inUnitOfWork } from '../../db/unit-of-work.js';
import { conflict, forbidden, notFound } from '../../lib/errors.js';
import type { DomainEvents } from '../../lib/events/domain-events.js';
import type { Logger } from '../../lib/logger.js';
import { localDay } from '../../lib/time/local-day.js';
import type { BranchesService } from './branches.service.js';
import type { FloorEvents } from './gym-floor.events.js';
import { presentGymSession } from './gym-floor.presenter.js';
import type { GymSessionView } from './gym-floor.schemas.js';
import { endActiveGymSession } from './gym-session-ending.js';
import { gymSessionsRepository } from './gym-sessions.repository.js';
import { machinesRepository } from './machines.repository.js';

/** Gym visits: check-in, check-out, history, and the expiry of abandoned ones. */
export class GymSessionsService {
  constructor(
    private readonly deps: {
      db: Database;
      logger: Logger;
      branches: BranchesService;
      events: FloorEvents;
      /** Where `gym-floor.checked-in` is run for the other modules. */
      domainEvents: DomainEvents;
    },
  ) {}

  /**
   * Starts a session at a branch the member has joined; one active session at a time. The
   * visit is announced (`gym-floor.checked-in`, with its day in the branch's time zone) inside
   * the same transaction, so what listeners record stands or falls with the session.
   */
  async checkIn(userId: string, branchId: string): Promise<GymSessionView> {
    const branch = await this.deps.branches.require(branchId);
    if (!(await this.deps.branches.isMember(branchId, userId))) {
      throw forbidden('Join this branch before checking in.');
    }
    const gymSession = await inUnitOfWork(this.deps.db, this.deps.logger, async (uow) => {
      const started = await gymSessionsRepository
        .insertActive(uow.tx, userId, branchId)
        .catch((error: unknown) => {
          // The partial unique index decides between concurrent check-ins, not a prior read.
          if (uniqueViolation(error) !== undefined) {
            throw conflict(
              'A gym session is already active; check out first.',
              'SESSION_ALREADY_ACTIVE',
            );
          }
          throw error;
        });
      await this.deps.domainEvents.run('gym-floor.checked-in', {
        uow,
        userId,
        sessionId: started.id,
        branchId,
        day: localDay(started.startTime, branch.timezone),
      });
      return started;
    });
    return presentGymSession(gymSession);
  }

  /**
   * Ends the active session with its duration and machines, releasing a linked machine, and
   * announces it (`gym-floor.checked-out`) inside the same transaction.
   */
  async checkOut(userId: string): Promise<GymSessionView> {
    const { gymSession, released } = await inUnitOfWork(
      this.deps.db,
      this.deps.logger,
      async (uow) => {
        const ended = await endActiveGymSession(uow.tx, userId, 'checked-out');
        if (!ended) throw conflict('No gym session is active.', 'NO_ACTIVE_SESSION');
        await this.deps.domainEvents.run('gym-floor.checked-out', {
          uow,
          userId,
          sessionId: ended.gymSession.id,
          at: ended.gymSession.endTime ?? new Date(),
        });
        return ended;
      },
    );
    this.deps.events.released(released);
    return presentGymSession(gymSession);
  }

  async getActive(userId: string): Promise<GymSessionView> {
    const row = await gymSessionsRepository.findActive(this.deps.db, userId);
    if (!row) throw notFound('Active gym session');
    return presentGymSession(row);
  }

  async list(userId: string, query: PageRequest & { from?: string; to?: string }) {
    const page = await gymSessionsRepository.list(this.deps.db, userId, {
      ...query,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    });
    return mapPage(page, presentGymSession);
  }

  /** Every session of the member, oldest first, for their data export. */
  async exportOf(userId: string): Promise<GymSessionView[]> {
    return (await gymSessionsRepository.allOf(this.deps.db, userId)).map(presentGymSession);
  }

  /**
   * The member's local time zone, for their local day: the branch they are at now, else their
   * profile's home zone, else UTC.
   */
  async timezoneOf(userId: string): Promise<string> {
    return (await gymSessionsRepository.memberTimezone(this.deps.db, userId)) ?? 'UTC';
  }

  /**
   * Job: sessions left open longer than `seconds` become `expired`, their machines are released
   * and their members notified, all in one transaction so no machine stays held by an ended visit.
   */
  async expireAbandoned(seconds: number): Promise<number> {
    const { expired, released } = await this.deps.db.transaction(async (tx) => {
      const gymSessions = await gymSessionsRepository.expireOlderThan(tx, seconds);
      const machines = await machinesRepository.releaseHeldBy(
        tx,
        gymSessions.map((gymSession) => gymSession.userId),
        'expired',
      );
      return { expired: gymSessions, released: machines };
    });
    this.deps.events.released(released);
    for (const gymSession of expired) {
      await this.deps.events.notify({
        userId: gymSession.userId,
        kind: 'gym-session-expired',
        title: 'Gym session ended',
        body: 'Your gym session was ended because it stayed open too long.',
        data: { sessionId: gymSession.id, branchId: gymSession.branchId },
        dedupeKey: `gym-session-expired:${gymSession.id}`,
      });
    }
    return expired.length;
  }
}
