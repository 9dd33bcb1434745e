/**
 * The records of a child looked after, one zod schema per concept. Each schema is the single
 * definition reused by the loader, the store, the API and (later) the OpenAPI document.
 */
import * as z from 'zod';
import { IsoDate } from './dates.ts';
import {
  AdopterLegalStatus,
  AdopterSex,
  CareLeaverAccommodation,
  CareLeaverActivity,
  CategoryOfNeed,
  EpisodeEndReason,
  HealthEventStatus,
  HealthEventType,
  InTouch,
  LegalStatus,
  MissingType,
  NewEpisodeReason,
  ParticipationCode,
  PermanencePlanCode,
  PlacedForAdoptionCeasedReason,
  ReasonPlaceChange,
  PreviousPermanenceOption,
  ProfessionalRole,
  SdqReason,
  Sex,
  SocialWorkerChangeReason,
} from './codes.ts';
import { REGULATIONS_2010, TimescaleSet } from './timescales.ts';

/** Identifiers as local authorities export them: letters, digits and a few separators, no spaces. */
const Identifier = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._\/-]*$/, `${what} must be letters, digits, '.', '_', '/' or '-'`);

export const AuthorityId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'must be 2–40 lower-case letters, digits or hyphens');
export type AuthorityId = z.infer<typeof AuthorityId>;
export const ChildId = Identifier('CHILD');
export const WorkerId = Identifier('WORKER_ID');
export const FamilyId = Identifier('FAMILY_ID');

/** A local authority whose records the toolkit holds. */
export const Authority = z.object({
  authorityId: AuthorityId,
  name: z.string().min(1).max(120),
  timescales: TimescaleSet.default(REGULATIONS_2010),
});
export type Authority = z.infer<typeof Authority>;

/** A child (SSDA903 Header). Pseudonymous: the toolkit holds no names. */
export const Child = z.object({
  childId: ChildId,
  sex: Sex.nullable(),
  dateOfBirth: IsoDate,
  ethnicity: z.string().max(4).nullable(),
  upn: z.string().max(13).nullable(),
  motherChildDateOfBirth: IsoDate.nullable(),
});
export type Child = z.infer<typeof Child>;

/** One episode of care (SSDA903 Episodes): a change of legal status or placement starts a new one. */
export const Episode = z
  .object({
    childId: ChildId,
    startDate: IsoDate,
    reasonNewEpisode: NewEpisodeReason,
    legalStatus: LegalStatus,
    categoryOfNeed: CategoryOfNeed.nullable(),
    placement: z.string().max(3).nullable(),
    placementProvider: z.string().max(3).nullable(),
    endDate: IsoDate.nullable(),
    reasonEpisodeCeased: EpisodeEndReason.nullable(),
    reasonPlaceChange: ReasonPlaceChange.nullable(),
    homePostcode: z.string().max(8).nullable(),
    placementPostcode: z.string().max(8).nullable(),
    urn: z.string().max(8).nullable(),
  })
  .refine((e) => e.endDate === null || e.endDate >= e.startDate, {
    message: 'the episode must not end before it starts',
    path: ['endDate'],
  })
  .refine((e) => (e.endDate === null) === (e.reasonEpisodeCeased === null), {
    message: 'a reason the episode ceased is given exactly when it has an end date',
    path: ['reasonEpisodeCeased'],
  });
export type Episode = z.infer<typeof Episode>;

/**
 * A statutory review. Participation comes from SSDA903 Reviews; the IRO, permanence plan and
 * record dates from the case-management extract. Its sequence in the period of care is derived
 * (see `sequenceReviews`), never typed in.
 */
