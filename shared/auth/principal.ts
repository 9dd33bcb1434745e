/** Who is calling: a verified user of one authority, with the roles their groups give them. */
import * as z from 'zod';
import { AuthorityId, WorkerId } from '#domain/records';

/** The three kinds of user, as Cognito groups. */
export const ROLES = ['qa-lead', 'iro', 'senior-manager'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Principal = z.object({
  /**
   * The person's id (the token's `cognito:username`: on AWS a UUID, as sign-in is by email). It names
   * them in the audit trail; it is never taken for a worker id.
   */
  userId: z.string().min(1).max(128),
  /**
   * Their WORKER_ID in the authority's records (`custom:worker_id`, set by an administrator; no user
   * can change it). It is how the product knows which children a person is or was the IRO for and
   * which records are theirs to grade; absent for people who never act as an IRO.
   */
  workerId: WorkerId.optional(),
  roles: z.array(Role).min(1),
  /** Every query the user makes is scoped to this authority. */
  authorityId: AuthorityId,
});
export type Principal = z.infer<typeof Principal>;

export const hasRole = (principal: Principal, ...roles: readonly Role[]) =>
  principal.roles.some((r) => roles.includes(r));
