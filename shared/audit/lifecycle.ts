/**
 * The audit lifecycle: draft → grading → moderation → closed → published. An automatic-only audit
 * goes from draft straight to closed; a run that cannot finish is failed, and may be resumed or
 * tried again (failed → draft for a run, failed → closed for a publication).
 */
import { AppError } from '#errors';
import type { AuditStatus } from './audit-record.ts';

const NEXT: Record<AuditStatus, readonly AuditStatus[]> = {
  draft: ['grading', 'closed', 'failed'],
  // failed → draft: a QA lead tries a failed run again (the trail keeps why it failed).
  failed: ['draft', 'grading', 'closed', 'failed'],
  grading: ['moderation', 'closed'],
  moderation: ['closed'],
  closed: ['published', 'failed'],
  published: [],
};

const WHY: Partial<Record<AuditStatus, string>> = {
  published: 'published findings are final',
  closed: 'it has been closed and is being published',
};

/** A move the lifecycle does not allow (a conflict); the message says why, the problem carries from and to. */
export class LifecycleError extends AppError {
  constructor(
    readonly from: AuditStatus,
    readonly to: AuditStatus,
  ) {
    const allowed = NEXT[from];
    super(
      'conflict',
      `the audit is ${from} and cannot become ${to}: ${WHY[from] ?? (allowed.length ? `from ${from} it can only become ${allowed.join(' or ')}` : 'it cannot change any more')}`,
      // The name stays: the state machine refuses to retry a LifecycleError by name.
      { name: 'LifecycleError', code: 'lifecycle', extra: { from, to } },
    );
  }
}

/** True when the lifecycle allows `from` → `to`. */
export function canMove(from: AuditStatus, to: AuditStatus): boolean {
  return NEXT[from].includes(to);
}

/** Throws LifecycleError unless `from` → `to` is allowed. */
export function assertMove(from: AuditStatus, to: AuditStatus): void {
  if (!canMove(from, to)) throw new LifecycleError(from, to);
}
