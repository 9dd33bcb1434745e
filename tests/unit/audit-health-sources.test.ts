/**
 * The health audit reads the DfE's OC2 table wherever no health extract covers a child: Southwark's
 * 2015-16 health table (IRO annual report §9.4) reproduced from an OC2-only authority, through the
 * real population rule, tables, criteria and findings; the source each child's figures came from.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { addDays } from '#calendar/dates';
import { ageOn } from '#domain/dates';
import type { Oc2Outcome } from '#domain/records';
import { REGULATIONS_2010 } from '#domain/timescales';
import { FindingsDocument, HealthTable, type FindingsDocument as Findings } from '#engine/findings-model';
import { childUnits, healthExtractCovers, oc2YearEndingFor } from '#engine/population';
import { runAudit } from '#audit/runner';
import { TableAccumulator } from '#engine/tables';
import { readTemplateLibrary } from '#audit/template-library';
import type { AuditTemplate } from '#engine/template';
import { healthSourcesSentence } from '#reports/csv';
import { reportHtml } from '#reports/html';
import { findingsXlsx } from '#reports/xlsx';
import type { ChildRecords, RecordStore } from '#store/record-store';
import { child, context, episode, health, oc2, professionals } from '../support/records.ts';

const template = (await readTemplateLibrary()).templates.get('health-assessments') as AuditTemplate;
const YEAR_ENDING = '2016-03-31';
const PERIOD = { from: '2015-04-01', to: YEAR_ENDING };

/**
 * Southwark 2015-16, §9.4: cohort (children looked after at 31 March 2016 looked after for at least
 * 12 months) 340; annual health assessment 326 (96%); up-to-date immunisations 235 (69%); teeth
 * checked by a dentist 311 (91%); aged under 5: 29; up-to-date development assessment 26 (90%).
 */
const SOUTHWARK = {
  cohort: 340,
  healthAssessment: 326,
  immunisations: 235,
  teethChecked: 311,
  under5: 29,
  developmentUpToDate: 26,
};
const PUBLISHED_PERCENT = { healthAssessment: 96, immunisations: 69, teethChecked: 91, developmentUpToDate: 90 };

const id = (n: number) => `C${String(n).padStart(4, '0')}`;
/** True for exactly `count` of the indices 0…n−1, spread over them (`step` shares no factor with n). */
const spread = (i: number, count: number, n: number, step: number) => (i * step) % n < count;

/**
 * A synthetic OC2-only authority (fake ids and dates of birth; episodes and OC2 rows, no health
 * events) whose cohort at 31 March 2016 carries Southwark's 2015-16 figures, and children who must
 * not count: in care a day short of 12 months, in care under a year, left care before 31 March,
 * only short breaks, back in care within the year, or with OC2 rows for other years only.
 */