export const Review = z.object({
  childId: ChildId,
  reviewDate: IsoDate,
  participationCode: ParticipationCode.nullable(),
  iroId: WorkerId.nullable(),
  /** Empty means no plan recorded; several codes mean parallel or concurrent planning. */
  permanencePlan: z.array(PermanencePlanCode).nullable(),
  carePlanUpToDate: z.boolean().nullable(),
  childSeenBeforeReview: z.boolean().nullable(),
  decisionsIssued: IsoDate.nullable(),
  recordIssued: IsoDate.nullable(),
  stoodDown: z.boolean().nullable(),
  /**
   * The review was held as a series of meetings: every meeting of one series carries the same id, and
   * the series counts as one review, held on the date of its last meeting. Absent in records kept before it was imported.
   */
  seriesId: z.string().trim().min(1).max(40).nullable().optional(),
  /** Why the review was held late, as the case-management system records it (counted by reason). */
  lateReason: z.string().trim().min(1).max(120).nullable().optional(),
});
export type Review = z.infer<typeof Review>;

/** What SSDA903 Reviews carries of a review. */
export const ReviewParticipation = Review.pick({ childId: true, reviewDate: true, participationCode: true });
export type ReviewParticipation = z.infer<typeof ReviewParticipation>;
/** What the case-management extract carries of a review. */
export const ReviewDetails = Review.omit({ participationCode: true });
export type ReviewDetails = z.infer<typeof ReviewDetails>;

/** A social worker, team manager, IRO or personal adviser. */
export const Professional = z.object({
  workerId: WorkerId,
  role: ProfessionalRole,
  team: z.string().trim().min(1).max(80),
  service: z.string().trim().min(1).max(80),
});
export type Professional = z.infer<typeof Professional>;

/** Who was allocated to a child, in which role, from when to when (no end: still allocated). */
export const Involvement = z
  .object({
    childId: ChildId,
    workerId: WorkerId,
    role: ProfessionalRole,
    startDate: IsoDate,
    endDate: IsoDate.nullable(),
  })
  .refine((i) => i.endDate === null || i.endDate >= i.startDate, {
    message: 'the involvement must not end before it starts',
    path: ['endDate'],
  });
export type Involvement = z.infer<typeof Involvement>;

/** A child's membership of a sibling group (SSD family id). */
export const SiblingGroupMember = z.object({
  childId: ChildId,
  familyId: FamilyId,
  /** This child must not share an IRO with a sibling (e.g. a looked-after parent and their own child). */
  conflictOfInterest: z.boolean().nullable(),
});
export type SiblingGroupMember = z.infer<typeof SiblingGroupMember>;

/** A sibling group: the children sharing a family id. */
export const SiblingGroup = z.object({
  familyId: FamilyId,
  members: z.array(SiblingGroupMember).min(1),
});
export type SiblingGroup = z.infer<typeof SiblingGroup>;

/** A health assessment, dental or development check, or SDQ. */
export const HealthEvent = z
  .object({
    childId: ChildId,
    type: HealthEventType,
    date: IsoDate,
    status: HealthEventStatus,
    childPresent: z.boolean().nullable(),
    viewsRecorded: z.boolean().nullable(),
    sdqScore: z.number().int().min(0).max(40).nullable(),
    sdqReason: SdqReason.nullable(),
    immunisationsUpToDate: z.boolean().nullable(),
  })
  .refine((h) => h.type === 'SDQ' || (h.sdqScore === null && h.sdqReason === null), {
    message: 'an SDQ score or reason belongs only to an SDQ event',
    path: ['sdqScore'],
  })
  .refine((h) => !(h.sdqScore !== null && h.sdqReason !== null), {
    message: 'give an SDQ score or a reason for no score, not both',
    path: ['sdqReason'],
  });
export type HealthEvent = z.infer<typeof HealthEvent>;

/** SSDA903 OC2: outcomes for a child looked after continuously for 12 months at 31 March. */
export const Oc2Outcome = z.object({
  childId: ChildId,
  /** The 31 March the return is for. */
  yearEnding: IsoDate,
  sdqScore: z.number().int().min(0).max(40).nullable(),
  sdqReason: SdqReason.nullable(),
  convicted: z.boolean().nullable(),
  healthCheck: z.boolean().nullable(),
  immunisations: z.boolean().nullable(),
  teethCheck: z.boolean().nullable(),
  healthAssessment: z.boolean().nullable(),
  substanceMisuse: z.boolean().nullable(),
  interventionReceived: z.boolean().nullable(),
  interventionOffered: z.boolean().nullable(),
});
export type Oc2Outcome = z.infer<typeof Oc2Outcome>;

