/**
 * The store port: everything the product reads and writes, behind one small interface.
 * The DynamoDB adapter (`dynamo-store.ts`) is the only implementation the product runs — locally
 * against dynalite, on AWS against DynamoDB. Every method takes the authority id, and every key the
 * adapter builds starts with it, so no call can reach another authority's records.
 */
import { AppError } from '#errors';
import type {
  Authority,
  ChildRecords,
  Child,
  DomainRecord,
  Episode,
  HealthEvent,
  Involvement,
  Oc2Outcome,
  Professional,
  Review,
  SiblingGroupMember,
} from '#domain/records';

/** What an upsert did, counted in records. Re-importing the same rows is all `unchanged`. */
export interface UpsertSummary {
  created: number;
  updated: number;
  unchanged: number;
}

/** A child with every record held about them: declared with the records (the engine reads it without the store). */
export type { ChildRecords } from '#domain/records';

/** What one professional is linked to: their allocations and the reviews they chaired. */
export interface ProfessionalRecords {
  professional: Professional | null;
  involvements: Involvement[];
  reviewsChaired: Review[];
}

/** A document a person edits (an audit, a grade, an action plan): it carries a version. */
export interface Versioned<T> {
  version: number;
  updatedAt: string;
  body: T;
}

/** Where a person-edited document lives: inside one audit, under a part name (e.g. `meta`, `record#R12`). */
export interface AuditItemKey {
  auditId: string;
  part: string;
}

/** One write of a transaction (RecordStore.putAuditItems): the document, over the version its writer read. */
export interface AuditItemWrite<T = unknown> {
  key: AuditItemKey;
  body: T;
  /** The stored version this write expects (0: only if nothing is stored). */
  expectedVersion: number;
}

/**
 * A conditional write lost: someone else changed the document first. Carries what is stored now
 * (for the callers that catch it by its code to retry or answer with the current version; a problem
 * that reaches the caller uncaught says only that it clashed).
 */
export class VersionConflictError<T = unknown> extends AppError {
  constructor(
    readonly key: AuditItemKey,
    readonly expectedVersion: number,
    readonly current: Versioned<T> | null,
  ) {
    super(
      'conflict',
      current
        ? `version conflict on ${key.auditId}/${key.part}: expected version ${expectedVersion}, stored version is ${current.version}`
        : `version conflict on ${key.auditId}/${key.part}: expected version ${expectedVersion}, nothing is stored`,
      { name: 'VersionConflictError', code: 'version-conflict' },
    );
  }
}

/** A job item holding a lease, as recovery finds it (see keys.ts, LEASED_JOBS_PARTITION). */
export interface LeasedJobRef {
  kind: 'import' | 'audit';
  authorityId: string;
  /** The import id, or the audit id (the lease is on the audit's `meta` document). */
  id: string;
}

/** How a job's item is written. */
export interface JobWriteOptions {
  /** True while the job holds a lease: the item is then listed for recovery (`leasedJobs`); false or absent takes it off the list. */
  leased?: boolean;
}

/** A template version a QA lead added for the authority: written once, never changed. */
export interface StoredTemplateVersion {
  templateId: string;
  version: number;
  /** The template as it was validated (the schema lives with the audit engine; the store keeps it whole). */
  template: unknown;
  createdBy: string;
  createdAt: string;
}

/** A template version of that id and number is already stored: versions are immutable. */
export class TemplateVersionExistsError extends AppError {
  constructor(
    readonly templateId: string,
    readonly version: number,
  ) {
    super(
      'conflict',
      `template ${templateId} version ${version} is already stored: versions never change, add version ${version + 1}`,
      {
        name: 'TemplateVersionExistsError',
        code: 'template-version-exists',
      },
    );
  }
}

/**
 * A record to upsert. With `heldFields`, the row holds only those fields (an Ofsted Annex A row
 * knows a child's date of birth but not their UPN): the others keep what is stored, or stay null
 * when nothing is, so a partial source never blanks what a fuller one wrote.
 */
export type UpsertEntry = DomainRecord & { heldFields?: readonly string[] };

export interface RecordStore {
  /** Throws unless the table answers. */
  ping(): Promise<void>;

  getAuthority(authorityId: string): Promise<Authority | null>;
  /** Creates or replaces the authority's settings. */
  putAuthority(authority: Authority): Promise<void>;

