// The users feature as other modules see it.
export { usersRepository } from './users.repository.js';
export {
  emptyProfile,
  userSchema,
  usernameSchema,
  type BranchMembership,
  type UserView,
} from './users.schemas.js';
export { UsersService, type SessionSummary } from './users.service.js';
export { usersRoutes } from './users.routes.js';
export type { UserRow } from './users.table.js';
