import { uniqueViolation } from '../../db/constraint-violations.js';
import type { Database } from '../../db/database.js';
import { conflict, notFound } from '../../lib/errors.js';
import type { DomainEvents } from '../../lib/events/domain-events.js';
import { mapPage, type PageRequest } from '../../db/keyset-page.js';
import { usersRepository } from './users.repository.js';
import { presentAdminUser, presentBodyComposition, presentUser } from './users.presenter.js';
import type { BodyCompositionSource } from './body-composition.table.js';
import type {
  BodyCompositionEntry,
  BranchMembership,
  CreateBodyCompositionBody,
  UpdateMeBody,
  UserAvatar,
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

declare module '../../lib/events/domain-events.js' {
  interface DomainEventMap {
    /**
     * Inside the role change's transaction, with the new role: what depended on the old role
     * goes with it or not at all (the gym floor drops a former staff member's branches).
     */
    'users.role-changing': { tx: Database; userId: string; role: Role };
    /** Before the account is deleted: other features let go of the user (a machine held). */
    'users.deleting': { userId: string };
    /** After the account's rows are gone: what lives outside the database goes too (files). */
    'users.deleted': { userId: string };
    /**
     * A deleted account or a changed role: the user's live connections, admitted under the
     * old state, are closed (clients reconnect and are judged afresh).
     */
    'users.access-changed': { userId: string };
    /**
     * Inside the profile change's transaction, with the profile's new home zone (UTC when it
     * was removed): what keeps local times in that zone follows it (reminders).
     */
    'users.timezone-changing': { tx: Database; userId: string; timeZone: string };
    /**
     * Inside the transaction that changed the username (the new one is written): what keeps a
     * copy of it follows it (leaderboard order).
     */
    'users.renamed': { tx: Database; userId: string };
  }
}

/** Each user's `branches[]`; the gym floor, which owns branches, provides it. */
export interface MembershipDirectory {
  membershipsOfMany(userIds: string[]): Promise<Map<string, BranchMembership[]>>;
}

/** The caller of a sensitive action: the account and its session (refresh family). */
export interface ActingUser {
  userId: string;
  familyId: string;
}

/** How the caller proves their factors, with the request fields named for errors. */
export interface ActionProof {
  password?: { value: string; field: string };
  code?: { value: string; field: string };
}

/**
 * The gate of sensitive actions; the auth module provides it. Passes when the proof (password,
 * plus a code under two-factor sign-in) is right, or the session re-authenticated recently;
 * otherwise 403 (`WRONG_PASSWORD`, `WRONG_CODE`, `REAUTHENTICATION_REQUIRED`) or 429.
 */
export interface SensitiveActionConfirmation {
  confirmSensitiveAction(session: ActingUser, proof?: ActionProof): Promise<void>;
}

/** Changes of address that wait for the new address's verification; auth provides it. */
export interface EmailChangeRequests {
  requestChange(userId: string, newEmail: string): Promise<UserRow>;
}

/** One feature's share of a user's data export, under its own key. */
export interface UserDataExporter {
  exportOf(userId: string): Promise<unknown>;
}

export interface UsersServiceDeps {
  db: Database;
  events: DomainEvents;
  memberships: MembershipDirectory;
  confirmations: SensitiveActionConfirmation;
  emailChanges: EmailChangeRequests;
  /** The other features' data in the export, by the key each appears under. */
  exporters: Record<string, UserDataExporter>;
}

/** The proof in a body that carries `password` (under `field`) and optionally `code`. */
function proofOf(input: { code?: string } & Record<string, unknown>, field: string): ActionProof {
  const password = input[field];
  return {
    password:
      typeof password === 'string' ? { value: password, field: `body.${field}` } : undefined,
    code: input.code === undefined ? undefined : { value: input.code, field: 'body.code' },
  };
}

/** Shows a user as the API does, with their memberships (also in auth's sign-in answers). */
export class UserPresenter {
  constructor(private readonly memberships: MembershipDirectory) {}

  async present(row: UserRow): Promise<UserView> {
    const branches = await this.memberships.membershipsOfMany([row.id]);
    return presentUser(row, branches.get(row.id) ?? []);
  }
}

/** The caller as the auth guard read them: account and memberships, current as of this request. */
export function presentCaller(caller: {
  account: UserRow;
  branches: readonly BranchMembership[];
}): UserView {
  return presentUser(caller.account, [...caller.branches]);
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
    // Profiles stored before time zones existed have none.
    timezone: patch.timezone === undefined ? (current.timezone ?? null) : patch.timezone,
  };
}

/** Profile, body composition, export and user administration. */
export class UsersService {
  private readonly presenter: UserPresenter;

  constructor(private readonly deps: UsersServiceDeps) {
    this.presenter = new UserPresenter(deps.memberships);
  }

