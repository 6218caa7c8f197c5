import type { Role } from '../ports';

const RANK: Record<Role, number> = { guest: 0, member: 1, staff: 2, admin: 3 };

/** All roles, least trusted first. */
export const ROLES: readonly Role[] = ['guest', 'member', 'staff', 'admin'];

/** True when `role` is at least `required` (admin > staff > member > guest). */
export function hasRole(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

/** The more trusted of two roles. */
export function maxRole(a: Role, b: Role): Role {
  return RANK[a] >= RANK[b] ? a : b;
}