function southwarkLikeAuthority(): ChildRecords[] {
  const children: ChildRecords[] = [];
  const fives = SOUTHWARK.cohort - SOUTHWARK.under5;
  for (let i = 0; i < SOUTHWARK.cohort; i++) {
    const childId = id(i + 1);
    const under5 = i >= fives;
    const j = i - fives; // place among the under-5s
    // C0001 is 5 exactly on 31 March 2016: not under 5. The under-5s were born April 2011 to early 2014.
    const dateOfBirth = i === 0 ? '2011-03-31' : under5 ? addDays('2011-04-01', j * 37) : addDays('1998-04-02', i * 15);
    // C0002 came into care on 1 April 2015: looked after every day of the year to 31 March 2016.
    const start = i === 1 ? '2015-04-01' : addDays(dateOfBirth, 10 + (i % 300));
    // Some children moved placement (a new episode, the period of care continuing), some twice.
    const moves = i % 3 === 0 ? [addDays(start, 120)] : i % 5 === 0 ? [addDays(start, 40), addDays(start, 90)] : [];
    const starts = [start, ...moves];
    const episodes = starts.map((s, k) =>
      episode(childId, s, {
        reasonNewEpisode: k === 0 ? 'S' : 'P',
        endDate: starts[k + 1] ?? null,
        reasonEpisodeCeased: starts[k + 1] ? 'X1' : null,
      }),
    );
    const sdqAge = ageOn(dateOfBirth, YEAR_ENDING) >= 4 && ageOn(dateOfBirth, YEAR_ENDING) <= 16;
    const rows: Oc2Outcome[] = [
      oc2(childId, YEAR_ENDING, {
        healthAssessment: spread(i, SOUTHWARK.healthAssessment, SOUTHWARK.cohort, 3),
        immunisations: spread(i, SOUTHWARK.immunisations, SOUTHWARK.cohort, 7),
        teethCheck: spread(i, SOUTHWARK.teethChecked, SOUTHWARK.cohort, 11),
        healthCheck: under5 ? spread(j, SOUTHWARK.developmentUpToDate, SOUTHWARK.under5, 5) : null,
        sdqScore: sdqAge && i % 4 !== 0 ? i % 30 : null,
        sdqReason: sdqAge && i % 4 === 0 ? 'SDQ4' : null,
      }),
    ];
    // Every tenth child has the returns either side too, saying the opposite: only 2015-16's is read.
    if (i % 10 === 0) {
      rows.push(
        oc2(childId, '2015-03-31', {
          healthAssessment: false,
          immunisations: false,
          teethCheck: false,
          healthCheck: false,
        }),
      );
      rows.push(
        oc2(childId, '2017-03-31', {
          healthAssessment: true,
          immunisations: true,
          teethCheck: true,
          healthCheck: true,
        }),
      );
    }
    children.push(child(childId, dateOfBirth, { episodes, oc2: rows }));
  }
  const allTrue = { healthAssessment: true, immunisations: true, teethCheck: true, healthCheck: true, sdqScore: 10 };
  let n = SOUTHWARK.cohort;
  const notCounted = (
    dateOfBirth: string,
    episodes: (childId: string) => ChildRecords['episodes'],
    years: string[],
  ) => {
    const childId = id(++n);
    children.push(
      child(childId, dateOfBirth, { episodes: episodes(childId), oc2: years.map((y) => oc2(childId, y, allTrue)) }),
    );
  };
  // In care from 2 April 2015, a day short of 12 months at 31 March 2016: their OC2 row (which the return should not have) is not counted.
  notCounted('2008-05-06', (c) => [episode(c, '2015-04-02')], [YEAR_ENDING]);
  // In care from October 2015: under 12 months.
  notCounted('2009-07-19', (c) => [episode(c, '2015-10-12')], []);
  // Left care in February 2016, after years in care: in the previous year's return only.
  notCounted('2003-01-23', (c) => [episode(c, '2009-05-01', { endDate: '2016-02-10', reasonEpisodeCeased: 'E4A' })], [
    '2015-03-31',
  ]);
  // Left care the day before 31 March 2016.
  notCounted('2004-11-02', (c) => [episode(c, '2012-06-04', { endDate: '2016-03-30', reasonEpisodeCeased: 'E4A' })], [
    '2015-03-31',
  ]);
  // In care from June 2015: in the next year's return only.
  notCounted('2006-02-14', (c) => [episode(c, '2015-06-01')], ['2017-03-31']);
  // Only short breaks since 2013: not in the DfE's cohort.
  notCounted('2007-09-30', (c) => [episode(c, '2013-05-06', { legalStatus: 'V3' })], []);
  // Left care in 2014 and came back in September 2015: not continuously looked after.
  notCounted(
    '2005-03-08',
    (c) => [episode(c, '2010-01-04', { endDate: '2014-08-01', reasonEpisodeCeased: 'E13' }), episode(c, '2015-09-01')],
    ['2014-03-31'],
  );
  return children;
}

