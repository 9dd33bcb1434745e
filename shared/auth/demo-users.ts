/** The demo users a local sign-in and development tokens are for when no user is named: one of each role (an IRO's id is their WORKER_ID). */
import type { Role } from './principal.ts';

export const DEFAULT_USERS: Record<Role, string> = {
  'qa-lead': 'qa-lead-1',
  iro: 'IRO01',
  'senior-manager': 'senior-manager-1',
};
