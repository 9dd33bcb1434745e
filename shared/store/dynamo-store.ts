/**
 * The RecordStore on DynamoDB's single table (docs/data-model.md): the only implementation the
 * product runs, on AWS and, unchanged, on dynalite. Items hold a domain record in its own
 * attributes beside the key and meta attributes; everything read back is parsed with the domain
 * schemas, so nothing malformed leaves the store.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import {
  Adoption,
  Authority,
  CareLeaverOutcome,
  CareSummary,
  Child,
  DeprivationOfLiberty,
  Episode,
  HealthEvent,
  Involvement,
  MissingEpisode,
  Oc2Outcome,
  PlacedForAdoption,
  PreviousPermanence,
  Professional,
  ReviewDetails,
  ReviewParticipation,
  SiblingGroupMember,
  SocialWorkerEpisode,
  UascStatus,
  type DomainRecord,
  type RecordKind,
  type Review,
} from '#domain/records';
import { batchGetAll, batchWriteAll, type BatchOptions } from './batch.ts';
import { withRetry, type RetryOptions } from './retry.ts';
import {
  AUDIT_META_PART,
  auditItemKey,
  recordsMarkerKey,
  auditPartition,
  auditsPartition,
  authorityKey,
  authorityPart,
  childPartition,
  childPartitionPrefix,
  childrenPartition,
  CHILD_SK,
  datePart,
  importJobKeys,
  LEASED_JOBS_PARTITION,
  leasedJobSk,
  parseLeasedJobSk,
  type LeasedJobKind,
  importsPartition,
  involvementRolePrefix,
  keysOf,
  professionalPartition,
  professionalsPartition,
  reviewDateRange,
  reviewSk,
  reviewYearPartition,
  siblingGroupPartition,
  templatePartition,
  templatesPartition,
  templateVersionPart,
  type ItemKey,
  type ItemKeys,
} from './keys.ts';
import { TABLE_KEY_SCHEMA } from './table.ts';
import {
  TemplateVersionExistsError,
  VersionConflictError,
  type AuditItemKey,
  type AuditItemWrite,
  type ChildRecords,
  type JobWriteOptions,
  type LeasedJobRef,
  type ProfessionalRecords,
  type RecordStore,
  type StoredTemplateVersion,
  type UpsertEntry,
  type UpsertSummary,
  type Versioned,
} from './record-store.ts';

type Item = Record<string, unknown>;
type RecordOf<K extends RecordKind> = Extract<DomainRecord, { kind: K }>['record'];

/** The schema each kind of record is validated with on the way in and parsed with on the way out. */
const SCHEMAS: { [K in RecordKind]: z.ZodType<RecordOf<K>> } = {
  child: Child,
  episode: Episode,
  reviewParticipation: ReviewParticipation,
  reviewDetails: ReviewDetails,
  professional: Professional,
  involvement: Involvement,
  siblingGroupMember: SiblingGroupMember,
  healthEvent: HealthEvent,
  oc2: Oc2Outcome,
  careLeaverOutcome: CareLeaverOutcome,
  adoption: Adoption,
  placedForAdoption: PlacedForAdoption,
  previousPermanence: PreviousPermanence,
  missingEpisode: MissingEpisode,
  deprivationOfLiberty: DeprivationOfLiberty,
  uascStatus: UascStatus,
  socialWorkerEpisode: SocialWorkerEpisode,
  careSummary: CareSummary,
};

/** Attributes the store adds to a domain record: stripped before a record is parsed back. */
const META_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'kind',
  'version',
  'rowHash',
  'updatedAt',
] as const;

/** Conditional puts in flight at once while an upsert writes changed rows. */
const CHANGED_ROW_CONCURRENCY = 16;
/** Conflicting writers re-read and retry a changed row this many times before the import fails. */
const CHANGED_ROW_ATTEMPTS = 5;

export interface DynamoRecordStoreOptions {
  /** The clock stamped on `updatedAt` (tests fix it). */
  now?: () => Date;
  /** Retry settings for batch reads and writes. */
  batch?: BatchOptions;
  /** Items per query page (DynamoDB's own 1 MB pages when absent); tests make it tiny to cross page boundaries. */
  queryPageSize?: number;
  /** Retry settings for query and scan pages (transient faults). */
  retry?: RetryOptions;
}