/** The store port as the audit runner reads it, over records in memory (one authority). */
function storeOf(children: readonly ChildRecords[]): RecordStore {
  const store: Pick<RecordStore, 'getAuthority' | 'professionals' | 'scanChildRecords'> = {
    getAuthority: async (authorityId) => ({ authorityId, name: 'Synthetic Borough', timescales: REGULATIONS_2010 }),
    professionals: async function* () {
      yield* professionals;
    },
    scanChildRecords: async function* (_authorityId, segment, totalSegments) {
      for (const [i, records] of children.entries()) if (i % totalSegments === segment) yield records;
    },
  };
  return store as RecordStore;
}

async function audit(children: readonly ChildRecords[], period = PERIOD): Promise<Findings> {
  const { findings } = await runAudit(
    storeOf(children),
    {
      auditId: 'health-2016',
      authorityId: 'synthetic',
      title: 'Health of children looked after 2015-16',
      template,
      period,
      sampling: { type: 'all' },
      seed: 1,
      autoOnly: true,
    },
    { now: () => new Date('2016-04-20T09:00:00Z') },
  );
  return FindingsDocument.parse(findings);
}

const percent = (part: number, whole: number) => Math.round((100 * part) / whole);
const criterion = (findings: Findings, criterionId: string) => findings.criteria.find((c) => c.id === criterionId)!;
const sourceIn = (findings: Findings, recordIndex: number, criterionId: string) =>
  findings.records[recordIndex]!.outcomes[criterionId]!.evidence!.values.find((v) => v.name === 'health.source')?.value;

