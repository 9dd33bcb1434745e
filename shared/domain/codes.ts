/**
 * DfE SSDA903 and Ofsted Annex A code lists the domain uses, with their meanings.
 * Sources: DfE "Children looked after return" guide and Ofsted Annex A (see docs/domain.md).
 */
import * as z from 'zod';

/** Participation in review (SSDA903 REVIEW_CODE). */
export const PARTICIPATION_CODES = {
  PN0: 'Child aged under 4 at the time of the review',
  PN1: 'Child physically attends and speaks for themselves',
  PN2: 'Child physically attends; an advocate or the IRO speaks on their behalf',
  PN3: 'Child attends and conveys their views non-verbally',
  PN4: 'Child physically attends but does not contribute',
  PN5: 'Child does not attend but briefs an advocate to speak for them',
  PN6: 'Child does not attend but conveys their views by another method (text, form, phone, app)',
  PN7: 'Child does not attend and conveys no views',
} as const;
export const ParticipationCode = z.enum(
  Object.keys(PARTICIPATION_CODES) as [keyof typeof PARTICIPATION_CODES, ...(keyof typeof PARTICIPATION_CODES)[]],
);
export type ParticipationCode = z.infer<typeof ParticipationCode>;

/** Legal status (SSDA903 LS). V3/V4 are short breaks: no statutory reviews. */
export const LEGAL_STATUSES = {
  C1: 'Interim care order',
  C2: 'Full care order',
  D1: 'Freeing order granted',
  E1: 'Placement order granted',
  J1: 'Remanded to local authority accommodation or youth detention accommodation',
  J2: 'Placed in local authority accommodation under PACE',
  J3: 'Sentenced to a youth rehabilitation order with residence or intensive fostering',
  L1: 'Under police protection and in local authority accommodation',
  L2: 'Emergency protection order',
  L3: 'Under child assessment order and in local authority accommodation',
  V2: 'Single period of accommodation under section 20',
  V3: 'Accommodated under an agreed series of short-term breaks (single placements)',
  V4: 'Accommodated under an agreed series of short-term breaks (multiple placements)',
} as const;
export const LegalStatus = z.enum(
  Object.keys(LEGAL_STATUSES) as [keyof typeof LEGAL_STATUSES, ...(keyof typeof LEGAL_STATUSES)[]],
);
export type LegalStatus = z.infer<typeof LegalStatus>;
/** Short-break legal statuses: such periods have no reg 33 reviews. */
export const SHORT_BREAK_STATUSES: ReadonlySet<LegalStatus> = new Set(['V3', 'V4']);

/** Reason for new episode (SSDA903 RNE). */
export const NEW_EPISODE_REASONS = {
  S: 'Started to be looked after',
  L: 'Change of legal status only',
  P: 'Change of placement and carers only',
  T: 'Change of placement but same carers only',
  U: 'Change of legal status and of placement and carers at the same time',
  B: 'Change of legal status and of placement but same carers at the same time',
} as const;
export const NewEpisodeReason = z.enum(
  Object.keys(NEW_EPISODE_REASONS) as [keyof typeof NEW_EPISODE_REASONS, ...(keyof typeof NEW_EPISODE_REASONS)[]],
);
export type NewEpisodeReason = z.infer<typeof NewEpisodeReason>;

/**
 * Reason episode ceased (SSDA903 REC). Only X1 keeps the child looked after (a new episode follows);
 * every other code ends the period of care.
 */
export const EpisodeEndReason = z
  .string()
  .refine((code) => Object.hasOwn(EPISODE_END_REASONS, code), 'must be an SSDA903 REC code such as X1, E11, E4A or E8');
export type EpisodeEndReason = z.infer<typeof EpisodeEndReason>;
export const CONTINUES_PERIOD_OF_CARE = 'X1';

