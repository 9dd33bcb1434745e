/**
 * Key builders for the single table (see docs/data-model.md). The authority id leads every
 * partition key, of the table and of both indexes, so a query built here cannot reach another
 * authority's records; and `#` separates key parts, so no id may contain one.
 */
import { AppError } from '#errors';
import type {
  Adoption,
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
  DomainRecord,
} from '#domain/records';

// Type aliases, not interfaces: they are assignable to the SDK's Record<string, …> key types.
/** The primary key of an item. */
export type ItemKey = { pk: string; sk: string };

/** Every key attribute an item may carry; the GSI pairs are present only when the item is in that index. */
export type ItemKeys = ItemKey & { gsi1pk?: string; gsi1sk?: string; gsi2pk?: string; gsi2sk?: string };

/** Thrown when a value would break the key layout: a wrong authority id, a `#`, an unsortable date (invalid input). */
export class InvalidKeyError extends AppError {
  constructor(message: string) {
    super('invalid', message, { name: 'InvalidKeyError', code: 'invalid-key' });
  }
}

const AUTHORITY_ID = /^[a-z0-9][a-z0-9-]{1,39}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The authority id, checked: the same rule as the domain's AuthorityId, asserted again because keys depend on it. */
export function authorityPart(authorityId: string): string {
  if (!AUTHORITY_ID.test(authorityId))
    throw new InvalidKeyError(`authority id "${authorityId}" must be 2–40 lower-case letters, digits or hyphens`);
  return authorityId;
}

/** An id inside a key: non-empty and free of the `#` separator (domain ids already forbid it; imports are untrusted). */
export function idPart(value: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidKeyError(`${what} is required in a key`);
  if (value.includes('#')) throw new InvalidKeyError(`${what} "${value}" must not contain '#'`);
  return value;
}

/** A date inside a key: `YYYY-MM-DD`, so that string order is date order. */
export function datePart(value: string, what: string): string {
  if (typeof value !== 'string' || !ISO_DATE.test(value))
    throw new InvalidKeyError(`${what} "${value}" must be a date written YYYY-MM-DD`);
  return value;
}

const A = (authorityId: string) => `A#${authorityPart(authorityId)}`;

// ---- partition keys -------------------------------------------------------------------------

/** The authority's settings item. */
export const authorityKey = (authorityId: string): ItemKey => ({ pk: A(authorityId), sk: 'AUTHORITY' });
/** The marker written before an authority's first imported record (see RecordStore.holdsRecords). */
export const recordsMarkerKey = (authorityId: string): ItemKey => ({ pk: A(authorityId), sk: 'RECORDS' });
/** The partition holding one child and every record about them. */
export const childPartition = (authorityId: string, childId: string) =>
  `${A(authorityId)}#C#${idPart(childId, 'child id')}`;
/** What every child partition of the authority starts with: a scan's filter for "children only". */
export const childPartitionPrefix = (authorityId: string) => `${A(authorityId)}#C#`;
/** The partition of one professional (table), and of their involvements and chaired reviews (GSI1). */
export const professionalPartition = (authorityId: string, workerId: string) =>
  `${A(authorityId)}#PRO#${idPart(workerId, 'worker id')}`;
/** GSI1: the members of one sibling group. */
export const siblingGroupPartition = (authorityId: string, familyId: string) =>
  `${A(authorityId)}#FAM#${idPart(familyId, 'family id')}`;
/** GSI1: every professional of the authority, ordered by worker id. */
export const professionalsPartition = (authorityId: string) => `${A(authorityId)}#PROS`;
/** GSI1: every child of the authority, ordered by child id (counted with Select COUNT). */
export const childrenPartition = (authorityId: string) => `${A(authorityId)}#CHILDREN`;
/** GSI2: the authority's reviews held in one calendar year — year partitions stay small at national scale. */
export const reviewYearPartition = (authorityId: string, year: number) => {
  if (!Number.isInteger(year) || year < 1000 || year > 9999)
    throw new InvalidKeyError(`review year ${year} must have four digits`);
  return `${A(authorityId)}#REV#${year}`;
};
/** GSI1: the authority's audits, one entry per audit (its `meta` document), ordered by audit id. */
export const auditsPartition = (authorityId: string) => `${A(authorityId)}#AUDITS`;
/** The part of an audit that is listed in GSI1: the audit's own record. */
export const AUDIT_META_PART = 'meta';
/** The partition of one audit template's versions (templates a QA lead added for the authority). */
export const templatePartition = (authorityId: string, templateId: string) =>
  `${A(authorityId)}#TPL#${idPart(templateId, 'template id')}`;