/** SSDA903 OC3: a care leaver's outcomes around their 17th to 21st birthday in the collection year. */
export const CareLeaverOutcome = z.object({
  childId: ChildId,
  /** The 31 March the return is for (OC3 rows carry no year). */
  yearEnding: IsoDate,
  /** Null when the return's code is not one of the DfE's (its rule 131, a warning). */
  inTouch: InTouch.nullable(),
  activity: CareLeaverActivity.nullable(),
  accommodation: CareLeaverAccommodation.nullable(),
});
export type CareLeaverOutcome = z.infer<typeof CareLeaverOutcome>;

/** SSDA903 AD1: a child adopted, or placed for adoption, from care. */
export const Adoption = z.object({
  childId: ChildId,
  /** DATE_INT: the decision that the child should be placed for adoption. */
  decisionDate: IsoDate,
  /** DATE_MATCH: the child matched with prospective adopters. */
  matchedDate: IsoDate.nullable(),
  /** FOSTER_CARE: adopted by their foster carer(s). */
  adoptedByFosterCarer: z.boolean().nullable(),
  numberOfAdopters: z.number().int().min(1, 'must be 1 or 2').max(2, 'must be 1 or 2').nullable(),
  adopterSex: AdopterSex.nullable(),
  adopterLegalStatus: AdopterLegalStatus.nullable(),
});
// The order of the dates is the DfE's rule 333, a warning (#ssda903/rules/adoption): not refused here.
export type Adoption = z.infer<typeof Adoption>;

/** SSDA903 PlacedAdoption: a decision that the child should be placed for adoption, and its reversal if any. */
export const PlacedForAdoption = z.object({
  childId: ChildId,
  /** DATE_PLACED: the decision that the child should be placed for adoption. */
  decisionDate: IsoDate,
  /** DATE_PLACED_CEASED: the decision that the child should no longer be placed for adoption. */
  ceasedDate: IsoDate.nullable(),
  ceasedReason: PlacedForAdoptionCeasedReason.nullable(),
});
// The order of the dates (522) and a reason with every reversal (119) are the DfE's rules, warnings: not refused here.
export type PlacedForAdoption = z.infer<typeof PlacedForAdoption>;

/**
 * A date that may be only partly known: `YYYY-MM-DD`, `YYYY-MM` or `YYYY` (SSDA903 writes the
 * unknown parts as `zz`, e.g. `zz/05/2016`).
 */
export const PartialDate = z
  .string()
  .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'must be a date written YYYY-MM-DD, YYYY-MM or YYYY');

/** SSDA903 PrevPerm: how the child left any care before this period (adoption, SGO, CAO), and where. */
export const PreviousPermanence = z.object({
  childId: ChildId,
  option: PreviousPermanenceOption.nullable(),
  /** LA_PERM: the local authority code that arranged it, where known. */
  localAuthority: z.string().max(3).nullable(),
  date: PartialDate.nullable(),
});
export type PreviousPermanence = z.infer<typeof PreviousPermanence>;

/** SSDA903 Missing: a time missing, or away without authorisation, from the placement. */
export const MissingEpisode = z.object({
  childId: ChildId,
  /** Null when the return's code is not one of the DfE's (its rule 1006, a warning). */
  type: MissingType.nullable(),
  startDate: IsoDate,
  endDate: IsoDate.nullable(),
});
// An end before the start is the DfE's rule 567, a warning: not refused here.
export type MissingEpisode = z.infer<typeof MissingEpisode>;

/**
 * SSDA903 DoLo (2026-27 onwards): a deprivation of the child's liberty (a court order or other
 * authorisation), from its start to its end, open while it lasts.
 */
export const DeprivationOfLiberty = z.object({
  childId: ChildId,
  startDate: IsoDate,
  endDate: IsoDate.nullable(),
});
// An end on or before the start is the DfE's rule 702, a warning: not refused here.
export type DeprivationOfLiberty = z.infer<typeof DeprivationOfLiberty>;