/** Why a placement ended (SSDA903 REASON_PLACE_CHANGE, on the episode whose placement ended). */
export const REASONS_PLACE_CHANGE = {
  CARPL: 'Change to, or implementation of, the care plan',
  CLOSE: 'Resignation or closure of the provider',
  ALLEG: 'Allegation (s47) against the carer',
  STAND: 'Standards of care concern',
  APPRR: 'Approval removed',
  CREQB: 'Carer request: the child’s behaviour',
  CREQO: 'Carer request: other reasons',
  CHILD: 'Child’s request',
  LAREQ: 'Responsible or area authority request',
  PLACE: 'Change in the status of the placement only',
  CUSTOD: 'Custody arrangement',
  OTHER: 'Other',
} as const;
export const ReasonPlaceChange = z.enum(
  Object.keys(REASONS_PLACE_CHANGE) as [keyof typeof REASONS_PLACE_CHANGE, ...(keyof typeof REASONS_PLACE_CHANGE)[]],
);

/** Category of need (SSDA903 CIN). */
export const CategoryOfNeed = z.enum(['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8']);
// CATEGORIES_OF_NEED (below, with the other SSDA903 lists) gives each code's meaning.
export type CategoryOfNeed = z.infer<typeof CategoryOfNeed>;

/** Permanence plan options: Ofsted Annex A letters and the finer SSD keys (several may be set: parallel planning). */
export const ANNEX_A_PERMANENCE_OPTIONS = {
  a: 'Return to family',
  b: 'Adoption',
  c: 'Special guardianship order or child arrangements order',
  d: 'Supported living in the community',
  e: 'Long-term residential placement',
  f: 'Long-term fostering',
  g: 'Other',
} as const;
export const SSD_PERMANENCE_KEYS = {
  REMAINSUP: 'Remain with parents or family with support',
  RETURN1M: 'Return to family within 1 month',
  RETURN6M: 'Return to family within 6 months',
  RETURNEV: 'Eventual return to family',
  LTRELFR: 'Long-term care with relative or friend',
  LTFOST18: 'Long-term fostering to age 18',
  RESPLMT: 'Residential placement',
  SUPPLIV: 'Supported living',
  ADOPTION: 'Adoption',
  OTHERPLN: 'Other plan',
} as const;
export const PermanencePlanCode = z.enum([
  ...(Object.keys(ANNEX_A_PERMANENCE_OPTIONS) as (keyof typeof ANNEX_A_PERMANENCE_OPTIONS)[]),
  ...(Object.keys(SSD_PERMANENCE_KEYS) as (keyof typeof SSD_PERMANENCE_KEYS)[]),
] as [string, ...string[]]);
export type PermanencePlanCode = keyof typeof ANNEX_A_PERMANENCE_OPTIONS | keyof typeof SSD_PERMANENCE_KEYS;

/** Professional roles in an involvement (SSD extract ROLE). */
export const PROFESSIONAL_ROLES = {
  SW: 'Social worker',
  TM: 'Team manager',
  IRO: 'Independent reviewing officer',
  PA: 'Personal adviser (leaving care)',
} as const;
export const ProfessionalRole = z.enum(['SW', 'TM', 'IRO', 'PA']);
export type ProfessionalRole = z.infer<typeof ProfessionalRole>;

/** Health events recorded for a child looked after. */
export const HEALTH_EVENT_TYPES = {
  IHA: 'Initial health assessment',
  RHA: 'Review health assessment',
  HA: 'Health assessment, initial or review not stated (Ofsted Annex A gives only the date of the last one)',
  DENTAL: 'Dental check',
  DEVELOPMENT: 'Development check (under 5)',
  SDQ: 'Strengths and Difficulties Questionnaire',
} as const;
export const HealthEventType = z.enum(['IHA', 'RHA', 'HA', 'DENTAL', 'DEVELOPMENT', 'SDQ']);
export type HealthEventType = z.infer<typeof HealthEventType>;
export const HealthEventStatus = z.enum(['Completed', 'Planned', 'Refused', 'Cancelled']);
export type HealthEventStatus = z.infer<typeof HealthEventStatus>;

/** Why no SDQ score was returned (SSDA903 SDQ_REASON). */
export const SDQ_REASONS = {
  SDQ1: 'No form returned as child was aged under 4 or over 17 at date of latest assessment',
  SDQ2: 'Carer(s) refused to complete and return questionnaire',
  SDQ3: 'Not possible to complete the questionnaire due to severity of the child’s disability',
  SDQ4: 'Other',
  SDQ5: 'Child or young person refuses to allow an SDQ to be completed',
} as const;
export const SdqReason = z.enum(['SDQ1', 'SDQ2', 'SDQ3', 'SDQ4', 'SDQ5']);
export type SdqReason = z.infer<typeof SdqReason>;

