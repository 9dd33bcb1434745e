/**
 * findings.xlsx: the whole findings document as a workbook, one sheet per view, numbers and dates as
 * real values. Written row by row through exceljs's streaming writer, so a national audit's records
 * sheet never sits in memory.
 */
import { participationMeasures } from '#engine/tables';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Alert, BreakdownRow, FindingsDocument } from '#engine/findings-model';
import {
  dueLines,
  healthLines,
  healthSourceLines,
  quarterRows,
  reviewsDueSentences,
  shareOf,
  ownerLabel,
  participationLines,
  RECORD_DATE_CELL,
  recordCells,
  recordsCsvHeader,
  siblingIroLabel,
  timelinessTotal,
  type RecordCells,
} from './csv.ts';

type Format = 'text' | 'integer' | 'percent' | 'points' | 'date' | 'month';

interface Column {
  header: string;
  width: number;
  format?: Format;
}

type Value = string | number | Date | null | undefined;

const NUMBER_FORMAT: Record<Format, string | undefined> = {
  text: undefined,
  integer: '0',
  // Shares are stored as shares (0.8333) and shown as 83.3%, so Excel can still sum and chart them.
  percent: '0.0%',
  points: '+0.0%;-0.0%;0.0%',
  date: 'dd/mm/yyyy',
  month: 'mmm yyyy',
};

/** `YYYY-MM-DD` (or `YYYY-MM`) as a Date at UTC midnight: exceljs writes a Date's UTC time, so the cell shows that day. */
function excelDate(iso: string | null | undefined): Date | null {
  const m = iso ? /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(iso) : null;
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3] ?? '1'))) : null;
}

type Workbook = ExcelJS.stream.xlsx.WorkbookWriter;
type Rows = Iterable<Value[]> | AsyncIterable<Value[]>;

/** Rows written between checks that the reader keeps up (exceljs itself does not wait for it). */
const ROWS_PER_CHECK = 500;

const ROW_ALIGNMENT: Partial<ExcelJS.Alignment> = { vertical: 'top', wrapText: true };

/**
 * One style object per look, shared by every cell that has it. exceljs remembers a style by its
 * object: a fresh object per cell (what `row.alignment` and `cell.numFmt` make) has its XML rendered
 * and looked up again for every cell, most of the workbook's time on a national records sheet.
 * Dates and other values are kept apart because exceljs picks a default number format by the first
 * cell's type; the shared objects are never changed after they are made.
 */
class SharedStyles {
  private readonly styles = new Map<Partial<ExcelJS.Alignment>, Map<string, Partial<ExcelJS.Style>>>();
  get(alignment: Partial<ExcelJS.Alignment>, numFmt: string | undefined, isDate: boolean): Partial<ExcelJS.Style> {
    let byFormat = this.styles.get(alignment);
    if (!byFormat) this.styles.set(alignment, (byFormat = new Map()));
    const key = `${isDate ? 'd' : 'n'}${numFmt ?? ''}`;
    let style = byFormat.get(key);
    if (!style) byFormat.set(key, (style = numFmt ? { alignment, numFmt } : { alignment }));
    return style;
  }
}

/**
 * A sheet with a bold, frozen header row, one row per entry, each column's number format on its
 * cells (or the row's own, from `formatOf`), each row committed as it is written.
 */
async function addSheet(
  workbook: Workbook,
  output: PassThrough,
  name: string,
  columns: Column[],
  rows: Rows,
  formatOf?: (rowIndex: number) => Format | undefined,
  alignment?: Partial<ExcelJS.Alignment>,
): Promise<void> {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.header, width: c.width }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'top', wrapText: true };
  header.commit();
  const styles = new SharedStyles();
  // The row's own style (what `row.alignment` sets, in a fresh object per row): shared too. exceljs's
  // typings leave out Row.style, which its RowModel has.
  const rowStyle = styles.get(ROW_ALIGNMENT, undefined, false);
  const alignments = columns.map((_, i) => (i === 1 && alignment ? alignment : ROW_ALIGNMENT));
  const formats = columns.map((c) => NUMBER_FORMAT[c.format ?? 'text']);
  let index = 0;
  for await (const values of rows) {
    const row = sheet.addRow(values.map((v) => (v === undefined ? null : v)));
    (row as ExcelJS.Row & { style: Partial<ExcelJS.Style> }).style = rowStyle;
    const own = formatOf?.(index);
    for (let i = 0; i < columns.length; i += 1) {
      const cell = row.getCell(i + 1);
      const value = cell.value;
      const format = i === 1 && own ? NUMBER_FORMAT[own] : formats[i];
      const numeric = typeof value === 'number' || value instanceof Date;
      cell.style = styles.get(alignments[i]!, numeric ? format : undefined, value instanceof Date);
    }
    row.commit();
    index += 1;
    if (index % ROWS_PER_CHECK === 0) await keepUp(output, sheet);
  }
  sheet.commit();
}

