/** The demo users development tokens are for when no --user is given: one of each role (an IRO's id is their WORKER_ID). */
import type { Role } from '#auth/principal';

export const DEFAULT_USERS: Record<Role, string> = { 'qa-lead': 'qa-lead-1', iro: 'IRO01', 'senior-manager': 'senior-manager-1' };
