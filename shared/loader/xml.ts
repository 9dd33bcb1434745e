/**
 * Reads the SSDA903 return as one XML file (root EXPSSDA903): streamed with saxes, one CHILD element
 * held at a time, each of its parts turned into a row of the matching CSV format (HEADER → header,
 * EPISODE → episodes, AREVIEW → reviews, …) and sent down the same validation path. Errors name the
 * element (e.g. `AREVIEW/REVIEW_CODE`) and its line.
 */
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import { csvRow } from './csv.ts';
import { formatNamed, type ImportContext } from './formats.ts';
import type { FileLoad } from './sink.ts';
import type { ImportSource } from './sources.ts';

/** The format name of the XML file in reports. */
export const XML_FORMAT = 'ssda903-xml';
export const XML_ROOT = 'EXPSSDA903';

/** Elements nested in HEADER, each a row of a CSV format. */
const HEADER_GROUPS: Record<string, string> = {
  AREVIEW: 'reviews',
  AMISSING: 'missing',
  OC2: 'oc2',
  PERMANENCE: 'previous_permanence',
  AD_PLACED: 'placed_for_adoption',
};
/** Leaves of HEADER: the Header table's own, then the UASC, OC3 and AD1 fields the return keeps on the child. */
const HEADER_LEAVES = new Set([
  'CHILDID', 'SEX', 'DOB', 'ETHNIC', 'UPN', 'MOTHER', 'MC_DOB', 'UASC', 'DUC', 'IN_TOUCH', 'ACTIV', 'ACCOM',
  'DATE_INT', 'DATE_MATCH', 'FOSTER_CARE', 'NB_ADOPTR', 'SEX_ADOPTR', 'LS_ADOPTR',
]);
/** Where the XML names a column differently from the CSV tables. */
const ELEMENT_OF_COLUMN: Record<string, string> = { CHILD: 'CHILDID', PLACE: 'PL' };
const COLUMN_OF_ELEMENT: Record<string, string> = { CHILDID: 'CHILD', PL: 'PLACE' };

/** One part of a CHILD element: its leaves by CSV column name, and where it starts. */
interface Part {
  element: string;
  line: number;
  cells: Record<string, string>;
}

interface ChildElement {
  line: number;
  header: Part | null;
  episodes: Part[];
  groups: Part[];
}