describe('Southwark 2015-16 health table (§9.4) from an OC2-only authority', async () => {
  const children = southwarkLikeAuthority();
  const findings = await audit(children);
  // The authority's first 340 children are the cohort, by construction; the rest must not count.
  const cohort = children.slice(0, SOUTHWARK.cohort);
  const sdqEligible = cohort.filter(
    (c) => ageOn(c.child!.dateOfBirth, YEAR_ENDING) >= 4 && ageOn(c.child!.dateOfBirth, YEAR_ENDING) <= 16,
  );

  it('has no health extract at all, and leaves out exactly the children who must not count', () => {
    expect(children.every((c) => c.healthEvents.length === 0)).toBe(true);
    const ctx = context(PERIOD.from, PERIOD.to);
    const counted = children
      .filter((c) => childUnits('oc2-cohort-at-period-end', c, ctx).length === 1)
      .map((c) => c.child!.childId);
    expect(counted).toEqual(cohort.map((c) => c.child!.childId));
    expect(children.length - counted.length).toBe(7);
  });

  it('reproduces the published counts and percentages', () => {
    const h = findings.tables.health!;
    expect(h).toMatchObject({
      ...SOUTHWARK,
      fromHealthExtract: 0,
      fromOc2: SOUTHWARK.cohort,
      oc2YearEnding: YEAR_ENDING,
    });
    expect(findings.population).toBe(SOUTHWARK.cohort);
    expect(percent(h.healthAssessment, h.cohort)).toBe(PUBLISHED_PERCENT.healthAssessment);
    expect(percent(h.immunisations, h.cohort)).toBe(PUBLISHED_PERCENT.immunisations);
    expect(percent(h.teethChecked, h.cohort)).toBe(PUBLISHED_PERCENT.teethChecked);
    expect(percent(h.developmentUpToDate, h.under5)).toBe(PUBLISHED_PERCENT.developmentUpToDate);
  });

  it('counts SDQs of the 4 to 16-year-olds from the OC2 score, a reason being no score', () => {
    const scored = sdqEligible.filter((c) => c.oc2.find((o) => o.yearEnding === YEAR_ENDING)!.sdqScore !== null);
    expect(findings.tables.health).toMatchObject({ sdqEligible: sdqEligible.length, sdqScored: scored.length });
    expect(criterion(findings, 'sdq-completed')).toMatchObject({
      met: scored.length,
      notMet: sdqEligible.length - scored.length,
      cannotTell: 0,
    });
  });

  it('judges the template’s criteria met or not met from the OC2 flags, never "cannot tell"', () => {
    const assessment = [
      criterion(findings, 'health-assessment-5-plus'),
      criterion(findings, 'health-assessment-under-5'),
    ];
    expect(assessment.reduce((n, c) => n + c.met, 0)).toBe(SOUTHWARK.healthAssessment);
    expect(assessment.reduce((n, c) => n + c.notMet, 0)).toBe(SOUTHWARK.cohort - SOUTHWARK.healthAssessment);
    expect(criterion(findings, 'health-assessment-under-5')).toMatchObject({
      notApplicable: SOUTHWARK.cohort - SOUTHWARK.under5,
    });
    expect(criterion(findings, 'immunisations-up-to-date')).toMatchObject({
      met: SOUTHWARK.immunisations,
      notMet: SOUTHWARK.cohort - SOUTHWARK.immunisations,
    });
    expect(criterion(findings, 'dental-check')).toMatchObject({
      met: SOUTHWARK.teethChecked,
      notMet: SOUTHWARK.cohort - SOUTHWARK.teethChecked,
    });
    expect(criterion(findings, 'development-check-under-5')).toMatchObject({
      met: SOUTHWARK.developmentUpToDate,
      notMet: SOUTHWARK.under5 - SOUTHWARK.developmentUpToDate,
      notApplicable: SOUTHWARK.cohort - SOUTHWARK.under5,
    });
    for (const id of [
      'health-assessment-5-plus',
      'health-assessment-under-5',
      'immunisations-up-to-date',
      'dental-check',
      'development-check-under-5',
      'sdq-completed',
    ]) {
      expect(criterion(findings, id).cannotTell, id).toBe(0);
    }
    // The return does not say whether the child was present at the assessment.
    expect(criterion(findings, 'child-involved-in-assessment')).toMatchObject({
      met: 0,
      notMet: 0,
      cannotTell: SOUTHWARK.cohort,
    });
  });

  it('says in every record that the figures came from OC2, and names the year in the tables', () => {
    expect(findings.records).toHaveLength(SOUTHWARK.cohort);
    expect(findings.records.every((_, i) => sourceIn(findings, i, 'immunisations-up-to-date') === 'OC2')).toBe(true);
    expect(healthSourcesSentence(findings.tables.health!)).toBe(
      `Figures from the health extract: 0 children; from the DfE return (OC2) for the year ending 31 March 2016: ${SOUTHWARK.cohort} children.`,
    );
  });
});