/**
 * SSDA903 SEX. The DfE's codes changed in the 2024-25 collection: `1` male and `2` female until
 * 2023-24, `M`, `F` and `U` from 2024-25. The domain keeps one set, the current one: an older
 * return's `1` is stored as `M` and `2` as `F`, so a child reads the same whichever year's return
 * brought them.
 */
export const SEXES = {
  M: 'Male',
  F: 'Female',
  U: 'Unknown or indeterminate',
} as const;
/** The codes of returns up to 2023-24, and the current code each stands for. */
export const SEXES_UNTIL_2023_24 = { '1': 'M', '2': 'F' } as const;
export const Sex = z.preprocess(
  (v) =>
    typeof v === 'string' && v in SEXES_UNTIL_2023_24 ? SEXES_UNTIL_2023_24[v as keyof typeof SEXES_UNTIL_2023_24] : v,
  z.enum(['M', 'F', 'U']),
);
export type Sex = z.infer<typeof Sex>;

/** Ethnicity (SSDA903 ETHNIC): the DfE's census categories. */
export const ETHNICITIES = {
  WBRI: 'White British',
  WIRI: 'White Irish',
  WOTH: 'Any other White background',
  WIRT: 'Traveller of Irish heritage',
  WROM: 'Gypsy or Roma',
  MWBC: 'White and Black Caribbean',
  MWBA: 'White and Black African',
  MWAS: 'White and Asian',
  MOTH: 'Any other mixed background',
  AIND: 'Indian',
  APKN: 'Pakistani',
  ABAN: 'Bangladeshi',
  AOTH: 'Any other Asian background',
  BCRB: 'Black Caribbean',
  BAFR: 'Black African',
  BOTH: 'Any other Black background',
  CHNE: 'Chinese',
  OOTH: 'Any other ethnic group',
  REFU: 'Refused',
  NOBT: 'Information not yet obtained',
} as const;

/**
 * Placement type (SSDA903 PLACE). The DfE adds and retires codes: K3 (supported accommodation) from
 * 2024-25; from 2025-26 H5 and P2 are retired and Z1 (other placements) is split into Z11–Z14. The
 * years each code is valid in are in `PLACEMENT_TYPE_YEARS`.
 */
export const PLACEMENT_TYPES = {
  A3: 'Placed for adoption with consent, with current foster carers',
  A4: 'Placed for adoption with consent, not with current foster carers',
  A5: 'Placed for adoption with a placement order, with current foster carers',
  A6: 'Placed for adoption with a placement order, not with current foster carers',
  H5: 'Semi-independent living not subject to children’s homes regulations',
  K1: 'Secure children’s home',
  K2: 'Children’s home',
  K3: 'Supported accommodation',
  P1: 'Placed with own parents or others with parental responsibility',
  P2: 'Independent living (flat, lodgings, bedsit, B&B or with friends)',
  P3: 'Residential employment',
  R1: 'Residential care home',
  R2: 'NHS or health trust establishment providing medical or nursing care',
  R3: 'Family centre or mother and baby unit',
  R5: 'Young offender institution or prison',
  S1: 'Residential school',
  T0: 'Temporary move of any kind',
  T1: 'Temporary period in hospital',
  T2: 'Temporary absence on holiday',
  T3: 'Temporary accommodation while the usual foster carers are on holiday',
  T4: 'Temporary accommodation of 7 days or less for any other reason',
  U1: 'Fostered with a relative or friend: long-term fostering',
  U2: 'Fostered with a relative or friend who is an approved adopter: fostering for adoption or concurrent planning',
  U3: 'Fostered with a relative or friend: not long-term, fostering for adoption or concurrent planning',
  U4: 'Fostered with another foster carer: long-term fostering',
  U5: 'Fostered with another foster carer who is an approved adopter: fostering for adoption or concurrent planning',
  U6: 'Fostered with another foster carer: not long-term, fostering for adoption or concurrent planning',
  Z1: 'Other placement',
  Z11: 'Other placement (Z11)',
  Z12: 'Other placement (Z12)',
  Z13: 'Other placement (Z13)',
  Z14: 'Other placement (Z14)',
} as const;
export type PlacementType = keyof typeof PLACEMENT_TYPES;
/** The collection years a placement type is valid in, where it is not every year. */
export const PLACEMENT_TYPE_YEARS: Partial<Record<PlacementType, { from?: string; until?: string }>> = {
  H5: { until: '2024-25' },
  P2: { until: '2024-25' },
  Z1: { until: '2024-25' },
  K3: { from: '2024-25' },
  Z11: { from: '2025-26' },
  Z12: { from: '2025-26' },
  Z13: { from: '2025-26' },
  Z14: { from: '2025-26' },
};