  /** The user as the API shows it, memberships included. */
  present(row: UserRow): Promise<UserView> {
    return this.presenter.present(row);
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
        const profile = changes.profile
          ? mergeProfile(current.profile, changes.profile)
          : undefined;
        const updated = await usersRepository.update(tx, userId, {
          username: changes.username,
          profile,
        });
        if (changes.username !== undefined && changes.username !== current.username) {
          await this.deps.events.run('users.renamed', { tx, userId });
        }
        if (profile && profile.timezone !== (current.profile.timezone ?? null)) {
          await this.deps.events.run('users.timezone-changing', {
            tx,
            userId,
            timeZone: profile.timezone ?? 'UTC',
          });
        }
        return updated;
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

  /** Deletes the account once its factors confirm it; everything goes with it (FK cascade). */
  async deleteMe(session: ActingUser, input: { password: string; code?: string }): Promise<void> {
    const { userId } = session;
    await this.deps.confirmations.confirmSensitiveAction(session, proofOf(input, 'password'));
    await this.deps.events.run('users.deleting', { userId });
    if (!(await usersRepository.delete(this.deps.db, userId))) throw notFound('User');
    await this.deps.events.publish('users.access-changed', { userId });
    await this.deps.events.publish('users.deleted', { userId });
  }

  /** Points the profile at a new picture, inside the caller's transaction (the files feature). */
  async setAvatar(tx: Database, userId: string, avatar: UserAvatar): Promise<void> {
    if (!(await usersRepository.update(tx, userId, { avatar }))) throw notFound('User');
  }

  /**
   * Asks to change the address (a sensitive action). The new address gets a link and takes
   * over only once it is followed; the old address is told.
   */
  async requestEmailChange(
    session: ActingUser,
    input: { email: string; password: string; code?: string },
  ): Promise<UserView> {
    await this.deps.confirmations.confirmSensitiveAction(session, proofOf(input, 'password'));
    return this.present(await this.deps.emailChanges.requestChange(session.userId, input.email));
  }

  async exportMe(userId: string) {
    const user = await this.requireUser(userId);
    const [presented, entries, sections] = await Promise.all([
      this.present(user),
      usersRepository.allBodyComposition(this.deps.db, userId),
      Promise.all(
        Object.entries(this.deps.exporters).map(
          async ([key, exporter]) => [key, await exporter.exportOf(userId)] as const,
        ),
      ),
    ]);
    return {
      exportedAt: new Date().toISOString(),
      user: presented,
      bodyComposition: entries.map(presentBodyComposition),
      ...Object.fromEntries(sections),
    };
  }

  /** Records an entry and, in the same transaction, refreshes the user's latest snapshot. */
  async addBodyComposition(userId: string, body: CreateBodyCompositionBody) {
    return this.deps.db.transaction((tx) => this.recordBodyComposition(tx, userId, body, 'manual'));
  }

  /**
   * Records an entry inside the caller's transaction (a scan upload adds its InBody entry with
   * the scan row) and refreshes the user's latest snapshot there too.
   */
  async recordBodyComposition(
    tx: Database,
    userId: string,
    body: CreateBodyCompositionBody,
    source: BodyCompositionSource,
  ): Promise<BodyCompositionEntry> {
    if (!(await usersRepository.findByIdForUpdate(tx, userId))) throw notFound('User');
    const inserted = await usersRepository.insertBodyComposition(tx, { ...body, userId, source });
    const latest = await usersRepository.latestBodyComposition(tx, userId);
    await usersRepository.setBodyCompositionSnapshot(
      tx,
      userId,
      latest ? presentBodyComposition(latest) : null,
    );
    return presentBodyComposition(inserted);
  }

  async listBodyComposition(userId: string, page: PageRequest) {
    const entries = await usersRepository.listBodyComposition(this.deps.db, userId, page);
    return mapPage(entries, presentBodyComposition);
  }

  async listUsers(query: PageRequest & { q?: string; role?: Role }) {
    const page = await usersRepository.list(this.deps.db, query);
    const branches = await this.deps.memberships.membershipsOfMany(page.items.map((row) => row.id));
    return mapPage(page, (row) => presentAdminUser(row, branches.get(row.id) ?? []));
  }

  /**
   * Changes a role; the last admin cannot be demoted, so the system is never left without one.
   * A user who stops being staff loses their branch assignments in the same transaction.
   */
  async changeRole(actor: ActingUser, targetId: string, role: Role) {
    // Role changes reach every machine and member: the admin's session must be recently proved.
    await this.deps.confirmations.confirmSensitiveAction(actor);
    const row = await this.applyRole(targetId, role);
    const branches = await this.deps.memberships.membershipsOfMany([row.id]);
    return presentAdminUser(row, branches.get(row.id) ?? []);
  }

  /**
   * The operator's way in (`npm run admin -- promote`): whoever has the server's configuration
   * makes an account admin, with every effect of a role change made over the API.
   */
  async promoteToAdmin(login: string): Promise<UserRow> {
    const account = await usersRepository.findByLogin(this.deps.db, login);
    if (!account) throw notFound('User');
    return this.applyRole(account.id, 'admin');
  }

  private async applyRole(targetId: string, role: Role): Promise<UserRow> {
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
      await this.deps.events.run('users.role-changing', { tx, userId: targetId, role });
      return usersRepository.update(tx, targetId, { role });
    });
    if (!row) throw notFound('User');
    await this.deps.events.publish('users.access-changed', { userId: row.id });
    return row;
  }
}