/** GSI1: every template version the authority holds, ordered by template id then version. */
export const templatesPartition = (authorityId: string) => `${A(authorityId)}#TPLS`;
/** A template version in a sort key: zero-padded so string order is version order. */
export const templateVersionPart = (version: number) => {
  if (!Number.isInteger(version) || version < 1 || version > 999_999)
    throw new InvalidKeyError(`template version ${version} must be a whole number from 1 to 999999`);
  return `V#${String(version).padStart(6, '0')}`;
};
/** The partition of one import job's state. */
export const importPartition = (authorityId: string, importId: string) =>
  `${A(authorityId)}#IMPORT#${idPart(importId, 'import id')}`;
/** GSI1: the authority's imports, one entry per import, ordered by import id. */
export const importsPartition = (authorityId: string) => `${A(authorityId)}#IMPORTS`;
/**
 * GSI2: every job item holding a lease (a running import, an audit being run or published), across
 * authorities. The one partition the authority id does not lead: recovery must find a stopped job
 * whichever authority it belongs to. It lists only which jobs are leased (kind, authority, id), is
 * read only by recovery (shared/service/recovery.ts), which then works through the authority's own
 * keys; an item leaves it when its lease is released.
 */
export const LEASED_JOBS_PARTITION = 'JOBS#LEASED';
/** The kinds of job that hold leases. */
export type LeasedJobKind = 'import' | 'audit';
/** A leased job's GSI2 sort key: kind, authority, id. */
export const leasedJobSk = (kind: LeasedJobKind, a: string, id: string) =>
  `${kind}#${authorityPart(a)}#${idPart(id, `${kind} id`)}`;
/** The job a GSI2 sort key of the leased partition names, or null for one it cannot be. */
export function parseLeasedJobSk(sk: string): { kind: LeasedJobKind; authorityId: string; id: string } | null {
  const [kind, authorityId, id, ...rest] = sk.split('#');
  if (
    (kind !== 'import' && kind !== 'audit') ||
    !authorityId ||
    !id ||
    rest.length > 0 ||
    !AUTHORITY_ID.test(authorityId)
  )
    return null;
  return { kind, authorityId, id };
}
/** The partition of one audit's person-edited documents. */
export const auditPartition = (authorityId: string, auditId: string) =>
  `${A(authorityId)}#AUDIT#${idPart(auditId, 'audit id')}`;

// ---- sort keys ------------------------------------------------------------------------------

/** Sort-key prefixes inside a child's partition, one per kind of record. */
export const CHILD_SK = {
  child: 'CHILD',
  episode: 'EP#',
  review: 'REV#',
  involvement: 'INV#',
  siblingGroupMember: 'FAM#',
  healthEvent: 'HE#',
  oc2: 'OC2#',
  careLeaverOutcome: 'OC3#',
  adoption: 'AD1#',
  placedForAdoption: 'PFA#',
  previousPermanence: 'PREVPERM',
  missingEpisode: 'MIS#',
  deprivationOfLiberty: 'DOLO#',
  uascStatus: 'UASC',
  socialWorkerEpisode: 'SWE#',
  careSummary: 'L8#',
} as const;

/** The sort-key prefix of a child's allocations in one role (e.g. every IRO the child has had: `INV#IRO#`). */
export const involvementRolePrefix = (role: Involvement['role']) => `${CHILD_SK.involvement}${idPart(role, 'role')}#`;

/** Which half of a review an item holds: SSDA903 Reviews (P) or the case-management extract (D). */
export type ReviewHalf = 'P' | 'D';

/** The sort key of one half of a review. */
export const reviewSk = (reviewDate: string, half: ReviewHalf) =>
  `${CHILD_SK.review}${datePart(reviewDate, 'review date')}#${half}`;
/** The GSI2 sort key of one half of a review: date first so a year partition reads in date order. */
export const reviewDateSk = (reviewDate: string, childId: string, half: ReviewHalf) =>
  `${datePart(reviewDate, 'review date')}#${idPart(childId, 'child id')}#${half}`;

/**
 * The GSI2 sort-key range holding every review dated `from` to `to` inclusive: `$` sorts just after
 * the `#` that follows the date, so `{to}$` is past every `{to}#…`.
 */
export const reviewDateRange = (from: string, to: string) => ({
  from: datePart(from, 'from'),
  to: `${datePart(to, 'to')}$`,
});

// ---- item keys per record -------------------------------------------------------------------

/** The keys of a child's header record. */
export const childKeys = (a: string, child: Pick<Child, 'childId'>): ItemKeys => ({
  pk: childPartition(a, child.childId),
  sk: CHILD_SK.child,
  gsi1pk: childrenPartition(a),
  gsi1sk: idPart(child.childId, 'child id'),
});

/** The keys of an episode (one per start date, the SSDA903 natural key). */
export const episodeKeys = (a: string, episode: Pick<Episode, 'childId' | 'startDate'>): ItemKeys => ({
  pk: childPartition(a, episode.childId),
  sk: `${CHILD_SK.episode}${datePart(episode.startDate, 'episode start date')}`,
});