/** Placement provider (SSDA903 PLACE_PROVIDER). */
export const PLACEMENT_PROVIDERS = {
  PR0: 'Parents or others with parental responsibility',
  PR1: 'Own local authority provision',
  PR2: 'Other local authority provision',
  PR3: 'Other public provision (for example a primary care trust)',
  PR4: 'Private provision',
  PR5: 'Voluntary, not-for-profit or third sector provision',
} as const;

/** Reason episode ceased (SSDA903 REC), with the meaning of each code. */
export const EPISODE_END_REASONS = {
  X1: 'Episode ceases and a new one begins: the child stays looked after',
  E11: 'Adopted: application for an adoption order unopposed',
  E12: 'Adopted: consent dispensed with by the court',
  E13: 'Left care to live with parents, relatives or others with parental responsibility',
  E14: 'Accommodation on remand ended',
  E15: 'Age assessment found the child to be 18 or over',
  E16: 'Child moved abroad',
  E17: 'Aged 18 or over and remained with current carers (staying put)',
  E2: 'Died',
  E3: 'Care taken over by another local authority in the UK',
  E41: 'Residence order or child arrangements order granted',
  E45: 'Special guardianship order made to former foster carers',
  E46: 'Special guardianship order made to carers other than former foster carers',
  E47: 'Special guardianship order made to former foster carers who were relatives or friends',
  E48: 'Special guardianship order made to carers, other than former foster carers, who were relatives or friends',
  E4A: 'Returned home to live with parents or others with parental responsibility as part of the care planning process',
  E4B: 'Returned home to live with parents or others with parental responsibility not as part of the care planning process',
  E5: 'Moved into independent living arrangement with formalised support',
  E6: 'Moved into independent living arrangement without formalised support',
  E7: 'Transferred to residential care funded by adult social care services',
  E8: 'Period of being looked after ceased for any other reason',
  E9: 'Sentenced to custody',
} as const;

/** Category of need (SSDA903 CIN). */
export const CATEGORIES_OF_NEED = {
  N1: 'Abuse or neglect',
  N2: 'Child’s disability',
  N3: 'Parental illness or disability',
  N4: 'Family in acute stress',
  N5: 'Family dysfunction',
  N6: 'Socially unacceptable behaviour',
  N7: 'Low income',
  N8: 'Absent parenting',
} as const;

/** Builds a zod enum from a code list's keys, so the list and the validator cannot drift apart. */
function codeEnum<T extends Record<string, string>>(codes: T) {
  return z.enum(Object.keys(codes) as [keyof T & string, ...(keyof T & string)[]]);
}

/** Whether the local authority is in touch with a care leaver (SSDA903 OC3 IN_TOUCH). */
export const IN_TOUCH_CODES = {
  YES: 'In touch',
  NO: 'Not in touch',
  DIED: 'Died since leaving care',
  REFU: 'Young person refuses contact',
  NREQ: 'No longer requires services',
  RHOM: 'Returned home to live with parents for 6 months or more',
} as const;
export const InTouch = codeEnum(IN_TOUCH_CODES);

