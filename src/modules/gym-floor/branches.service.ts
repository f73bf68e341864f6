import { isForeignKeyViolation, uniqueViolation } from '../../db/constraint-violations.js';
import type { Database } from '../../db/database.js';
import { mapPage, type PageRequest } from '../../db/keyset-page.js';
import { conflict, forbidden, notFound } from '../../lib/errors.js';
import type { UsersRepository } from '../users/index.js';
import type { Role } from '../../lib/roles.js';
import { branchesRepository } from './branches.repository.js';
import { presentBranch } from './gym-floor.presenter.js';
import type {
  BranchView,
  CreateBranchBody,
  MembershipView,
  UpdateBranchBody,
} from './gym-floor.schemas.js';
import type { DomainEvents } from '../../lib/events/domain-events.js';
import type { FloorEvents } from './gym-floor.events.js';
import type { BranchRow } from './gym-floor.table.js';
import { endActiveGymSession } from './gym-session-ending.js';

/** Who is acting, as far as branch permissions go. */
export interface Actor {
  userId: string;
  role: Role;
}

const duplicateName = () =>
  conflict('A branch with this name already exists.', 'BRANCH_NAME_TAKEN');

/** The account lookups branches make (staff must have the staff role); the users module's. */
export type BranchAccounts = Pick<UsersRepository, 'findById'>;

/** Gym locations, who belongs to them and who staffs them. */
export class BranchesService {
  constructor(
    private readonly deps: {
      db: Database;
      events: FloorEvents;
      domainEvents: DomainEvents;
      accounts: BranchAccounts;
    },
  ) {}

  async create(body: CreateBranchBody): Promise<BranchView> {
    try {
      return presentBranch(await branchesRepository.insert(this.deps.db, body));
    } catch (error) {
      if (uniqueViolation(error) !== undefined) throw duplicateName();
      throw error;
    }
  }

  async list(query: PageRequest<string> & { q?: string }) {
    return mapPage(await branchesRepository.list(this.deps.db, query), presentBranch);
  }

  async get(id: string): Promise<BranchView> {
    return presentBranch(await this.require(id));
  }

  async update(id: string, body: UpdateBranchBody): Promise<BranchView> {
    try {
      const row = await branchesRepository.update(this.deps.db, id, body);
      if (!row) throw notFound('Branch');
      return presentBranch(row);
    } catch (error) {
      if (uniqueViolation(error) !== undefined) throw duplicateName();
      throw error;
    }
  }

  /** Deletes an empty branch; machines and gym-session history keep it (409). */
  async delete(id: string): Promise<void> {
    try {
      if (!(await branchesRepository.delete(this.deps.db, id))) throw notFound('Branch');
    } catch (error) {
      if (isForeignKeyViolation(error)) {
        throw conflict(
          'The branch still has machines or gym sessions; it cannot be deleted.',
          'BRANCH_IN_USE',
        );
      }
      throw error;
    }
  }

  /** Joins the member to the branch (again is fine) and returns all their memberships. */
  async join(userId: string, branchId: string): Promise<MembershipView[]> {
    await this.require(branchId);
    await this.deps.db.transaction(async (tx) => {
      if (await branchesRepository.join(tx, branchId, userId)) {
        await this.deps.domainEvents.run('gym-floor.membership-changing', {
          tx,
          userId,
          branchId,
          joined: true,
        });
      }
    });
    return this.memberships(userId);
  }

  /**
   * Ends the membership. A gym session the member has at this branch is completed and their
   * machine released in the same transaction, so no visit or link outlives the membership.
   */
  async leave(actor: Actor, branchId: string): Promise<MembershipView[]> {
    const ended = await this.deps.db.transaction(async (tx) => {
      if (!(await branchesRepository.leave(tx, branchId, actor.userId))) {
        throw notFound('Membership');
      }
      await this.deps.domainEvents.run('gym-floor.membership-changing', {
        tx,
        userId: actor.userId,
        branchId,
        joined: false,
      });
      return endActiveGymSession(tx, actor.userId, 'left-branch', branchId);
    });
    if (ended) this.deps.events.released(ended.released);
    await this.stopWatchingUnlessAllowed(actor, branchId);
    return this.memberships(actor.userId);
  }