  /**
   * Upserts by natural key. Unchanged rows are not written (their version stays); changed rows are
   * written conditionally on the version read, so a concurrent change is never silently lost.
   */
  upsertRecords(authorityId: string, records: readonly UpsertEntry[]): Promise<UpsertSummary>;
  /**
   * Whether the authority may hold any imported record (children, episodes, …): false only when
   * nothing has ever been upserted for it. An import into an empty authority can then judge its
   * cross-row rules from its own rows alone, without asking the store child by child.
   */
  holdsRecords(authorityId: string): Promise<boolean>;
  /** The stored record at each entry's natural key (only the key fields of the entry are read), or null where none is stored. */
  getRecords(authorityId: string, entries: readonly DomainRecord[]): Promise<(DomainRecord | null)[]>;

  /** A child with all its records, or null when the authority holds nothing for that child. */
  getChildRecords(authorityId: string, childId: string): Promise<ChildRecords | null>;
  /**
   * Every child of the authority in one of `totalSegments` scan segments, one child (with all their
   * records) at a time: the segments together cover each child exactly once, so an audit fans out
   * over them in parallel (in-process locally, one Lambda per segment on AWS).
   */
  scanChildRecords(authorityId: string, segment: number, totalSegments: number): AsyncIterable<ChildRecords>;
  /** The members of one sibling group (family id). */
  siblingGroup(authorityId: string, familyId: string): Promise<SiblingGroupMember[]>;
  /** Reviews held from `from` to `to` inclusive, in date order, participation and details merged. */
  reviewsBetween(authorityId: string, from: string, to: string): AsyncIterable<Review>;
  /** A professional's allocations and the reviews they chaired. */
  recordsByProfessional(authorityId: string, workerId: string): Promise<ProfessionalRecords>;
  /**
   * Every IRO a child has ever had: allocated as their IRO at any date, or chairing any of their
   * reviews (sorted, distinct). Read strongly consistent from the child's own partition, touching
   * only those items, so independence can be checked on every read and write of a grade.
   */
  irosOfChild(authorityId: string, childId: string): Promise<string[]>;
  /** Every professional of the authority. */
  professionals(authorityId: string): AsyncIterable<Professional>;
  /** How many child records the authority holds. */
  countChildren(authorityId: string): Promise<number>;

  /** Stores a new template version for the authority; throws TemplateVersionExistsError if that version exists. */
  putTemplateVersion(authorityId: string, entry: StoredTemplateVersion): Promise<void>;
  /** Every template version the authority added, by template id then version. */
  templateVersions(authorityId: string): AsyncIterable<StoredTemplateVersion>;

  /** One person-edited document of an audit, or null. */
  getAuditItem<T>(authorityId: string, key: AuditItemKey): Promise<Versioned<T> | null>;
  /**
   * Writes a person-edited document only if the stored version is `expectedVersion`
   * (0: only if nothing is stored). Returns the new version; throws VersionConflictError otherwise.
   */
  putAuditItem<T>(
    authorityId: string,
    key: AuditItemKey,
    body: T,
    expectedVersion: number,
    options?: JobWriteOptions,
  ): Promise<Versioned<T>>;
  /**
   * Writes several documents of one authority in one transaction: all of them or none. Each is
   * written only over its expected version; when any is not, nothing is written and a
   * VersionConflictError names the first that failed. A retry after a lost answer is not applied twice.
   */
  putAuditItems(authorityId: string, writes: readonly AuditItemWrite[]): Promise<Versioned<unknown>[]>;
  /** Every audit of the authority: its `meta` document, in audit id order. */
  listAudits<T>(authorityId: string): AsyncIterable<{ auditId: string } & Versioned<T>>;
  /** Every document of one audit, in part order. */
  auditItems<T>(authorityId: string, auditId: string): AsyncIterable<{ part: string } & Versioned<T>>;

  /** An import job's state, or null. */
  getImportJob<T>(authorityId: string, importId: string): Promise<Versioned<T> | null>;
  /**
   * Writes an import job's state only if the stored version is `expectedVersion` (0: only if none is
   * stored); throws VersionConflictError (key `{ auditId: importId, part: 'import' }`) otherwise.
   * The one writer that wins the pending → running change is the one that runs the import.
   */
  putImportJob<T>(
    authorityId: string,
    importId: string,
    body: T,
    expectedVersion: number,
    options?: JobWriteOptions,
  ): Promise<Versioned<T>>;
  /** Every import job of the authority, in import id order. */
  listImportJobs<T>(authorityId: string): AsyncIterable<{ importId: string } & Versioned<T>>;

  /**
   * Every job holding a lease (written with `leased: true`), across authorities: read by recovery
   * only, which reads each job again through its authority's keys before acting. Eventually
   * consistent (an index): a job just leased or released may be missing or listed still.
   */
  leasedJobs(): AsyncIterable<LeasedJobRef>;
}