/** How much of a sheet's XML may wait to be compressed before rows stop being added. */
const COMPRESSOR_BACKLOG_BYTES = 4 * 1024 * 1024;
/** What exceljs pipes a sheet's XML into: archiver's entry stream (readable-stream's, which may lack the public getters). */
interface EntryStream {
  writableLength?: number;
  _writableState?: { length?: number };
  _readableState?: { pipes?: unknown; pipesCount?: number };
}

/**
 * The sheet's XML written but not yet compressed. exceljs's sheet stream (a StreamBuf) hands each
 * 64 KiB of XML to the zip's entry stream without waiting for it (it ignores write()'s answer), so
 * when compressing is slower than writing rows the XML piles up in that stream's write buffer: 750 MB
 * for the 1M-review benchmark's Records sheet, unseen by the workbook's own output. Counted only
 * once the zip has piped the entry on to its compressor: before that, the zip is busy with an earlier
 * entry, and waiting could wait on something that only ends later. Read from the libraries' internals
 * (exceljs is pinned in package.json); absent, nothing is waited for.
 */
export function compressorBacklog(sheet: ExcelJS.Worksheet): number {
  const pipes = (sheet as unknown as { stream?: { pipes?: EntryStream[] } }).stream?.pipes ?? [];
  let bytes = 0;
  for (const entry of pipes) {
    const readable = entry._readableState;
    const onward =
      readable?.pipesCount ?? (Array.isArray(readable?.pipes) ? readable.pipes.length : readable?.pipes ? 1 : 0);
    if (onward > 0) bytes += entry.writableLength ?? entry._writableState?.length ?? 0;
  }
  return bytes;
}

/** Waits while the workbook's reader, or its compressor, is behind, so written rows do not pile up in memory. */
async function keepUp(output: PassThrough, sheet: ExcelJS.Worksheet): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  while (!output.destroyed) {
    if (output.readableLength >= output.readableHighWaterMark) await once(output, 'data');
    else if (compressorBacklog(sheet) > COMPRESSOR_BACKLOG_BYTES)
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
    else return;
  }
}

async function summarySheet(workbook: Workbook, output: PassThrough, doc: FindingsDocument): Promise<void> {
  const rows: [string, Value, Format?][] = [
    ['Audit', doc.audit.title],
    ['Audit id', doc.audit.id],
    ['Authority', `${doc.audit.authorityName} (${doc.audit.authorityId})`],
    ['Template', `${doc.template.title} (${doc.template.id}, version ${doc.template.version})`],
    ['Theme', doc.template.theme],
    ['Period from', excelDate(doc.period.from), 'date'],
    ['Period to', excelDate(doc.period.to), 'date'],
    ['Closed', excelDate(doc.audit.closedAt), 'date'],
    ['Population', doc.population, 'integer'],
    ['Sample', doc.sampleSize, 'integer'],
    ['Margin of error (95%, ±)', doc.marginOfError, 'percent'],
    ['Automatic criteria only', doc.audit.autoOnly ? 'yes' : 'no'],
    ['Sampling seed', doc.audit.seed, 'integer'],
    ...(doc.timescales ? [['Timescales', doc.timescales.summary] as [string, Value]] : []),
    ...doc.alertSummary.map((a): [string, Value] => ['Practice alert', a.summary]),
  ];
  await addSheet(
    workbook,
    output,
    'Summary',
    [
      { header: 'Item', width: 28 },
      { header: 'Value', width: 80 },
    ],
    rows.map(([k, v]) => [k, v]),
    (i) => rows[i]![2],
    { horizontal: 'left', vertical: 'top', wrapText: true },
  );
}

