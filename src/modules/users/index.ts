// The users feature as other modules see it.
export { usersRepository, type UsersRepository } from './users.repository.js';
export type { BodyCompositionSource } from './body-composition.table.js';
export {
  createBodyCompositionBody,
  emptyProfile,
  userSchema,
  usernameSchema,
  type BodyCompositionEntry,
  type BranchMembership,
  type UserAvatar,
  type CreateBodyCompositionBody,
  type UserView,
} from './users.schemas.js';
export {
  UserPresenter,
  UsersService,
  type ActingUser,
  type ActionProof,
  type EmailChangeRequests,
  type MembershipDirectory,
  type SensitiveActionConfirmation,
  type SessionSummary,
  type UserDataExporter,
} from './users.service.js';
export { usersRoutes } from './users.routes.js';
export type { UserRow } from './users.table.js';
