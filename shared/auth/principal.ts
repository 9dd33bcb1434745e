/** Who is calling: a verified user of one authority, with the roles their groups give them. */
import { z } from 'zod';
import { AuthorityId } from '#domain/records';

/** The three kinds of user, as Cognito groups. */
export const ROLES = ['qa-lead', 'iro', 'senior-manager'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Principal = z.object({
  /**
   * The user's id in the product. For an IRO it is their WORKER_ID (the Cognito username), which is
   * how the product knows which children they are the IRO for and which records are theirs to grade.
   */
  userId: z.string().min(1).max(128),
  roles: z.array(Role).min(1),
  /** Every query the user makes is scoped to this authority. */
  authorityId: AuthorityId,
});
export type Principal = z.infer<typeof Principal>;

export const hasRole = (principal: Principal, ...roles: readonly Role[]) => principal.roles.some((r) => roles.includes(r));