/** The keys of a domain record (built in keys.ts; re-exported for the benchmark's bulk loader). */
export { keysOf };

/** JSON with object keys sorted and undefined dropped, so equal records hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash that tells a re-imported row from a changed one. */
export function rowHash(record: unknown): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

interface PreparedRow {
  kind: RecordKind;
  record: unknown;
  keys: ItemKeys;
  id: string;
  rowHash: string;
  /** Set for a partial row: only these fields come from it (see UpsertEntry). */
  heldFields?: readonly string[];
}

type ChangedRowOutcome = 'created' | 'updated' | 'unchanged';

/** The DynamoDB adapter of the store port. */
export class DynamoRecordStore implements RecordStore {
  private readonly now: () => Date;
  private readonly batch: BatchOptions;
  private readonly pageLimit: { Limit?: number };
  private readonly retry: RetryOptions;
  /** Authorities whose records marker this store has written (or found), so it is written once per process. */
  private readonly marked = new Set<string>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoRecordStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.batch = options.batch ?? {};
    this.pageLimit = options.queryPageSize ? { Limit: options.queryPageSize } : {};
    this.retry = options.retry ?? {};
  }

  async ping(): Promise<void> {
    // DescribeTable rather than a read: it needs no key, so it cannot touch any authority's data.
    await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
  }

  async getAuthority(authorityId: string): Promise<Authority | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: authorityKey(authorityId) }),
    );
    return Item ? Authority.parse(stripMeta(Item)) : null;
  }

  async putAuthority(authority: Authority): Promise<void> {
    const settings = Authority.parse(authority);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...settings, ...authorityKey(settings.authorityId), kind: 'authority', updatedAt: this.timestamp() },
      }),
    );
  }

  async upsertRecords(authorityId: string, records: readonly UpsertEntry[]): Promise<UpsertSummary> {
    authorityPart(authorityId);
    const summary: UpsertSummary = { created: 0, updated: 0, unchanged: 0 };
    const prepared = records.map((entry) => this.prepare(authorityId, entry));
    if (prepared.length > 0 && !this.marked.has(authorityId)) {
      // Before the first record, so the marker is never missing while a record exists.
      await withRetry(
        () =>
          this.client.send(
            new PutCommand({
              TableName: this.tableName,
              Item: { ...recordsMarkerKey(authorityId), kind: 'marker', updatedAt: this.timestamp() },
            }),
          ),
        this.retry,
      );
      this.marked.add(authorityId);
    }
    // A key repeated within one call is applied in order, one pass per repetition: a batch may not
    // hold the same key twice, and the counts stay one per record.
    for (const pass of passes(prepared)) {
      const full = pass.filter((row) => !row.heldFields);
      const partial = pass.filter((row) => row.heldFields);
      const stored = [
        ...(await batchGetAll(
          this.client,
          this.tableName,
          full.map((row) => primaryKey(row.keys)),
          {
            ...this.batch,
            attributes: ['pk', 'sk', 'version', 'rowHash'],
            consistentRead: true,
          },
        )),
        // A partial row is merged with what is stored, so its whole item is read.
        ...(await batchGetAll(
          this.client,
          this.tableName,
          partial.map((row) => primaryKey(row.keys)),
          { ...this.batch, consistentRead: true },
        )),
      ];
      const storedById = new Map(stored.map((item) => [itemId(item as unknown as ItemKey), item]));
      const fresh: Item[] = [];
      const changed: { row: PreparedRow; version: number }[] = [];
      for (const original of pass) {
        const current = storedById.get(original.id);
        const row = current && original.heldFields ? mergeHeld(original, current) : original;
        if (!current) fresh.push(this.item(row, 1));
        else if (current.rowHash === row.rowHash) summary.unchanged += 1;
        else changed.push({ row: original, version: Number(current.version ?? 0) });
      }
      // New rows go in batches: an import is mostly new rows, and version 1 has nothing to protect.
      await batchWriteAll(this.client, this.tableName, fresh, this.batch);
      summary.created += fresh.length;
      await inParallel(changed, CHANGED_ROW_CONCURRENCY, async ({ row, version }) => {
        summary[await this.putChangedRow(row, version)] += 1;
      });
    }
    return summary;
  }

  async holdsRecords(authorityId: string): Promise<boolean> {
    if (this.marked.has(authorityId)) return true;
    const { Item } = await withRetry(
      () =>
        this.client.send(
          new GetCommand({ TableName: this.tableName, Key: recordsMarkerKey(authorityId), ConsistentRead: true }),
        ),
      this.retry,
    );
    // Records loaded before the marker existed still show as children.
    return Item !== undefined || (await this.countChildren(authorityId)) > 0;
  }

  async getRecords(authorityId: string, entries: readonly DomainRecord[]): Promise<(DomainRecord | null)[]> {
    authorityPart(authorityId);
    const keys = entries.map((entry) => primaryKey(keysOf(authorityId, entry)));
    const items = await batchGetAll(this.client, this.tableName, keys, { ...this.batch, consistentRead: true });
    const byId = new Map(items.map((item) => [itemId(item as unknown as ItemKey), item]));
    return keys.map((key) => {
      const item = byId.get(itemId(key));
      return item ? toDomainRecord(item) : null;
    });
  }

  async getChildRecords(authorityId: string, childId: string): Promise<ChildRecords | null> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': childPartition(authorityId, childId) },
    });
    return items.length === 0 ? null : assembleChildRecords(items);
  }

  /**
   * Every child of the authority in one scan segment, a child at a time. A partition never spans
   * two segments and its items come back together, so holding one child's items at a time is enough:
   * memory is one page plus one child, whatever the table's size.
   */
  async *scanChildRecords(authorityId: string, segment: number, totalSegments: number): AsyncIterable<ChildRecords> {
    const prefix = childPartitionPrefix(authorityId);
    let current: Item[] = [];
    let start: Item | undefined;
    do {
      const output = await withRetry(
        () =>
          this.client.send(
            new ScanCommand({
              TableName: this.tableName,
              Segment: segment,
              TotalSegments: totalSegments,
              FilterExpression: 'begins_with(pk, :prefix)',
              ExpressionAttributeValues: { ':prefix': prefix },
              ...this.pageLimit,
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          ),
        this.retry,
      );
      for (const item of output.Items ?? []) {
        if (current.length > 0 && current[0]!.pk !== item.pk) {
          yield assembleChildRecords(current);
          current = [];
        }
        current.push(item);
      }
      start = output.LastEvaluatedKey;
    } while (start);
    if (current.length > 0) yield assembleChildRecords(current);
  }

  async siblingGroup(authorityId: string, familyId: string): Promise<SiblingGroupMember[]> {
    const items = await this.queryAll({
      IndexName: TABLE_KEY_SCHEMA.indexes.gsi1.indexName,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': siblingGroupPartition(authorityId, familyId) },
    });
    return items.map((item) => SiblingGroupMember.parse(stripMeta(item)));
  }

  async *reviewsBetween(authorityId: string, from: string, to: string): AsyncIterable<Review> {
    datePart(from, 'from');
    datePart(to, 'to');
    if (from > to) return;
    const range = reviewDateRange(from, to);
    // The two halves of a review sort next to each other ({date}#{child}#D, then #P), so merging
    // needs only the previous item: memory stays one page whatever the range.
    let pending: { key: string; participation?: ReviewParticipation; details?: ReviewDetails } | undefined;
    for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year += 1) {
      const pages = this.queryPages({
        IndexName: TABLE_KEY_SCHEMA.indexes.gsi2.indexName,
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': reviewYearPartition(authorityId, year),
          ':from': range.from,
          ':to': range.to,
        },
      });
      for await (const page of pages) {
        for (const item of page) {
          const entry = toDomainRecord(item);
          if (entry.kind !== 'reviewParticipation' && entry.kind !== 'reviewDetails') continue;
          const key = `${entry.record.reviewDate}#${entry.record.childId}`;
          if (pending && pending.key !== key) {
            yield mergeReview(pending.participation, pending.details);
            pending = undefined;
          }
          pending ??= { key };
          if (entry.kind === 'reviewParticipation') pending.participation = entry.record;
          else pending.details = entry.record;
        }
      }
    }
    if (pending) yield mergeReview(pending.participation, pending.details);
  }

  async recordsByProfessional(authorityId: string, workerId: string): Promise<ProfessionalRecords> {
    const partition = professionalPartition(authorityId, workerId);
    const [own, linked] = await Promise.all([
      this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: partition, sk: 'PRO' } })),
      this.queryAll({
        IndexName: TABLE_KEY_SCHEMA.indexes.gsi1.indexName,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': partition },
      }),
    ]);
    const involvements: Involvement[] = [];
    const details: ReviewDetails[] = [];
    for (const item of linked) {
      const entry = toDomainRecord(item);
      if (entry.kind === 'involvement') involvements.push(entry.record);
      else if (entry.kind === 'reviewDetails') details.push(entry.record);
    }
    // The IRO is on the details half only; fetch the participation halves to return whole reviews.
    const participations = await batchGetAll(
      this.client,
      this.tableName,
      details.map((review) => ({
        pk: childPartition(authorityId, review.childId),
        sk: reviewSk(review.reviewDate, 'P'),
      })),
      this.batch,
    );
    const participationById = new Map(
      participations.map((item) => {
        const record = ReviewParticipation.parse(stripMeta(item));
        return [`${record.reviewDate}#${record.childId}`, record] as const;
      }),
    );
    const reviewsChaired = details
      .map((review) => mergeReview(participationById.get(`${review.reviewDate}#${review.childId}`), review))
      .sort((a, b) => compare(a.reviewDate, b.reviewDate) || compare(a.childId, b.childId));
    return { professional: own.Item ? Professional.parse(stripMeta(own.Item)) : null, involvements, reviewsChaired };
  }

  async irosOfChild(authorityId: string, childId: string): Promise<string[]> {
    const pk = childPartition(authorityId, childId);
    // Two narrow ranges of the child's partition (IRO allocations sort together; reviews carry their
    // chair on the details half), strongly consistent: an allocation imported a moment ago counts.
    const range = (prefix: string, attribute: string) =>
      this.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ProjectionExpression: attribute,
        ConsistentRead: true,
      });
    const [allocations, reviews] = await Promise.all([
      range(involvementRolePrefix('IRO'), 'workerId'),
      range(CHILD_SK.review, 'iroId'),
    ]);
    const ids = [...allocations.map((item) => item.workerId), ...reviews.map((item) => item.iroId)];
    return [...new Set(ids.filter((id): id is string => typeof id === 'string' && id !== ''))].sort();
  }

  async *professionals(authorityId: string): AsyncIterable<Professional> {
    const pages = this.queryPages({
      IndexName: TABLE_KEY_SCHEMA.indexes.gsi1.indexName,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': professionalsPartition(authorityId) },
    });
    for await (const page of pages) for (const item of page) yield Professional.parse(stripMeta(item));
  }

  async countChildren(authorityId: string): Promise<number> {
    let count = 0;
    let start: Item | undefined;
    do {
      const output = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_KEY_SCHEMA.indexes.gsi1.indexName,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': childrenPartition(authorityId) },
          Select: 'COUNT',
          ...this.pageLimit,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      count += output.Count ?? 0;
      start = output.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async getAuditItem<T>(authorityId: string, key: AuditItemKey): Promise<Versioned<T> | null> {
    const { Item } = await withRetry(
      () =>
        this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: auditItemKey(authorityId, key.auditId, key.part),
            ConsistentRead: true,
          }),
        ),
      this.retry,
    );
    return Item ? toVersioned<T>(Item) : null;
  }

  async putAuditItem<T>(
    authorityId: string,
    key: AuditItemKey,
    body: T,
    expectedVersion: number,
    options: JobWriteOptions = {},
  ): Promise<Versioned<T>> {
    if (options.leased && key.part !== AUDIT_META_PART)
      throw new RangeError(`only an audit's own record holds a lease, not ${key.part}`);
    const keys = {
      ...auditItemKeys(authorityId, key),
      ...(options.leased ? leasedJobKeys('audit', authorityId, key.auditId) : {}),
    };
    return this.putVersioned(
      keys,
      { kind: 'auditItem', auditId: key.auditId, part: key.part },
      body,
      expectedVersion,
      key,
      () => this.getAuditItem<T>(authorityId, key),
    );
  }

  async putAuditItems(authorityId: string, writes: readonly AuditItemWrite[]): Promise<Versioned<unknown>[]> {
    if (writes.length === 0) return [];
    const updatedAt = this.timestamp();
    const prepared = writes.map((write) => {
      const stored: Versioned<unknown> = {
        version: checkedVersion(write.expectedVersion) + 1,
        updatedAt,
        body: write.body,
      };
      const Item = {
        ...auditItemKeys(authorityId, write.key),
        kind: 'auditItem',
        auditId: write.key.auditId,
        part: write.key.part,
        ...stored,
      };
      return { stored, Put: { TableName: this.tableName, Item, ...versionCondition(write.expectedVersion) } };
    });
    // One token for every attempt: DynamoDB applies a transaction once per token (for 10 minutes),
    // so a retry after an answer lost on its way back succeeds without writing anything twice.
    const ClientRequestToken = randomUUID();
    try {
      await withRetry(
        () =>
          this.client
            .send(new TransactWriteCommand({ TransactItems: prepared.map(({ Put }) => ({ Put })), ClientRequestToken }))
            .catch(markTransientCancellation),
        this.retry,
      );
    } catch (error) {
      const failed = conditionFailedAt(error);
      if (failed === -1) throw error;
      const write = writes[failed]!;
      throw new VersionConflictError(write.key, write.expectedVersion, await this.getAuditItem(authorityId, write.key));
    }
    return prepared.map(({ stored }) => stored);
  }

  async getImportJob<T>(authorityId: string, importId: string): Promise<Versioned<T> | null> {
    const { Item } = await withRetry(
      () =>
        this.client.send(
          new GetCommand({
            TableName: this.tableName,
            Key: primaryKey(importJobKeys(authorityId, importId)),
            ConsistentRead: true,
          }),
        ),
      this.retry,
    );
    return Item ? toVersioned<T>(Item) : null;
  }

  async putImportJob<T>(
    authorityId: string,
    importId: string,
    body: T,
    expectedVersion: number,
    options: JobWriteOptions = {},
  ): Promise<Versioned<T>> {
    const keys = {
      ...importJobKeys(authorityId, importId),
      ...(options.leased ? leasedJobKeys('import', authorityId, importId) : {}),
    };
    return this.putVersioned(
      keys,
      { kind: 'importJob', importId },
      body,
      expectedVersion,
      { auditId: importId, part: 'import' },
      () => this.getImportJob<T>(authorityId, importId),
    );
  }

  async *listImportJobs<T>(authorityId: string): AsyncIterable<{ importId: string } & Versioned<T>> {
    const pages = this.queryPages({
      IndexName: TABLE_KEY_SCHEMA.indexes.gsi1.indexName,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': importsPartition(authorityId) },
    });
    for await (const page of pages)
      for (const item of page) yield { importId: String(item.importId), ...toVersioned<T>(item) };
  }

  async *leasedJobs(): AsyncIterable<LeasedJobRef> {
    const pages = this.queryPages({
      IndexName: TABLE_KEY_SCHEMA.indexes.gsi2.indexName,
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': LEASED_JOBS_PARTITION },
      ProjectionExpression: 'gsi2sk',
    });
    for await (const page of pages) {
      for (const item of page) {
        const job = parseLeasedJobSk(String(item.gsi2sk));
        if (job) yield job;
      }
    }
  }

  async putTemplateVersion(authorityId: string, entry: StoredTemplateVersion): Promise<void> {
    const part = templateVersionPart(entry.version);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: templatePartition(authorityId, entry.templateId),
            sk: part,
            gsi1pk: templatesPartition(authorityId),
            gsi1sk: `${entry.templateId}#${part}`,
            kind: 'templateVersion',
            templateId: entry.templateId,
            version: entry.version,
            // Kept as JSON text: a template's nested conditions are data to the store, not attributes.
            template: JSON.stringify(entry.template),
            createdBy: entry.createdBy,
            createdAt: entry.createdAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException')
        throw new TemplateVersionExistsError(entry.templateId, entry.version);
      throw error;
    }
  }

  async *templateVersions(authorityId: string): AsyncIterable<StoredTemplateVersion> {
    const pages = this.queryPages({
      IndexName: TABLE_KEY_SCHEMA.indexes.gsi1.indexName,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': templatesPartition(authorityId) },
    });
    for await (const page of pages) {
      for (const item of page) {
        yield {
          templateId: String(item.templateId),
          version: Number(item.version),
          template: JSON.parse(String(item.template)),
          createdBy: String(item.createdBy),
          createdAt: String(item.createdAt),
        };
      }
    }
  }

  async *listAudits<T>(authorityId: string): AsyncIterable<{ auditId: string } & Versioned<T>> {
    const pages = this.queryPages({
      IndexName: TABLE_KEY_SCHEMA.indexes.gsi1.indexName,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': auditsPartition(authorityId) },
    });
    for await (const page of pages)
      for (const item of page) yield { auditId: String(item.auditId), ...toVersioned<T>(item) };
  }

  async *auditItems<T>(authorityId: string, auditId: string): AsyncIterable<{ part: string } & Versioned<T>> {
    const pages = this.queryPages({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': auditPartition(authorityId, auditId) },
    });
    for await (const page of pages) for (const item of page) yield { part: String(item.sk), ...toVersioned<T>(item) };
  }

  // ---- internals ----------------------------------------------------------------------------

  private timestamp(): string {
    return this.now().toISOString();
  }

  /** A person- or job-edited document, written only over the version its writer read (0: only if none). */
  private async putVersioned<T>(
    keys: ItemKeys,
    attributes: Item,
    body: T,
    expectedVersion: number,
    conflictKey: AuditItemKey,
    reread: () => Promise<Versioned<T> | null>,
  ): Promise<Versioned<T>> {
    const stored: Versioned<T> = { version: checkedVersion(expectedVersion) + 1, updatedAt: this.timestamp(), body };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys, ...attributes, ...stored },
          ...versionCondition(expectedVersion),
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      throw new VersionConflictError<T>(conflictKey, expectedVersion, await reread());
    }
    return stored;
  }

  private prepare(authorityId: string, entry: UpsertEntry): PreparedRow {
    const schema = SCHEMAS[entry.kind] as z.ZodType<unknown> | undefined;
    if (!schema) throw new TypeError(`unknown record kind "${String(entry.kind)}"`);
    // Parsing again is cheap next to a network write, and drops anything the schema does not know.
    const record = schema.parse(entry.record);
    const keys = keysOf(authorityId, { kind: entry.kind, record } as DomainRecord);
    return {
      kind: entry.kind,
      record,
      keys,
      id: itemId(keys),
      rowHash: rowHash(record),
      ...(entry.heldFields ? { heldFields: entry.heldFields } : {}),
    };
  }

  private item(row: PreparedRow, version: number): Item {
    return {
      ...(row.record as Item),
      ...row.keys,
      kind: row.kind,
      version,
      rowHash: row.rowHash,
      updatedAt: this.timestamp(),
    };
  }

  /**
   * Writes a changed row only over the version read. When another writer got there first, the
   * row is read again: same content now → unchanged; gone → created; else retried over the new
   * version (the import is the latest word, but it never overwrites what it has not seen).
   */
  private async putChangedRow(original: PreparedRow, readVersion: number | null): Promise<ChangedRowOutcome> {
    let version = readVersion;
    let row = original;
    for (let attempt = 1; attempt <= CHANGED_ROW_ATTEMPTS; attempt += 1) {
      if (original.heldFields) {
        // Merged again over exactly the version the condition names, so no field written meanwhile is lost.
        const { Item } = await this.client.send(
          new GetCommand({ TableName: this.tableName, Key: primaryKey(original.keys), ConsistentRead: true }),
        );
        if (Item && Item.rowHash === mergeHeld(original, Item).rowHash) return 'unchanged';
        row = Item ? mergeHeld(original, Item) : original;
        version = Item ? Number(Item.version ?? 0) : null;
      }
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: this.item(row, (version ?? 0) + 1),
            ...(version === null
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': version } }),
          }),
        );
        return version === null ? 'created' : 'updated';
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
      if (original.heldFields) continue;
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: primaryKey(row.keys),
          ConsistentRead: true,
          ProjectionExpression: '#v, rowHash',
          ExpressionAttributeNames: { '#v': 'version' },
        }),
      );
      if (Item && Item.rowHash === row.rowHash) return 'unchanged';
      version = Item ? Number(Item.version ?? 0) : null;
    }
    throw new Error(
      `gave up writing ${row.keys.pk} ${row.keys.sk}: it kept changing under ${CHANGED_ROW_ATTEMPTS} attempts`,
    );
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.queryPages(input)) items.push(...page);
    return items;
  }

  private async *queryPages(input: Omit<QueryCommandInput, 'TableName'>): AsyncIterable<Item[]> {
    let start: Item | undefined;
    do {
      const output = await withRetry(
        () =>
          this.client.send(
            new QueryCommand({
              ...input,
              ...this.pageLimit,
              TableName: this.tableName,
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          ),
        this.retry,
      );
      yield output.Items ?? [];
      start = output.LastEvaluatedKey;
    } while (start);
  }
}

/** A child's records from the items of their partition (reviews merged from their two halves). */
function assembleChildRecords(items: readonly Item[]): ChildRecords {
  const result: ChildRecords = {
    child: null,
    episodes: [],
    reviews: [],
    involvements: [],
    siblingGroups: [],
    healthEvents: [],
    oc2: [],
  };
  const halves = new Map<string, { participation?: ReviewParticipation; details?: ReviewDetails }>();
  for (const item of items) {
    const entry = toDomainRecord(item);
    switch (entry.kind) {
      case 'child':
        result.child = entry.record;
        break;
      case 'episode':
        result.episodes.push(entry.record);
        break;
      case 'reviewParticipation':
      case 'reviewDetails': {
        const pair = halves.get(entry.record.reviewDate) ?? {};
        if (entry.kind === 'reviewParticipation') pair.participation = entry.record;
        else pair.details = entry.record;
        halves.set(entry.record.reviewDate, pair);
        break;
      }
      case 'involvement':
        result.involvements.push(entry.record);
        break;
      case 'siblingGroupMember':
        result.siblingGroups.push(entry.record);
        break;
      case 'healthEvent':
        result.healthEvents.push(entry.record);
        break;
      case 'oc2':
        result.oc2.push(entry.record);
        break;
      case 'professional':
        break; // never in a child's partition
      case 'careLeaverOutcome':
      case 'adoption':
      case 'placedForAdoption':
      case 'previousPermanence':
      case 'missingEpisode':
      case 'deprivationOfLiberty':
      case 'uascStatus':
      case 'socialWorkerEpisode':
        // Stored for completeness of the return; no audit reads them yet: the importer reads them as last year's.
        (result.otherReturnRecords ??= []).push(entry);
        break;
      case 'careSummary':
        break;
    }
  }
  // Sort keys already give date order for episodes, reviews and OC2; the others are keyed type-first.
  result.reviews = [...halves.values()].map(({ participation, details }) => mergeReview(participation, details));
  result.involvements.sort(
    (a, b) => compare(a.startDate, b.startDate) || compare(a.role, b.role) || compare(a.workerId, b.workerId),
  );
  result.healthEvents.sort((a, b) => compare(a.date, b.date) || compare(a.type, b.type));
  return result;
}

/**
 * A partial row over what is stored: the fields it holds from the row, every other field from the
 * stored item (parsed with the kind's schema, so only domain fields are taken).
 */
function mergeHeld(row: PreparedRow, stored: Item): PreparedRow {
  const schema = SCHEMAS[row.kind] as z.ZodType<Record<string, unknown>>;
  const before = schema.parse(stripMeta(stored));
  const fromRow = row.record as Record<string, unknown>;
  const merged = { ...before, ...Object.fromEntries(row.heldFields!.map((field) => [field, fromRow[field]])) };
  const record = schema.parse(merged);
  return { ...row, record, rowHash: rowHash(record) };
}

/** The GSI2 keys that list a job among the leased ones, for recovery. */
function leasedJobKeys(kind: LeasedJobKind, authorityId: string, id: string): Pick<ItemKeys, 'gsi2pk' | 'gsi2sk'> {
  return { gsi2pk: LEASED_JOBS_PARTITION, gsi2sk: leasedJobSk(kind, authorityId, id) };
}

/** The keys of a person-edited audit document; the audit's own record is listed, so an authority's audits are one query away. */
function auditItemKeys(authorityId: string, key: AuditItemKey): ItemKeys {
  return {
    ...auditItemKey(authorityId, key.auditId, key.part),
    ...(key.part === AUDIT_META_PART ? { gsi1pk: auditsPartition(authorityId), gsi1sk: key.auditId } : {}),
  };
}

function checkedVersion(expectedVersion: number): number {
  if (!Number.isInteger(expectedVersion) || expectedVersion < 0)
    throw new RangeError(`expected version must be a whole number ≥ 0, not ${expectedVersion}`);
  return expectedVersion;
}

/** The condition of a write over the version read: nothing stored (0), or exactly that version. */
function versionCondition(expectedVersion: number) {
  return expectedVersion === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } };
}

