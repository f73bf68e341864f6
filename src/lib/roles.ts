/**
 * Who a caller is to the API. Shared vocabulary: routes, sockets and tokens check it, the users
 * module stores it.
 */
export const roles = ['member', 'staff', 'admin'] as const;
export type Role = (typeof roles)[number];