/** Loads an SSDA903 XML return into `load`; sets `load.report.refused` when it is not one, or stops being readable. */
export async function loadXml(source: ImportSource, load: FileLoad, context: ImportContext): Promise<void> {
  const report = load.report;
  const file = source.name;
  const parser = new SaxesParser({ position: true });
  const ready: ChildElement[] = [];
  const ignored = new Map<string, number>();
  const withoutYear = new Map<string, { count: number; line: number }>();
  let depth = 0;
  let rootSeen = false;
  let stop: string | null = null;
  // The open elements below CHILD, each with the text it holds and whether it has child elements.
  const open: { name: string; line: number; text: string; hasChildren: boolean; part?: Part }[] = [];
  let child: ChildElement | null = null;

  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    depth += 1;
    if (depth === 1) {
      rootSeen = true;
      if (name !== XML_ROOT) stop = `the XML root is <${tag.name}>, not <${XML_ROOT}> (the SSDA903 return)`;
      else report.format = XML_FORMAT;
      return;
    }
    if (depth === 2) {
      if (name === 'CHILD') child = { line: parser.line, header: null, episodes: [], groups: [] };
      else ignore(name, parser.line);
      return;
    }
    if (!child) return; // inside an element that is not CHILD: ignored as a whole
    const parent = open.at(-1);
    if (parent) parent.hasChildren = true;
    const entry: (typeof open)[number] = { name, line: parser.line, text: '', hasChildren: false };
    if (depth === 3) {
      if (name === 'HEADER' || name === 'EPISODE') {
        entry.part = { element: name, line: parser.line, cells: {} };
        if (name === 'HEADER') child.header = entry.part;
        else child.episodes.push(entry.part);
      } else ignore(name, parser.line);
    } else if (depth === 4 && parent?.part?.element === 'HEADER' && HEADER_GROUPS[name]) {
      entry.part = { element: name, line: parser.line, cells: {} };
      child.groups.push(entry.part);
    }
    open.push(entry);
  });

  parser.on('text', (text) => {
    const current = open.at(-1);
    if (current) current.text += text;
  });

  parser.on('closetag', () => {
    const level = depth;
    depth -= 1;
    if (level === 2 && child) {
      ready.push(child);
      child = null;
      return;
    }
    if (level < 3 || !child) return;
    const closed = open.pop();
    if (!closed || closed.hasChildren || closed.part) return;
    // A leaf: its text is a cell of the part it sits in.
    const owner = open.at(-1);
    if (!owner?.part) {
      if (owner) ignore(`${owner.name}/${closed.name}`, closed.line);
      return;
    }
    if (owner.part.element === 'HEADER' && !HEADER_LEAVES.has(closed.name)) ignore(`HEADER/${closed.name}`, closed.line);
    owner.part.cells[COLUMN_OF_ELEMENT[closed.name] ?? closed.name] = closed.text.trim();
  });

  function ignore(element: string, line: number) {
    if (!ignored.has(element)) ignored.set(element, line);
  }

  const stream = await source.open();
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parser.write(decoder.write(chunk));
      if (stop) break;
      while (ready.length > 0) await loadChild(ready.shift()!);
    }
    if (!stop) {
      parser.write(decoder.end());
      parser.close();
      while (ready.length > 0) await loadChild(ready.shift()!);
      if (!rootSeen) stop = 'the file holds no XML element';
    }
  } catch (error) {
    // The children completed before the fault are whole: they still load.
    while (ready.length > 0) await loadChild(ready.shift()!);
    // saxes names the place as line:column, e.g. "12:5: unexpected close tag."
    stop = `the XML is not well-formed at ${(error as Error).message}${report.rows > 0 ? ` (the ${report.rows} rows before it were read)` : ''}`;
  } finally {
    stream.destroy();
  }
  if (stop) report.refused = stop;
  for (const [element, line] of ignored) {
    load.note({ file, line, column: element, message: `<${element}> is not part of the SSDA903 return as this importer knows it: ignored` });
  }
  for (const [table, { count, line }] of withoutYear) {
    load.note({ file, line, column: table.toUpperCase(), message: `${count} ${table.toUpperCase()} element(s) not imported: ${formatNamed(table).contextProblem?.(context)}` });
  }
  await load.finish();

  /** Every row of one child, in the order the cross-row rules need: the child, their episodes, then the rest. */
  async function loadChild(element: ChildElement): Promise<void> {
    const header = element.header?.cells ?? {};
    const headerLine = element.header?.line ?? element.line;
    const fromHeader = { CHILD: header.CHILD ?? '', DOB: header.DOB ?? '', SEX: header.SEX ?? '' };
    await row('header', headerLine, 'HEADER', header);
    if ((header.UASC ?? '') !== '' && header.UASC !== '0' || (header.DUC ?? '') !== '') await row('uasc', headerLine, 'HEADER', header);
    if (['IN_TOUCH', 'ACTIV', 'ACCOM'].some((c) => (header[c] ?? '') !== '')) await row('oc3', headerLine, 'HEADER', header);
    if (['DATE_INT', 'DATE_MATCH', 'FOSTER_CARE', 'NB_ADOPTR', 'SEX_ADOPTR', 'LS_ADOPTR'].some((c) => (header[c] ?? '') !== '')) {
      await row('ad1', headerLine, 'HEADER', header);
    }
    for (const episode of element.episodes) await row('episodes', episode.line, 'EPISODE', { ...episode.cells, CHILD: fromHeader.CHILD });
    for (const group of element.groups) await row(HEADER_GROUPS[group.element]!, group.line, group.element, { ...group.cells, ...fromHeader });
  }

  async function row(table: string, line: number, element: string, source: Record<string, string>): Promise<void> {
    const format = formatNamed(table);
    if (format.contextProblem?.(context)) {
      const seen = withoutYear.get(table) ?? { count: 0, line };
      seen.count += 1;
      withoutYear.set(table, seen);
      load.reject(table, []);
      return;
    }
    const cells = Object.fromEntries(format.columns.map((column) => [column, source[column] ?? '']));
    // CHILD and DOB of a nested part come from HEADER; everything else from the element itself.
    const columnName = (column: string) =>
      `${element !== 'HEADER' && (column === 'CHILD' || (column === 'DOB' && element !== 'EPISODE')) ? 'HEADER' : element}/${ELEMENT_OF_COLUMN[column] ?? column}`;
    const outcome = csvRow(format, cells, { file, line }, context, columnName);
    if ('errors' in outcome) load.reject(table, outcome.errors);
    else await load.accept(outcome);
  }
}

/** An element's name without a namespace prefix, upper-cased (exports vary in case). */
function localName(name: string): string {
  return (name.split(':').pop() ?? name).toUpperCase();
}
