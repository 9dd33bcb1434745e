/** Hand-made records for engine tests: every value chosen so the expected counts can be worked out by hand. */
import type {
  DomainRecord,
  Episode,
  HealthEvent,
  Involvement,
  Oc2Outcome,
  Professional,
  Review,
  SiblingGroupMember,
} from '#domain/records';
import { REGULATIONS_2010 } from '#domain/timescales';
import type { ChildRecords } from '#store/record-store';
import type { PopulationContext } from '#engine/population';

export const professionals: Professional[] = [
  { workerId: 'SW1', role: 'SW', team: 'North 1', service: 'CiN/CP North' },
  { workerId: 'SW2', role: 'SW', team: 'South 1', service: 'CiN/CP South' },
  { workerId: 'SW3', role: 'SW', team: 'North 1', service: 'CiN/CP North' },
  { workerId: 'TM1', role: 'TM', team: 'North 1', service: 'CiN/CP North' },
  { workerId: 'TM2', role: 'TM', team: 'South 1', service: 'CiN/CP South' },
  { workerId: 'PA1', role: 'PA', team: 'Leaving Care', service: 'Leaving Care' },
  { workerId: 'IRO1', role: 'IRO', team: 'IRO Service', service: 'Quality Assurance' },
  { workerId: 'IRO2', role: 'IRO', team: 'IRO Service', service: 'Quality Assurance' },
];

export function context(from: string, to: string, authorityId = 'test'): PopulationContext {
  return {
    authorityId,
    period: { from, to },
    timescales: REGULATIONS_2010,
    professionals: new Map(professionals.map((p) => [p.workerId, p])),
  };
}

export const episode = (childId: string, startDate: string, over: Partial<Episode> = {}): Episode => ({
  childId,
  startDate,
  reasonNewEpisode: 'S',
  legalStatus: 'C2',
  categoryOfNeed: 'N1',
  placement: 'U1',
  placementProvider: 'PR1',
  endDate: null,
  reasonEpisodeCeased: null,
  reasonPlaceChange: null,
  homePostcode: null,
  placementPostcode: null,
  urn: null,
  ...over,
});

export const review = (childId: string, reviewDate: string, over: Partial<Review> = {}): Review => ({
  childId,
  reviewDate,
  participationCode: 'PN1',
  iroId: 'IRO1',
  permanencePlan: ['LTFOST18'],
  carePlanUpToDate: true,
  childSeenBeforeReview: true,
  decisionsIssued: null,
  recordIssued: null,
  stoodDown: false,
  ...over,
});

export const involvement = (
  childId: string,
  workerId: string,
  role: Involvement['role'],
  startDate: string,
  endDate: string | null = null,
): Involvement => ({
  childId,
  workerId,
  role,
  startDate,
  endDate,
});

export const health = (
  childId: string,
  type: HealthEvent['type'],
  date: string,
  over: Partial<HealthEvent> = {},
): HealthEvent => ({
  childId,
  type,
  date,
  status: 'Completed',
  childPresent: true,
  viewsRecorded: true,
  sdqScore: null,
  sdqReason: null,
  immunisationsUpToDate: type === 'RHA' || type === 'IHA' ? true : null,
  ...over,
});

/** A child's SSDA903 OC2 row for the return ending `yearEnding` (31 March): every flag unknown unless given. */
export const oc2 = (childId: string, yearEnding: string, over: Partial<Oc2Outcome> = {}): Oc2Outcome => ({
  childId,
  yearEnding,
  sdqScore: null,
  sdqReason: null,
  convicted: null,
  healthCheck: null,
  immunisations: null,
  teethCheck: null,
  healthAssessment: null,
  substanceMisuse: null,
  interventionReceived: null,
  interventionOffered: null,
  ...over,
});

/** A child with the given records; the SW/TM/IRO default to SW1/TM1/IRO1 from the first episode. */
export function child(
  childId: string,
  dateOfBirth: string,
  records: {
    episodes: Episode[];
    reviews?: Review[];
    involvements?: Involvement[];
    families?: SiblingGroupMember[];
    health?: HealthEvent[];
    oc2?: Oc2Outcome[];
  },
): ChildRecords {
  const start = records.episodes[0]?.startDate ?? '2020-01-01';
  return {
    child: { childId, sex: 'M', dateOfBirth, ethnicity: 'WBRI', upn: null, motherChildDateOfBirth: null },
    episodes: records.episodes,
    reviews: records.reviews ?? [],
    involvements: records.involvements ?? [
      involvement(childId, 'SW1', 'SW', start),
      involvement(childId, 'TM1', 'TM', start),
      involvement(childId, 'IRO1', 'IRO', start),
    ],
    siblingGroups: records.families ?? [],
    healthEvents: records.health ?? [],
    oc2: records.oc2 ?? [],
  };
}

/** A child's records as the loader would store them (reviews split into their two import halves). */
export function toDomainRecords(records: ChildRecords): DomainRecord[] {
  const { child: c, episodes, reviews, involvements, siblingGroups, healthEvents, oc2: oc2Rows } = records;
  return [
    ...(c ? [{ kind: 'child' as const, record: c }] : []),
    ...episodes.map((record) => ({ kind: 'episode' as const, record })),
    ...reviews.flatMap(({ participationCode, ...details }) => [
      {
        kind: 'reviewParticipation' as const,
        record: { childId: details.childId, reviewDate: details.reviewDate, participationCode },
      },
      { kind: 'reviewDetails' as const, record: details },
    ]),
    ...involvements.map((record) => ({ kind: 'involvement' as const, record })),
    ...siblingGroups.map((record) => ({ kind: 'siblingGroupMember' as const, record })),
    ...healthEvents.map((record) => ({ kind: 'healthEvent' as const, record })),
    ...oc2Rows.map((record) => ({ kind: 'oc2' as const, record })),
  ];
}