describe('the OC2 cohort and ages at 31 March', () => {
  const ctx = context(PERIOD.from, PERIOD.to);
  const flags = { healthAssessment: true, immunisations: true, teethCheck: true, healthCheck: true };

  it('counts a child whose 12 months complete exactly on 31 March (in care from 1 April), not one who came in a day later', () => {
    const inCareFrom = (start: string) =>
      childUnits(
        'oc2-cohort-at-period-end',
        child('C0001', '2010-05-05', { episodes: [episode('C0001', start)], oc2: [oc2('C0001', YEAR_ENDING, flags)] }),
        ctx,
      );
    expect(inCareFrom('2015-04-01')).toHaveLength(1);
    expect(inCareFrom('2015-04-02')).toEqual([]);
  });

  it('takes a child who is 5 on 31 March as 5, not under 5: the development check does not apply', async () => {
    const findings = await audit([
      child('C0001', '2011-03-31', {
        episodes: [episode('C0001', '2012-01-09')],
        oc2: [oc2('C0001', YEAR_ENDING, { ...flags, healthCheck: null })],
      }),
    ]);
    expect(findings.tables.health).toMatchObject({ cohort: 1, under5: 0, developmentUpToDate: 0 });
    expect(criterion(findings, 'development-check-under-5')).toMatchObject({ notApplicable: 1 });
    expect(criterion(findings, 'health-assessment-5-plus')).toMatchObject({ met: 1 });
  });

  it('reads the return for the last 31 March in the 12 months to the period end, and takes ages then', async () => {
    expect([
      oc2YearEndingFor('2016-03-31'),
      oc2YearEndingFor('2016-12-31'),
      oc2YearEndingFor('2016-03-30'),
      oc2YearEndingFor('2016-04-01'),
    ]).toEqual(['2016-03-31', '2016-03-31', '2015-03-31', '2016-03-31']);
    // Four on 31 March 2016, five by the period end: the return counted an under-5.
    const records = child('C0001', '2011-06-01', {
      episodes: [episode('C0001', '2012-02-06')],
      oc2: [
        oc2('C0001', '2016-03-31', { ...flags, healthCheck: true }),
        oc2('C0001', '2017-03-31', { healthAssessment: false }),
      ],
    });
    const findings = await audit([records], { from: '2016-01-01', to: '2016-12-31' });
    expect(findings.tables.health).toMatchObject({
      cohort: 1,
      under5: 1,
      developmentUpToDate: 1,
      healthAssessment: 1,
      oc2YearEnding: '2016-03-31',
    });
    expect(findings.records[0]!.outcomes['development-check-under-5']).toMatchObject({ outcome: 'met' });
  });

  it('judges a blank OC2 flag "cannot tell" and a child with neither source "cannot tell", counted as having no health record', async () => {
    const findings = await audit([
      child('C0001', '2008-01-01', {
        episodes: [episode('C0001', '2012-01-09')],
        oc2: [oc2('C0001', YEAR_ENDING, { healthAssessment: false, immunisations: null, teethCheck: true })],
      }),
      child('C0002', '2008-01-01', { episodes: [episode('C0002', '2012-01-09')] }),
    ]);
    expect(findings.records.map((r) => r.outcomes['immunisations-up-to-date']!.outcome)).toEqual([
      'cannot-tell',
      'cannot-tell',
    ]);
    expect(findings.records.map((r) => r.outcomes['health-assessment-5-plus']!.outcome)).toEqual([
      'not-met',
      'cannot-tell',
    ]);
    expect(findings.records.map((r) => r.outcomes['dental-check']!.outcome)).toEqual(['met', 'cannot-tell']);
    expect(findings.records[1]!.outcomes['dental-check']!.evidence!.missing).toEqual([
      'health.source',
      'health.teethChecked',
    ]);
    expect(findings.tables.health).toMatchObject({ cohort: 2, fromHealthExtract: 0, fromOc2: 1 });
    expect(healthSourcesSentence(findings.tables.health!)).toBe(
      'Figures from the health extract: 0 children; from the DfE return (OC2) for the year ending 31 March 2016: 1 child; no health record: 1 child.',
    );
  });
});