async function criteriaSheet(workbook: Workbook, output: PassThrough, doc: FindingsDocument): Promise<void> {
  const comparison = new Map(doc.comparison?.criteria.map((c) => [c.criterionId, c]) ?? []);
  await addSheet(
    workbook,
    output,
    'Criteria',
    [
      { header: 'Criterion id', width: 28 },
      { header: 'Title', width: 48 },
      { header: 'Kind', width: 11 },
      { header: 'N', width: 7, format: 'integer' },
      { header: 'Met', width: 7, format: 'integer' },
      { header: 'Not met', width: 9, format: 'integer' },
      { header: 'Not applicable', width: 11, format: 'integer' },
      { header: 'Cannot tell', width: 9, format: 'integer' },
      { header: 'Compliance', width: 12, format: 'percent' },
      { header: 'CI lower', width: 10, format: 'percent' },
      { header: 'CI upper', width: 10, format: 'percent' },
      { header: 'Threshold', width: 11, format: 'percent' },
      { header: 'Below threshold', width: 11 },
      { header: 'Previous compliance', width: 12, format: 'percent' },
      { header: 'Change since last audit', width: 12, format: 'points' },
      { header: 'Grades', width: 50 },
      { header: 'Newly not met', width: 10, format: 'integer' },
      { header: 'Resolved', width: 10, format: 'integer' },
      { header: 'Persisting', width: 10, format: 'integer' },
    ],
    doc.criteria.map((c) => {
      const compared = comparison.get(c.id);
      return [
        c.id,
        c.title,
        c.kind,
        c.n,
        c.met,
        c.notMet,
        c.notApplicable,
        c.cannotTell,
        c.compliance,
        c.ci95?.lower,
        c.ci95?.upper,
        c.threshold,
        c.belowThreshold ? 'yes' : 'no',
        c.change?.previousCompliance,
        c.change?.delta,
        c.grades
          ? Object.entries(c.grades)
              .map(([grade, n]) => `${grade} ${n}`)
              .join('; ')
          : null,
        compared?.newlyNotMet.length,
        compared?.resolved.length,
        compared?.persisting.length,
      ];
    }),
  );
}

async function breakdownSheet(
  workbook: Workbook,
  output: PassThrough,
  doc: FindingsDocument,
  name: string,
  what: string,
  rows: BreakdownRow[],
): Promise<void> {
  const titles = new Map(doc.criteria.map((c) => [c.id, c.title]));
  await addSheet(
    workbook,
    output,
    name,
    [
      { header: what, width: 28 },
      { header: 'Criterion id', width: 28 },
      { header: 'Criterion', width: 48 },
      { header: 'Met', width: 8, format: 'integer' },
      { header: 'Not met', width: 9, format: 'integer' },
      { header: 'Compliance', width: 12, format: 'percent' },
    ],
    rows.map((r) => [r.key, r.criterionId, titles.get(r.criterionId) ?? r.criterionId, r.met, r.notMet, r.compliance]),
  );
}