/** A care leaver's main activity (SSDA903 OC3 ACTIV); 0 when not recorded because IN_TOUCH is DIED or RHOM. */
export const CARE_LEAVER_ACTIVITIES = {
  F1: 'Full-time higher education',
  P1: 'Part-time higher education',
  F2: 'Full-time education other than higher',
  P2: 'Part-time education other than higher',
  F4: 'Full-time apprenticeship or training',
  P4: 'Part-time apprenticeship or training',
  F5: 'Full-time employment',
  P5: 'Part-time employment',
  G4: 'Not in education, employment or training: illness or disability',
  G5: 'Not in education, employment or training: other reasons',
  G6: 'Not in education, employment or training: pregnancy or parenting',
  '0': 'Not recorded (died or returned home)',
} as const;
export const CareLeaverActivity = codeEnum(CARE_LEAVER_ACTIVITIES);

/**
 * A care leaver's accommodation (SSDA903 OC3 ACCOM): a letter for the kind of accommodation and 1
 * (suitable) or 2 (not suitable); 0 when not recorded.
 */
export const CareLeaverAccommodation = z
  .string()
  .regex(
    /^([BCDEGHKRTUVWYZ][12]|S2|X2|0)$/,
    'must be an SSDA903 ACCOM code: a letter (B–Z) and 1 (suitable) or 2 (not suitable), such as B1 or Z2, or 0',
  );

/** Sex of adopter(s) (SSDA903 AD1 SEX_ADOPTR). */
export const ADOPTER_SEXES = {
  M1: 'Male adopter',
  F1: 'Female adopter',
  MM: 'Male couple',
  FF: 'Female couple',
  MF: 'Male and female couple',
} as const;
export const AdopterSex = codeEnum(ADOPTER_SEXES);

/**
 * Legal status of adopter(s) (SSDA903 AD1 LS_ADOPTR). The meanings follow the DfE's rules on them:
 * L0 is one adopter (514), L11 and L3 a couple of different sexes (520, 517), L12 and L4 a couple of
 * the same sex (524, 518), L2 a civil partnership of either (519).
 */
export const ADOPTER_LEGAL_STATUSES = {
  L0: 'Single adopter, such as the partner of a parent',
  L11: 'Married couple of different sexes',
  L12: 'Married couple of the same sex',
  L2: 'Civil partners',
  L3: 'Unmarried couple of different sexes',
  L4: 'Unmarried couple of the same sex',
} as const;
export const AdopterLegalStatus = codeEnum(ADOPTER_LEGAL_STATUSES);

/** Why a decision to place for adoption was reversed (SSDA903 PlacedAdoption REASON_PLACED_CEASED). */
export const PLACED_FOR_ADOPTION_CEASED_REASONS = {
  RD1: "Child's needs changed after the decision",
  RD2: 'Court did not grant the placement order',
  RD3: 'Prospective adopters could not be found',
  RD4: 'Any other reason',
} as const;
export const PlacedForAdoptionCeasedReason = codeEnum(PLACED_FOR_ADOPTION_CEASED_REASONS);

/** Permanence before this period of care (SSDA903 PrevPerm PREV_PERM). */
export const PREVIOUS_PERMANENCE_OPTIONS = {
  P1: 'Adoption',
  P2: 'Special guardianship order',
  P3: 'Residence order or child arrangements order',
  P4: 'Adoption abroad (historic)',
  Z1: 'None, or not known',
} as const;
export const PreviousPermanenceOption = codeEnum(PREVIOUS_PERMANENCE_OPTIONS);

/** Missing or away from placement without authorisation (SSDA903 Missing MISSING). */
export const MISSING_TYPES = { M: 'Missing from placement', A: 'Away from placement without authorisation' } as const;
export const MissingType = codeEnum(MISSING_TYPES);

/** Why a child's social worker changed (SSDA903 SWEpisodes SW_REASON, from 2023-24). */
export const SOCIAL_WORKER_CHANGE_REASONS = {
  MANAGE: 'Management decision',
  FCONTA: 'Family requested a change',
  LEFTRL: 'Social worker left the role',
  ORGRST: 'Organisational restructure',
  TSPROC: 'Transfer to a different service or process',
  ABSENC: 'Social worker absent',
  CHCHAN: "Child's circumstances changed",
  PCCHAN: "Child's placement changed",
  SWDIED: 'Social worker died',
  OTHERS: 'Other',
} as const;
export const SocialWorkerChangeReason = codeEnum(SOCIAL_WORKER_CHANGE_REASONS);
