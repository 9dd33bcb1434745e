/**
 * The records of a child looked after, one zod schema per concept. Each schema is the single
 * definition reused by the loader, the store, the API and (later) the OpenAPI document.
 */
import { z } from 'zod';
import { IsoDate } from './dates.ts';
import {
  CategoryOfNeed, EpisodeEndReason, HealthEventStatus, HealthEventType, LegalStatus, NewEpisodeReason,
  ParticipationCode, PermanencePlanCode, ProfessionalRole, SdqReason, Sex,
} from './codes.ts';
import { REGULATIONS_2010, TimescaleSet } from './timescales.ts';

/** Identifiers as local authorities export them: letters, digits and a few separators, no spaces. */
const Identifier = (what: string) =>
  z.string().trim().min(1, `${what} is required`).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._\/-]*$/, `${what} must be letters, digits, '.', '_', '/' or '-'`);

export const AuthorityId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'must be 2–40 lower-case letters, digits or hyphens');
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
    reasonPlaceChange: z.string().max(5).nullable(),
    homePostcode: z.string().max(8).nullable(),
    placementPostcode: z.string().max(8).nullable(),
    urn: z.string().max(8).nullable(),
  })
  .refine((e) => e.endDate === null || e.endDate >= e.startDate, { message: 'the episode must not end before it starts', path: ['endDate'] })
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
  .refine((i) => i.endDate === null || i.endDate >= i.startDate, { message: 'the involvement must not end before it starts', path: ['endDate'] });
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
  | { kind: 'oc2'; record: Oc2Outcome };
export type RecordKind = DomainRecord['kind'];