/** The keys of the SSDA903 half of a review: in the child's partition and in the year's review partition. */
export const reviewParticipationKeys = (
  a: string,
  review: Pick<ReviewParticipation, 'childId' | 'reviewDate'>,
): ItemKeys => ({
  pk: childPartition(a, review.childId),
  sk: reviewSk(review.reviewDate, 'P'),
  gsi2pk: reviewYearPartition(a, Number(review.reviewDate.slice(0, 4))),
  gsi2sk: reviewDateSk(review.reviewDate, review.childId, 'P'),
});

/** The keys of the case-management half of a review; with an IRO it is also among that IRO's records (GSI1). */
export const reviewDetailsKeys = (
  a: string,
  review: Pick<ReviewDetails, 'childId' | 'reviewDate' | 'iroId'>,
): ItemKeys => ({
  pk: childPartition(a, review.childId),
  sk: reviewSk(review.reviewDate, 'D'),
  gsi2pk: reviewYearPartition(a, Number(review.reviewDate.slice(0, 4))),
  gsi2sk: reviewDateSk(review.reviewDate, review.childId, 'D'),
  ...(review.iroId
    ? {
        gsi1pk: professionalPartition(a, review.iroId),
        gsi1sk: `REV#${review.reviewDate}#${idPart(review.childId, 'child id')}`,
      }
    : {}),
});

/** The keys of an allocation: in the child's partition and among the professional's records (GSI1). */
export const involvementKeys = (
  a: string,
  involvement: Pick<Involvement, 'childId' | 'workerId' | 'role' | 'startDate'>,
): ItemKeys => {
  const role = idPart(involvement.role, 'role');
  const start = datePart(involvement.startDate, 'involvement start date');
  return {
    pk: childPartition(a, involvement.childId),
    sk: `${CHILD_SK.involvement}${role}#${idPart(involvement.workerId, 'worker id')}#${start}`,
    gsi1pk: professionalPartition(a, involvement.workerId),
    gsi1sk: `INV#${idPart(involvement.childId, 'child id')}#${role}#${start}`,
  };
};

/** The keys of a sibling-group membership: in the child's partition and in the group's (GSI1). */
export const siblingGroupMemberKeys = (
  a: string,
  member: Pick<SiblingGroupMember, 'childId' | 'familyId'>,
): ItemKeys => ({
  pk: childPartition(a, member.childId),
  sk: `${CHILD_SK.siblingGroupMember}${idPart(member.familyId, 'family id')}`,
  gsi1pk: siblingGroupPartition(a, member.familyId),
  gsi1sk: `C#${idPart(member.childId, 'child id')}`,
});

/** The keys of a health event (one per type and date). */
export const healthEventKeys = (a: string, event: Pick<HealthEvent, 'childId' | 'type' | 'date'>): ItemKeys => ({
  pk: childPartition(a, event.childId),
  sk: `${CHILD_SK.healthEvent}${idPart(event.type, 'health event type')}#${datePart(event.date, 'health event date')}`,
});

/** The keys of an OC2 outcome (one per year ending). */
export const oc2Keys = (a: string, outcome: Pick<Oc2Outcome, 'childId' | 'yearEnding'>): ItemKeys => ({
  pk: childPartition(a, outcome.childId),
  sk: `${CHILD_SK.oc2}${datePart(outcome.yearEnding, 'OC2 year ending')}`,
});

/** The keys of an OC3 care-leaver outcome (one per year ending). */
export const careLeaverOutcomeKeys = (
  a: string,
  outcome: Pick<CareLeaverOutcome, 'childId' | 'yearEnding'>,
): ItemKeys => ({
  pk: childPartition(a, outcome.childId),
  sk: `${CHILD_SK.careLeaverOutcome}${datePart(outcome.yearEnding, 'OC3 year ending')}`,
});

/** The keys of an AD1 adoption (one per decision to place for adoption). */
export const adoptionKeys = (a: string, adoption: Pick<Adoption, 'childId' | 'decisionDate'>): ItemKeys => ({
  pk: childPartition(a, adoption.childId),
  sk: `${CHILD_SK.adoption}${datePart(adoption.decisionDate, 'adoption decision date')}`,
});

/** The keys of a PlacedAdoption decision (one per decision date). */
export const placedForAdoptionKeys = (
  a: string,
  decision: Pick<PlacedForAdoption, 'childId' | 'decisionDate'>,
): ItemKeys => ({
  pk: childPartition(a, decision.childId),
  sk: `${CHILD_SK.placedForAdoption}${datePart(decision.decisionDate, 'placed for adoption decision date')}`,
});

/** The keys of a child's previous permanence (one per child: the latest return's word). */
export const previousPermanenceKeys = (a: string, record: Pick<PreviousPermanence, 'childId'>): ItemKeys => ({
  pk: childPartition(a, record.childId),
  sk: CHILD_SK.previousPermanence,
});

