/**
 * An audit as stored: what was asked (the exact template it runs with, the period, the sampling,
 * the seed), where it has got to, and why it failed if it did. Versioned like everything a person edits.
 */
import * as z from 'zod';
import { IsoDate } from '#domain/dates';
import { Lease } from '#jobs/lease';
import { TimescaleSet } from '#domain/timescales';
import { SamplingPlanSchema } from '#engine/sampling';
import { AuditTemplate } from '#engine/template';

/** draft → grading → moderation → closed → published; `failed` when a run could not finish (it may be resumed). */
export const AUDIT_STATUSES = ['draft', 'grading', 'moderation', 'closed', 'published', 'failed'] as const;
export const AuditStatus = z.enum(AUDIT_STATUSES);
export type AuditStatus = z.infer<typeof AuditStatus>;

export const AuditRecord = z.object({
  auditId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/),
  authorityId: z.string(),
  title: z.string().min(1).max(200),
  /** The template exactly as it was when the audit was launched: later versions never change it. */
  template: AuditTemplate,
  period: z.object({ from: IsoDate, to: IsoDate }),
  sampling: SamplingPlanSchema,
  /** Stored so the same sample can be drawn again and checked. */
  seed: z.number().int().min(0),
  autoOnly: z.boolean(),
  /** Leave out children audited (with any template) in this many months before launch. */
  excludeAuditedWithinMonths: z.number().int().min(1).max(60).nullable(),
  /**
   * The authority's timescale set when the audit was launched: the audit is judged, and its text
   * worded, by this set to the end, whatever the authority chooses later. Absent on audits launched
   * before it was recorded (they use the authority's current set).
   */
  timescales: TimescaleSet.optional(),
  /** Scan segments the population is gathered over (fixed at launch, so a resumed run splits the same way). */
  segments: z.number().int().min(1).max(64),
  status: AuditStatus,
  createdAt: z.string(),
  createdBy: z.string(),
  population: z.number().int().nullable(),
  sampleSize: z.number().int().nullable(),
  marginOfError: z.number().nullable(),
  failure: z.object({ reason: z.string(), at: z.string() }).nullable(),
  closedAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  /** The published manifest's key: the findings' entry point. */
  manifestKey: z.string().nullable(),
  /**
   * The lease of the run working on the audit (drafts being gathered and sampled, closed audits being
   * published); null or absent while the audit rests (grading, moderation, published, failed).
   */
  lease: Lease.nullable().optional(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

/** The sample, drawn once and kept (in the bucket: it can be large): later runs and resumptions use it as it is. */
export const StoredSample = z.object({
  /** The sampled units (sorted); not listed for a census, whose sample is every unit not `excluded`. */
  unitIds: z.array(z.string()),
  /** Sampling "all": every unit of the population but those excluded is sampled (absent: `unitIds` lists the sample). */
  census: z.literal(true).optional(),
  /** How many units were sampled (absent in samples kept before it was recorded: then `unitIds.length`). */
  sampleSize: z.number().int().optional(),
  /** The population the sample was drawn from (absent in samples kept before it was recorded). */
  population: z.number().int().optional(),
  childIds: z.array(z.string()),
  excluded: z.array(z.object({ unitId: z.string(), reason: z.string() })),
  marginOfError: z.number().nullable(),
  drawnAt: z.string(),
});
export type StoredSample = z.infer<typeof StoredSample>;

/** Where the drawn sample was written; its presence means the sample is fixed. */
export const SampleCheckpoint = z.object({ workKey: z.string(), sampleSize: z.number().int(), drawnAt: z.string() });
export type SampleCheckpoint = z.infer<typeof SampleCheckpoint>;

/** A finished scan segment: where the list of its runs (SegmentRuns) was written. */
export const SegmentCheckpoint = z.object({
  segment: z.number().int(),
  childrenScanned: z.number().int(),
  units: z.number().int(),
  workKey: z.string(),
  completedAt: z.string(),
});
export type SegmentCheckpoint = z.infer<typeof SegmentCheckpoint>;

/** What a segment wrote: its runs of population units (or sibling standings) in the bucket, each sorted by unit id. */
export const SegmentRuns = z.object({
  childrenScanned: z.number().int(),
  items: z.number().int(),
  runs: z.array(z.object({ key: z.string(), bytes: z.number().int(), items: z.number().int() })),
});
export type SegmentRuns = z.infer<typeof SegmentRuns>;

/** One sampled record as an IRO grades it: assigned to an IRO who is not the child's own, graded per manual criterion. */
export const GradingRecord = z.object({
  recordId: z.string(),
  /** The engine's unit id (internal: it holds the child id, so it is never published). */
  unitId: z.string(),
  childIds: z.array(z.string()),
  service: z.string().nullable(),
  team: z.string().nullable(),
  /** The child's own IRO(s) in the period: they may not grade this record. */
  ownIroIds: z.array(z.string()),
  assignedTo: z.string().nullable(),
  /** Why no IRO could be assigned, when none was. */
  unassignedReason: z.string().nullable(),
  grades: z.record(z.string(), z.string()),
  overall: z.string().nullable(),
  comment: z.string().nullable(),
});
export type GradingRecord = z.infer<typeof GradingRecord>;

/**
 * A graded record chosen for moderation: a second IRO (never the auditor, never the child's own IRO)
 * grades it blind, then the QA lead records the agreed grade and why.
 */
export const ModerationRecord = z.object({
  recordId: z.string(),
  /** Who graded it first (the auditor's grades stay on the grading record). */
  auditor: z.string(),
  moderator: z.string(),
  grades: z.record(z.string(), z.string()),
  overall: z.string().nullable(),
  comment: z.string().nullable(),
  /** The QA lead's settled grades per criterion, with the reason; they stand in the findings. */
  agreed: z
    .object({ grades: z.record(z.string(), z.string()), reason: z.string(), by: z.string(), at: z.string() })
    .nullable(),
});
export type ModerationRecord = z.infer<typeof ModerationRecord>;

/** Document parts of an audit in the store. */
export const AUDIT_PARTS = {
  meta: 'meta',
  sample: 'sample',
  segment: (k: number) => `segment#${String(k).padStart(2, '0')}`,
  record: (recordId: string) => `record#${recordId}`,
  moderation: (recordId: string) => `moderation#${recordId}`,
  actionPlan: 'action-plan',
} as const;