type CancellationReasons = { CancellationReasons?: ({ Code?: string } | undefined)[] };
/** Reasons a cancelled transaction may simply be tried again for: nothing it checked was wrong. */
const TRANSIENT_CANCELLATIONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

/** The index of the write whose condition failed in a cancelled transaction, or -1. */
function conditionFailedAt(error: unknown): number {
  if ((error as Error | undefined)?.name !== 'TransactionCanceledException') return -1;
  return ((error as CancellationReasons).CancellationReasons ?? []).findIndex(
    (reason) => reason?.Code === 'ConditionalCheckFailed',
  );
}

/**
 * A transaction cancelled only because another was busy with the same items (or throttled), or one
 * still in progress under the same token, is marked transient so withRetry tries it again.
 */
function markTransientCancellation(error: unknown): never {
  const e = error as Error & CancellationReasons & { $retryable?: unknown };
  const busy =
    e?.name === 'TransactionInProgressException' ||
    (e?.name === 'TransactionCanceledException' &&
      conditionFailedAt(e) === -1 &&
      (e.CancellationReasons ?? []).some((r) => TRANSIENT_CANCELLATIONS.has(r?.Code ?? '')));
  if (busy && e.$retryable === undefined) e.$retryable = {};
  throw error;
}

function primaryKey(keys: ItemKey): ItemKey {
  return { pk: keys.pk, sk: keys.sk };
}