/** The keys of a missing episode (one per start date). */
export const missingEpisodeKeys = (a: string, episode: Pick<MissingEpisode, 'childId' | 'startDate'>): ItemKeys => ({
  pk: childPartition(a, episode.childId),
  sk: `${CHILD_SK.missingEpisode}${datePart(episode.startDate, 'missing episode start date')}`,
});

/** The keys of a deprivation of liberty (one per start date). */
export const deprivationOfLibertyKeys = (
  a: string,
  record: Pick<DeprivationOfLiberty, 'childId' | 'startDate'>,
): ItemKeys => ({
  pk: childPartition(a, record.childId),
  sk: `${CHILD_SK.deprivationOfLiberty}${datePart(record.startDate, 'deprivation of liberty start date')}`,
});

/** The keys of a child's UASC status (one per child). */
export const uascStatusKeys = (a: string, status: Pick<UascStatus, 'childId'>): ItemKeys => ({
  pk: childPartition(a, status.childId),
  sk: CHILD_SK.uascStatus,
});

/** The keys of an SSDA903 social worker episode (one per start date). */
export const socialWorkerEpisodeKeys = (
  a: string,
  episode: Pick<SocialWorkerEpisode, 'childId' | 'startDate'>,
): ItemKeys => ({
  pk: childPartition(a, episode.childId),
  sk: `${CHILD_SK.socialWorkerEpisode}${datePart(episode.startDate, 'social worker episode start date')}`,
});

/** The keys of an Annex A List 8 care summary (one per period of care). */
export const careSummaryKeys = (a: string, summary: Pick<CareSummary, 'childId' | 'periodStart'>): ItemKeys => ({
  pk: childPartition(a, summary.childId),
  sk: `${CHILD_SK.careSummary}${datePart(summary.periodStart, 'date started to be looked after')}`,
});

/** The keys of an import job's state: its own partition, and the authority's import list (GSI1). */
export const importJobKeys = (a: string, importId: string): ItemKeys => ({
  pk: importPartition(a, importId),
  sk: 'IMPORT',
  gsi1pk: importsPartition(a),
  gsi1sk: idPart(importId, 'import id'),
});

/** The keys of a professional: their own partition, and the authority's professional list (GSI1). */
export const professionalKeys = (a: string, professional: Pick<Professional, 'workerId'>): ItemKeys => ({
  pk: professionalPartition(a, professional.workerId),
  sk: 'PRO',
  gsi1pk: professionalsPartition(a),
  gsi1sk: idPart(professional.workerId, 'worker id'),
});

/** The key of a person-edited audit document; the part is the sort key, so it may itself contain `#`. */
export const auditItemKey = (a: string, auditId: string, part: string): ItemKey => {
  if (typeof part !== 'string' || part.length === 0 || part.length > 512)
    throw new InvalidKeyError('audit item part must be 1–512 characters');
  return { pk: auditPartition(a, auditId), sk: part };
};

/** The keys of a domain record: the one place that maps each kind to its place in the table. */
export function keysOf(authorityId: string, entry: DomainRecord): ItemKeys {
  switch (entry.kind) {
    case 'child':
      return childKeys(authorityId, entry.record);
    case 'episode':
      return episodeKeys(authorityId, entry.record);
    case 'reviewParticipation':
      return reviewParticipationKeys(authorityId, entry.record);
    case 'reviewDetails':
      return reviewDetailsKeys(authorityId, entry.record);
    case 'professional':
      return professionalKeys(authorityId, entry.record);
    case 'involvement':
      return involvementKeys(authorityId, entry.record);
    case 'siblingGroupMember':
      return siblingGroupMemberKeys(authorityId, entry.record);
    case 'healthEvent':
      return healthEventKeys(authorityId, entry.record);
    case 'oc2':
      return oc2Keys(authorityId, entry.record);
    case 'careLeaverOutcome':
      return careLeaverOutcomeKeys(authorityId, entry.record);
    case 'adoption':
      return adoptionKeys(authorityId, entry.record);
    case 'placedForAdoption':
      return placedForAdoptionKeys(authorityId, entry.record);
    case 'previousPermanence':
      return previousPermanenceKeys(authorityId, entry.record);
    case 'missingEpisode':
      return missingEpisodeKeys(authorityId, entry.record);
    case 'deprivationOfLiberty':
      return deprivationOfLibertyKeys(authorityId, entry.record);
    case 'uascStatus':
      return uascStatusKeys(authorityId, entry.record);
    case 'socialWorkerEpisode':
      return socialWorkerEpisodeKeys(authorityId, entry.record);
    case 'careSummary':
      return careSummaryKeys(authorityId, entry.record);
  }
}
