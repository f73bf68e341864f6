import type { Database } from '../../db/database.js';
import type { GymSessionRow, MachineLinkEndReason } from './gym-floor.table.js';
import { gymSessionsRepository } from './gym-sessions.repository.js';
import { machinesRepository, type ReleasedMachine } from './machines.repository.js';

/**
 * Completes the member's active session (only the one at `atBranchId`, when given) and releases
 * the machine they hold, its link ending for `reason`, inside the caller's transaction. The session row is updated first: a
 * link in progress holds that row's lock, so this waits for it to commit and then releases the
 * machine it took; a link that comes later finds no active session.
 */
export async function endActiveGymSession(
  tx: Database,
  userId: string,
  reason: Extract<MachineLinkEndReason, 'checked-out' | 'left-branch'>,
  atBranchId?: string,
): Promise<{ gymSession: GymSessionRow; released: ReleasedMachine[] } | undefined> {
  const gymSession = await gymSessionsRepository.complete(tx, userId, atBranchId);
  if (!gymSession) return undefined;
  return { gymSession, released: await machinesRepository.releaseHeldBy(tx, [userId], reason) };
}
