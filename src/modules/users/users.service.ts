import { uniqueViolation } from '../../db/constraint-violations.js';
import type { Database } from '../../db/database.js';
import { conflict, notFound } from '../../lib/errors.js';
import { mapPage, type PageRequest } from '../../db/keyset-page.js';
import { usersRepository } from './users.repository.js';
import { presentAdminUser, presentBodyComposition, presentUser } from './users.presenter.js';
import type {
  BranchMembership,
  CreateBodyCompositionBody,
  UpdateMeBody,
  UserProfile,
  UserView,
} from './users.schemas.js';
import type { Role } from '../../lib/roles.js';
import type { UserRow } from './users.table.js';

/** A login session as listed in the user's export. */
export interface SessionSummary {
  id: string;
  userAgent: string | null;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface UsersServiceDeps {
  db: Database;
  /** Supplied by the auth module, which owns login sessions. */
  listSessions(userId: string): Promise<SessionSummary[]>;
  /** Supplied by the gym floor, which owns branches: each user's `branches[]`. */
  branchesOf(userIds: string[]): Promise<Map<string, BranchMembership[]>>;
  /** More of the user's data for the export, from the features that keep it. */
  exportSections(userId: string): Promise<Record<string, unknown>>;
  /**
   * Supplied by the auth module: checks the user's password for a sensitive action (403
   * `WRONG_PASSWORD`, counted by the login throttle; 429 once locked).
   */
  confirmPassword(userId: string, password: string, field: string): Promise<void>;
  /** Lets other features let go of the user first (a machine they hold). */
  beforeDelete(userId: string): Promise<void>;
  /**
   * Runs inside the role change's transaction, with the new role, so what depended on the old
   * role goes with it or not at all (the gym floor drops the branch assignments of a user who
   * is no longer staff).
   */
  onRoleChanging(tx: Database, userId: string, role: Role): Promise<void>;
  /**
   * Hears a deleted account or a changed role, so the user's live connections, which were
   * admitted under the old state, are closed (clients reconnect and are judged afresh).
   */
  onAccessChanged(userId: string): void;
}

function mergeProfile(
  current: UserProfile,
  patch: NonNullable<UpdateMeBody['profile']>,
): UserProfile {
  return {
    name: patch.name ?? current.name,
    demographics: { ...current.demographics, ...patch.demographics },
    fitnessProfile: { ...current.fitnessProfile, ...patch.fitnessProfile },
    dietPreferences: { ...current.dietPreferences, ...patch.dietPreferences },
  };
}

/** Profile, body composition, export and user administration. */
export class UsersService {
  constructor(private readonly deps: UsersServiceDeps) {}

  /** The user as the API shows it, memberships included. */
  async present(row: UserRow): Promise<UserView> {
    const branches = await this.deps.branchesOf([row.id]);
    return presentUser(row, branches.get(row.id) ?? []);
  }

  private async requireUser(id: string): Promise<UserRow> {
    const row = await usersRepository.findById(this.deps.db, id);
    if (!row) throw notFound('User');
    return row;
  }

  async updateMe(userId: string, changes: UpdateMeBody): Promise<UserView> {
    const row = await this.deps.db
      .transaction(async (tx) => {
        const current = await usersRepository.findByIdForUpdate(tx, userId);
        if (!current) throw notFound('User');
        return usersRepository.update(tx, userId, {
          username: changes.username,
          profile: changes.profile ? mergeProfile(current.profile, changes.profile) : undefined,
        });
      })
      .catch((error: unknown) => {
        // The only unique value PATCH /me can change is the username.
        if (uniqueViolation(error) !== undefined) {
          throw conflict('That username is already taken.', 'USERNAME_TAKEN');
        }
        throw error;
      });
    if (!row) throw notFound('User');
    return this.present(row);
  }

  /** Deletes the account once its password confirms it; everything goes with it (FK cascade). */
  async deleteMe(userId: string, password: string): Promise<void> {
    await this.deps.confirmPassword(userId, password, 'body.password');
    await this.deps.beforeDelete(userId);
    if (!(await usersRepository.delete(this.deps.db, userId))) throw notFound('User');
    this.deps.onAccessChanged(userId);
  }

  async exportMe(userId: string) {
    const user = await this.requireUser(userId);
    const [presented, entries, sessions, sections] = await Promise.all([
      this.present(user),
      usersRepository.allBodyComposition(this.deps.db, userId),
      this.deps.listSessions(userId),
      this.deps.exportSections(userId),
    ]);
    return {
      exportedAt: new Date().toISOString(),
      user: presented,
      bodyComposition: entries.map(presentBodyComposition),
      sessions,
      ...sections,
    };
  }

  /** Records an entry and, in the same transaction, refreshes the user's latest snapshot. */
  async addBodyComposition(userId: string, body: CreateBodyCompositionBody) {
    const entry = await this.deps.db.transaction(async (tx) => {
      if (!(await usersRepository.findByIdForUpdate(tx, userId))) throw notFound('User');
      const inserted = await usersRepository.insertBodyComposition(tx, {
        ...body,
        userId,
        source: 'manual',
      });
      const latest = await usersRepository.latestBodyComposition(tx, userId);
      await usersRepository.setBodyCompositionSnapshot(
        tx,
        userId,
        latest ? presentBodyComposition(latest) : null,
      );
      return inserted;
    });
    return presentBodyComposition(entry);
  }

  async listBodyComposition(userId: string, page: PageRequest) {
    const entries = await usersRepository.listBodyComposition(this.deps.db, userId, page);
    return mapPage(entries, presentBodyComposition);
  }

  async listUsers(query: PageRequest & { q?: string; role?: Role }) {
    const page = await usersRepository.list(this.deps.db, query);
    const branches = await this.deps.branchesOf(page.items.map((row) => row.id));
    return mapPage(page, (row) => presentAdminUser(row, branches.get(row.id) ?? []));
  }

  /**
   * Changes a role; the last admin cannot be demoted, so the system is never left without one.
   * A user who stops being staff loses their branch assignments in the same transaction.
   */
  async changeRole(targetId: string, role: Role) {
    const row = await this.deps.db.transaction(async (tx) => {
      // Admins first, then the target, always in that order: two admins demoting each other at
      // once queue up instead of deadlocking, and the second sees the first's result.
      await usersRepository.lockAdmins(tx);
      const target = await usersRepository.findByIdForUpdate(tx, targetId);
      if (!target) throw notFound('User');
      if (target.role === 'admin' && role !== 'admin') {
        if ((await usersRepository.countByRole(tx, 'admin')) <= 1) {
          throw conflict(
            'The last admin cannot be demoted; promote another admin first.',
            'LAST_ADMIN',
          );
        }
      }
      await this.deps.onRoleChanging(tx, targetId, role);
      return usersRepository.update(tx, targetId, { role });
    });
    if (!row) throw notFound('User');
    this.deps.onAccessChanged(row.id);
    const branches = await this.deps.branchesOf([row.id]);
    return presentAdminUser(row, branches.get(row.id) ?? []);
  }
}