  /** `branches[]` of the user, as GET /users/me shows it. */
  async memberships(userId: string): Promise<MembershipView[]> {
    const rows = await branchesRepository.membershipsOfUser(this.deps.db, userId);
    return rows.map(({ joinedAt, ...branch }) => ({ ...branch, joinedAt: joinedAt.toISOString() }));
  }

  /** `branches[]` of several users at once (user lists). */
  async membershipsOfMany(userIds: string[]): Promise<Map<string, MembershipView[]>> {
    const byUser = new Map<string, MembershipView[]>();
    for (const { userId, joinedAt, ...branch } of await branchesRepository.membershipsOf(
      this.deps.db,
      userIds,
    )) {
      const list = byUser.get(userId) ?? [];
      list.push({ ...branch, joinedAt: joinedAt.toISOString() });
      byUser.set(userId, list);
    }
    return byUser;
  }

  isMember(branchId: string, userId: string): Promise<boolean> {
    return branchesRepository.isMember(this.deps.db, branchId, userId);
  }

  /** Makes a staff user staff of the branch; other roles are refused. */
  async assignStaff(branchId: string, userId: string) {
    await this.require(branchId);
    const user = await this.deps.accounts.findById(this.deps.db, userId);
    if (!user?.isActive) throw notFound('User');
    if (user.role !== 'staff') {
      throw conflict(
        'Only users with the staff role can staff a branch; change the role first.',
        'NOT_STAFF_ROLE',
      );
    }
    await branchesRepository.assignStaff(this.deps.db, branchId, userId);
    return this.listStaff(branchId);
  }

  async removeStaff(branchId: string, userId: string): Promise<void> {
    if (!(await branchesRepository.removeStaff(this.deps.db, branchId, userId))) {
      throw notFound('Staff assignment');
    }
    this.deps.events.stoppedStaffing(userId, branchId);
    const user = await this.deps.accounts.findById(this.deps.db, userId);
    if (user) await this.stopWatchingUnlessAllowed({ userId, role: user.role }, branchId);
  }

  /**
   * Inside the role change's transaction (`tx`): a user who is no longer `staff` loses every
   * branch assignment, so a later promotion back to staff starts with none. Assignments are
   * made only for the staff role (`assignStaff`), and this keeps it so.
   */
  async onRoleChanging(tx: Database, userId: string, role: Role): Promise<void> {
    if (role !== 'staff') await branchesRepository.removeAllStaffAssignments(tx, userId);
  }

  async listStaff(branchId: string) {
    await this.require(branchId);
    const rows = await branchesRepository.listStaff(this.deps.db, branchId);
    return rows.map((row) => ({ ...row, assignedAt: row.assignedAt.toISOString() }));
  }

  /** Whether the actor may manage the branch's floor: admins anywhere, staff where they work. */
  async canManage(actor: Actor, branchId: string): Promise<boolean> {
    if (actor.role === 'admin') return true;
    if (actor.role !== 'staff') return false;
    return branchesRepository.isStaff(this.deps.db, branchId, actor.userId);
  }

  /** Throws 403 unless the actor may manage the branch. */
  async assertCanManage(actor: Actor, branchId: string): Promise<void> {
    if (!(await this.canManage(actor, branchId))) {
      throw forbidden('Only admins and the staff of this branch can do this.');
    }
  }

  /** Whether the actor may watch the branch's floor live: its members, its staff, admins. */
  async canWatch(actor: Actor, branchId: string): Promise<boolean> {
    return (await this.watchAccess(actor, branchId)) !== undefined;
  }

  /** How the actor may watch the branch: as staff (who see who holds what), as a member, or not. */
  async watchAccess(actor: Actor, branchId: string): Promise<'staff' | 'member' | undefined> {
    if (await this.canManage(actor, branchId)) return 'staff';
    if (await branchesRepository.isMember(this.deps.db, branchId, actor.userId)) return 'member';
    return undefined;
  }

  /** Ends live subscriptions to the branch of someone who may no longer watch it. */
  private async stopWatchingUnlessAllowed(actor: Actor, branchId: string): Promise<void> {
    if (!(await this.canWatch(actor, branchId))) {
      this.deps.events.stoppedWatching(actor.userId, branchId);
    }
  }

  async require(id: string): Promise<BranchRow> {
    const row = await branchesRepository.findById(this.deps.db, id);
    if (!row) throw notFound('Branch');
    return row;
  }
}