function itemId(keys: ItemKey): string {
  return `${keys.pk}\u0000${keys.sk}`;
}

function stripMeta(item: Item): Item {
  const record = { ...item };
  for (const name of META_ATTRIBUTES) delete record[name];
  return record;
}

function toDomainRecord(item: Item): DomainRecord {
  const kind = item.kind as RecordKind;
  const schema = SCHEMAS[kind] as z.ZodType<unknown> | undefined;
  if (!schema) throw new Error(`item ${String(item.pk)} ${String(item.sk)} has unknown kind "${String(item.kind)}"`);
  return { kind, record: schema.parse(stripMeta(item)) } as DomainRecord;
}

function toVersioned<T>(item: Item): Versioned<T> {
  return { version: Number(item.version), updatedAt: String(item.updatedAt), body: item.body as T };
}

/** One review from its two halves; the half not (yet) imported contributes nulls. */
function mergeReview(participation: ReviewParticipation | undefined, details: ReviewDetails | undefined): Review {
  const base = participation ?? details;
  if (!base) throw new Error('a review needs at least one of its halves');
  return {
    childId: base.childId,
    reviewDate: base.reviewDate,
    participationCode: participation?.participationCode ?? null,
    iroId: details?.iroId ?? null,
    permanencePlan: details?.permanencePlan ?? null,
    carePlanUpToDate: details?.carePlanUpToDate ?? null,
    childSeenBeforeReview: details?.childSeenBeforeReview ?? null,
    decisionsIssued: details?.decisionsIssued ?? null,
    recordIssued: details?.recordIssued ?? null,
    stoodDown: details?.stoodDown ?? null,
    seriesId: details?.seriesId ?? null,
    lateReason: details?.lateReason ?? null,
  };
}

/** Splits rows into passes in which each key appears at most once, keeping the order of repeats. */
function passes(rows: PreparedRow[]): PreparedRow[][] {
  const result: PreparedRow[][] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const pass = seen.get(row.id) ?? 0;
    seen.set(row.id, pass + 1);
    (result[pass] ??= []).push(row);
  }
  return result;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function inParallel<T>(
  values: readonly T[],
  concurrency: number,
  work: (value: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const workers = Array.from({ length: Math.min(concurrency, values.length) }, async () => {
    while (next < values.length && !failed) {
      try {
        await work(values[next++]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  });
  await Promise.all(workers);
}