async function tableSheets(workbook: Workbook, output: PassThrough, doc: FindingsDocument): Promise<void> {
  const { participation, timeliness, reviewsDue, siblingGroups, health } = doc.tables;
  if (participation) {
    const { lines, total } = participationLines(participation);
    await addSheet(
      workbook,
      output,
      'Participation',
      [
        { header: 'Code', width: 14 },
        { header: 'Participation', width: 52 },
        { header: 'Reviews', width: 10, format: 'integer' },
        { header: '% of reviews', width: 12, format: 'percent' },
      ],
      [
        ...lines.map((l) => [l.code, l.label, l.reviews, l.share]),
        ['Total', null, total, total > 0 ? 1 : null],
        // The two headline percentages under the table, each with its own denominator.
        [null, null, null, null],
        ...participationMeasures(participation).map((m) => [
          m.id === 'with-pn0' ? 'PN0–PN6' : 'PN1–PN6',
          `${m.name}: ${m.participated} of ${m.reviews}`,
          m.participated,
          m.share,
        ]),
      ],
    );
  }
  if (timeliness) {
    const total = timelinessTotal(timeliness);
    await addSheet(
      workbook,
      output,
      'Timeliness',
      [
        { header: 'Month', width: 14, format: 'month' },
        { header: 'Reviews held', width: 12, format: 'integer' },
        { header: 'Held in timescale', width: 16, format: 'integer' },
        { header: '% in timescale', width: 14, format: 'percent' },
      ],
      [
        ...timeliness.map((t) => [excelDate(t.month) ?? t.month, t.held, t.inTime, t.share]),
        ...quarterRows(timeliness, ['held', 'inTime']).quarters.map((q) => [
          q.label,
          q.counts.held,
          q.counts.inTime,
          shareOf(q.counts.inTime, q.counts.held),
        ]),
        ['Total', total.held, total.inTime, total.share],
      ],
    );
  }
  if (reviewsDue) {
    const due = (heading: string, rows: typeof reviewsDue.byMonthDue): Value[][] => [
      [heading, null, null, null, null, null],
      ...dueLines(rows).map((l) => [l.label, l.due, l.inTime, l.late, l.notHeld, l.share]),
    ];
    await addSheet(
      workbook,
      output,
      'Reviews due',
      [
        { header: 'Due in', width: 40 },
        { header: 'Reviews due', width: 12, format: 'integer' },
        { header: 'Held in timescale', width: 16, format: 'integer' },
        { header: 'Held late', width: 10, format: 'integer' },
        { header: 'Not held (overdue)', width: 17, format: 'integer' },
        { header: '% in timescale', width: 14, format: 'percent' },
      ],
      [
        ...due('Children looked after (reg 33)', reviewsDue.byMonthDue),
        [null, null, null, null, null, null],
        ...due('Children on a series of short breaks only (reg 48)', reviewsDue.shortBreaksByMonthDue),
        [null, null, null, null, null, null],
        ['Reason for lateness (reviews due held late or not held)', 'Reviews', null, null, null, null],
        ...reviewsDue.lateReasons.map((r) => [
          r.reason === 'not recorded' ? 'No reason recorded' : r.reason,
          r.reviews,
          null,
          null,
          null,
          null,
        ]),
        [null, null, null, null, null, null],
        ...reviewsDueSentences(reviewsDue, doc.period).map((sentence) => [sentence, null, null, null, null, null]),
      ],
    );
  }
  if (siblingGroups) {
    await addSheet(
      workbook,
      output,
      'Sibling groups',
      [
        { header: 'Family', width: 12 },
        { header: 'Siblings', width: 9, format: 'integer' },
        { header: 'Care leavers', width: 9, format: 'integer' },
        { header: 'SWs', width: 7, format: 'integer' },
        { header: 'TMs', width: 7, format: 'integer' },
        { header: 'PAs', width: 7, format: 'integer' },
        { header: "PAs' TMs", width: 8, format: 'integer' },
        { header: 'IROs', width: 7, format: 'integer' },
        { header: 'Conflict of interest', width: 11 },
        { header: 'One IRO', width: 24 },
        { header: 'Summary', width: 60 },
      ],
      siblingGroups.map((g) => [
        g.familyId,
        g.children,
        g.careLeavers,
        g.socialWorkers,
        g.teamManagers,
        g.personalAdvisers,
        g.personalAdviserTeamManagers ?? 0,
        g.iros,
        g.conflictOfInterest ? 'yes' : 'no',
        siblingIroLabel(g),
        g.summary,
      ]),
    );
  }
  if (health) {
    await addSheet(
      workbook,
      output,
      'Health',
      [
        { header: 'Measure', width: 56 },
        { header: 'Children', width: 10, format: 'integer' },
        { header: 'Of', width: 26 },
        { header: 'Out of', width: 9, format: 'integer' },
        { header: '%', width: 10, format: 'percent' },
      ],
      [...healthLines(health), ...healthSourceLines(health)].map((l) => [
        l.measure,
        l.children,
        l.of?.label,
        l.of?.children,
        l.share,
      ]),
    );
  }
}