describe('the health extract and OC2 together', () => {
  // C0001's extract says assessed and teeth checked in the year; their OC2 row says the opposite. C0002 has only an OC2 row.
  const both = child('C0001', '2008-01-01', {
    episodes: [episode('C0001', '2012-01-09')],
    health: [health('C0001', 'RHA', '2015-11-02'), health('C0001', 'DENTAL', '2015-08-14')],
    oc2: [oc2('C0001', YEAR_ENDING, { healthAssessment: false, immunisations: false, teethCheck: false })],
  });
  const oc2Only = child('C0002', '2008-01-01', {
    episodes: [episode('C0002', '2012-01-09')],
    oc2: [oc2('C0002', YEAR_ENDING, { healthAssessment: true, immunisations: true, teethCheck: false })],
  });

  it('takes a child’s figures from the extract that covers them, without counting their OC2 row, and records the source', async () => {
    const findings = await audit([both, oc2Only]);
    expect(findings.tables.health).toMatchObject({
      cohort: 2,
      healthAssessment: 2,
      immunisations: 2,
      teethChecked: 1,
      fromHealthExtract: 1,
      fromOc2: 1,
    });
    expect(findings.records.map((_, i) => sourceIn(findings, i, 'health-assessment-5-plus'))).toEqual([
      'health extract',
      'OC2',
    ]);
    expect(findings.records.map((r) => r.outcomes['dental-check']!.outcome)).toEqual(['met', 'not-met']);
    // The extract says whether the child was present; the return does not.
    expect(findings.records.map((r) => r.outcomes['child-involved-in-assessment']!.outcome)).toEqual([
      'met',
      'cannot-tell',
    ]);
  });

  it('reads OC2 for a child the extract recorded only more than 12 months before the period end', () => {
    const stale = {
      ...both,
      healthEvents: [health('C0001', 'RHA', '2015-03-31'), health('C0001', 'DENTAL', '2014-11-20')],
    };
    expect(healthExtractCovers(stale.healthEvents, YEAR_ENDING)).toBe(false);
    expect(healthExtractCovers([health('C0001', 'RHA', '2015-04-01', { status: 'Planned' })], YEAR_ENDING)).toBe(true);
    const [unit] = childUnits('oc2-cohort-at-period-end', stale, context(PERIOD.from, PERIOD.to));
    expect(unit!.facts).toMatchObject({
      'health.source': 'OC2',
      'health.assessmentUpToDate': false,
      'health.lastAssessment': null,
      'health.asAt': YEAR_ENDING,
    });
    // With no OC2 row, the old extract events show what is overdue.
    const [without] = childUnits('oc2-cohort-at-period-end', { ...stale, oc2: [] }, context(PERIOD.from, PERIOD.to));
    expect(without!.facts).toMatchObject({
      'health.source': 'health extract',
      'health.assessmentUpToDate': false,
      'health.lastAssessment': '2015-03-31',
    });
  });

  it('shows the counts by source under the health table in the report and the workbook', async () => {
    const findings = await audit([both, oc2Only]);
    const sentence =
      'Figures from the health extract: 1 child; from the DfE return (OC2) for the year ending 31 March 2016: 1 child.';
    expect(reportHtml(findings)).toContain(`<p>${sentence}</p>`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await findingsXlsx(findings)) as unknown as ExcelJS.Buffer);
    const measures: string[] = [];
    workbook.getWorksheet('Health')!.eachRow((row) => measures.push(String(row.getCell(1).value)));
    expect(measures).toContain('Figures from the health extract');
    expect(measures).toContain('Figures from the DfE return (OC2) for the year ending 31 March 2016');
  });

  it('still reads findings from before the health audit read OC2, which say nothing of sources', () => {
    const older = HealthTable.parse({
      cohort: 4,
      healthAssessment: 3,
      immunisations: 3,
      teethChecked: 1,
      under5: 2,
      developmentUpToDate: 1,
      sdqEligible: 2,
      sdqScored: 1,
    });
    expect(healthSourcesSentence(older)).toBeNull();
  });
});

describe('a health table accumulated unit by unit', () => {
  it('counts each child once, from one source', () => {
    const tables = new TableAccumulator(['health']);
    const ctx = context(PERIOD.from, PERIOD.to);
    for (const records of [
      child('C0001', '2008-01-01', {
        episodes: [episode('C0001', '2012-01-09')],
        health: [health('C0001', 'RHA', '2016-01-05')],
        oc2: [oc2('C0001', YEAR_ENDING, { healthAssessment: true })],
      }),
      child('C0002', '2008-01-01', {
        episodes: [episode('C0002', '2012-01-09')],
        oc2: [oc2('C0002', YEAR_ENDING, { healthAssessment: true })],
      }),
    ])
      for (const unit of childUnits('oc2-cohort-at-period-end', records, ctx)) tables.add(unit);
    expect(tables.tables().health).toMatchObject({ cohort: 2, healthAssessment: 2, fromHealthExtract: 1, fromOc2: 1 });
  });
});
