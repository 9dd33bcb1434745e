import { describe, expect, it } from 'vitest';
import { AUDIT_STATUSES } from '#audit/audit-record';
import { assertMove, canMove, LifecycleError } from '#audit/lifecycle';

describe('the audit lifecycle', () => {
  it('goes draft → grading → moderation → closed → published', () => {
    for (const [from, to] of [
      ['draft', 'grading'],
      ['grading', 'moderation'],
      ['moderation', 'closed'],
      ['closed', 'published'],
    ] as const) {
      expect(canMove(from, to), `${from} → ${to}`).toBe(true);
    }
  });
  it('lets an automatic-only audit close straight from draft, and a graded one close without moderation', () => {
    expect(canMove('draft', 'closed')).toBe(true);
    expect(canMove('grading', 'closed')).toBe(true);
  });
  it('lets a failed run be resumed', () => {
    expect(canMove('failed', 'grading')).toBe(true);
    expect(canMove('failed', 'closed')).toBe(true);
  });
  it('never moves a published audit, and says why', () => {
    for (const to of AUDIT_STATUSES) expect(canMove('published', to)).toBe(false);
    expect(() => assertMove('published', 'grading')).toThrow(
      'the audit is published and cannot become grading: published findings are final',
    );
  });
  it('refuses going backwards, naming the moves allowed', () => {
    expect(() => assertMove('moderation', 'grading')).toThrow(LifecycleError);
    expect(() => assertMove('moderation', 'grading')).toThrow('from moderation it can only become closed');
    expect(canMove('draft', 'published')).toBe(false);
  });
});