/** SSDA903 UASC: an unaccompanied asylum-seeking child, and when that status ceases (usually the 18th birthday). */
export const UascStatus = z.object({
  childId: ChildId,
  /** DUC: the date the child ceased (or will cease) to be an unaccompanied asylum-seeking child; null when the return gives none (the DfE's rule 104 warns). */
  ceasedDate: IsoDate.nullable(),
});
export type UascStatus = z.infer<typeof UascStatus>;

/** SSDA903 SWEpisodes (from 2023-24): one social worker allocated to the child, from when to when. */
export const SocialWorkerEpisode = z.object({
  childId: ChildId,
  workerId: WorkerId,
  startDate: IsoDate,
  endDate: IsoDate.nullable(),
  /** Why the social worker changed at the start of this episode (blank for the first). */
  changeReason: SocialWorkerChangeReason.nullable(),
});
// An end before the start is the DfE's rule SW10STG2, a warning: not refused here.
export type SocialWorkerEpisode = z.infer<typeof SocialWorkerEpisode>;

/**
 * A child's care as one row of Ofsted Annex A List 8 states it, as at the list's date. Only what the
 * sheet holds: the columns a workbook lacks are null, never guessed.
 */
export const CareSummary = z
  .object({
    childId: ChildId,
    /** Date Started to be Looked After: the start of the period of care. */
    periodStart: IsoDate,
    legalStatus: LegalStatus.nullable(),
    latestReviewDate: IsoDate.nullable(),
    /** Annex A letters a–g; empty when the cell is blank (no plan recorded), null when the sheet has no such column. */
    permanencePlan: z.array(PermanencePlanCode).nullable(),
    lastIroContact: IsoDate.nullable(),
    lastHealthAssessment: IsoDate.nullable(),
    lastDentalCheck: IsoDate.nullable(),
    placementsLast12Months: z.number().int().min(0).max(99).nullable(),
    allocatedTeam: z.string().trim().max(120).nullable(),
    allocatedWorker: z.string().trim().max(120).nullable(),
  })
  .refine((c) => c.latestReviewDate === null || c.latestReviewDate >= c.periodStart, {
    message: 'the latest review must fall inside the period of care: it is before the date started to be looked after',
    path: ['latestReviewDate'],
  });
export type CareSummary = z.infer<typeof CareSummary>;

/** Any record the loader can store, tagged with its kind. */
export type DomainRecord =
  | { kind: 'child'; record: Child }
  | { kind: 'episode'; record: Episode }
  | { kind: 'reviewParticipation'; record: ReviewParticipation }
  | { kind: 'reviewDetails'; record: ReviewDetails }
  | { kind: 'professional'; record: Professional }
  | { kind: 'involvement'; record: Involvement }
  | { kind: 'siblingGroupMember'; record: SiblingGroupMember }
  | { kind: 'healthEvent'; record: HealthEvent }
  | { kind: 'oc2'; record: Oc2Outcome }
  | { kind: 'careLeaverOutcome'; record: CareLeaverOutcome }
  | { kind: 'adoption'; record: Adoption }
  | { kind: 'placedForAdoption'; record: PlacedForAdoption }
  | { kind: 'previousPermanence'; record: PreviousPermanence }
  | { kind: 'missingEpisode'; record: MissingEpisode }
  | { kind: 'deprivationOfLiberty'; record: DeprivationOfLiberty }
  | { kind: 'uascStatus'; record: UascStatus }
  | { kind: 'socialWorkerEpisode'; record: SocialWorkerEpisode }
  | { kind: 'careSummary'; record: CareSummary };
export type RecordKind = DomainRecord['kind'];

/** A child with every record held about them (reviews merged from participation and details): what the store reads and the engine judges. */
export interface ChildRecords {
  child: Child | null;
  episodes: Episode[];
  reviews: Review[];
  involvements: Involvement[];
  siblingGroups: SiblingGroupMember[];
  healthEvents: HealthEvent[];
  oc2: Oc2Outcome[];
  /**
   * The SSDA903 records no audit reads yet (UASC, missing, placed for adoption, social worker
   * episodes, …): the importer reads them as last year's return. Absent where a caller builds a
   * child's records by hand.
   */
  otherReturnRecords?: DomainRecord[];
}