/** What the workbook is written from: the document (its records and alerts aside), its records' cells and its alerts as streams. */
export interface XlsxSource {
  document: FindingsDocument;
  recordRows(): AsyncIterable<RecordCells>;
  alerts(): AsyncIterable<Alert>;
}

async function* mapRows<T>(items: AsyncIterable<T>, row: (item: T) => Value[]): AsyncIterable<Value[]> {
  for await (const item of items) yield row(item);
}

/** findings.xlsx as a stream: Summary, Criteria, the three breakdowns, each table present, Alerts, Records and Action plan. */
export function findingsXlsxStream(source: XlsxSource): Readable {
  const doc = source.document;
  const output = new PassThrough();
  // Document properties from the audit, not the clock, so the same findings give the same workbook content.
  const closed = new Date(doc.audit.closedAt);
  const stamp = Number.isNaN(closed.getTime()) ? new Date(0) : closed;
  // Inline strings rather than a shared-string table, which would grow with every distinct record id.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  workbook.creator = 'iro-audit';
  workbook.lastModifiedBy = 'iro-audit';
  workbook.created = stamp;
  workbook.modified = stamp;
  (workbook as unknown as { title: string }).title = doc.audit.title;

  const write = async () => {
    await summarySheet(workbook, output, doc);
    await criteriaSheet(workbook, output, doc);
    await breakdownSheet(workbook, output, doc, 'By service', 'Service', doc.breakdowns.service);
    await breakdownSheet(workbook, output, doc, 'By team', 'Team', doc.breakdowns.team);
    await breakdownSheet(workbook, output, doc, 'By IRO', 'IRO', doc.breakdowns.iro);
    await tableSheets(workbook, output, doc);
    await addSheet(
      workbook,
      output,
      'Alerts',
      [
        { header: 'Theme', width: 24 },
        { header: 'Alert', width: 40 },
        { header: 'Criterion id', width: 28 },
        { header: 'Record id', width: 26 },
        { header: 'Children', width: 16 },
        { header: 'Service', width: 20 },
        { header: 'Team to act', width: 20 },
      ],
      mapRows(source.alerts(), (a) => [
        a.theme,
        a.title,
        a.criterionId,
        a.recordId,
        a.children.join(';'),
        a.service,
        a.team,
      ]),
    );
    const header = recordsCsvHeader(doc);
    await addSheet(
      workbook,
      output,
      'Records',
      header.map((h, i) => ({
        header: h,
        width: i === header.length - 1 ? 60 : i === 2 ? 12 : 20,
        format: i === 2 ? 'date' : 'text',
      })),
      mapRows(source.recordRows(), (cells) =>
        cells.map((cell, i) => (i === RECORD_DATE_CELL && cell !== null ? (excelDate(cell) ?? cell) : cell)),
      ),
    );
    await addSheet(
      workbook,
      output,
      'Action plan',
      [
        { header: 'Action/Task', width: 60 },
        { header: 'By whom', width: 32 },
        { header: 'By when', width: 12, format: 'date' },
        { header: 'Expected outcome', width: 48 },
        { header: 'Success measure', width: 36 },
        { header: 'Linked findings', width: 28 },
        { header: 'Source', width: 10 },
      ],
      doc.actionPlan.map((a) => [
        a.action,
        ownerLabel(a.owner),
        excelDate(a.dueDate) ?? a.dueDate,
        a.expectedOutcome,
        a.successMeasure,
        a.linkedCriteria.join(';'),
        a.source,
      ]),
    );
    await workbook.commit();
  };
  write().catch((error: unknown) => output.destroy(error as Error));
  return output;
}

async function* itemsOf<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

/** findings.xlsx of a whole document, as bytes. */
export async function findingsXlsx(doc: FindingsDocument): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const source = {
    document: doc,
    recordRows: () => itemsOf(doc.records.map((r) => recordCells(doc.criteria, r))),
    alerts: () => itemsOf(doc.alerts),
  };
  for await (const chunk of findingsXlsxStream(source)) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}
