/**
 * Reads the SSDA903 return as one XML file (root EXPSSDA903): streamed with saxes, one CHILD element
 * held at a time, each of its parts turned into a row of the matching CSV table (HEADER → header,
 * EPISODE → episodes, AREVIEW → reviews, …). A return is often written on one line, so a row is
 * located by its element path and its CHILD, e.g. `CHILD[12]/EPISODE[3]`, never by line.
 */
import { SaxesParser } from 'saxes';
import { formatNamed } from './formats.ts';
import type { ReadSink } from './read-sink.ts';
import type { ImportSource } from './sources.ts';
import { detectEncoding, openText } from './text.ts';

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
  'CHILDID',
  'SEX',
  'DOB',
  'ETHNIC',
  'UPN',
  'MOTHER',
  'MC_DOB',
  'UASC',
  'DUC',
  'IN_TOUCH',
  'ACTIV',
  'ACCOM',
  'DATE_INT',
  'DATE_MATCH',
  'FOSTER_CARE',
  'NB_ADOPTR',
  'SEX_ADOPTR',
  'LS_ADOPTR',
]);
/** Where the XML names a column differently from the CSV tables (judging names them back: see judge-group). */
const COLUMN_OF_ELEMENT: Record<string, string> = { CHILDID: 'CHILD', PL: 'PLACE' };

/** One part of a CHILD element: its leaves by CSV column name, and its path within the CHILD. */
interface Part {
  element: string;
  path: string;
  cells: Record<string, string>;
}

interface ChildElement {
  /** The CHILD's number in the file (1 for the first). */
  index: number;
  header: Part | null;
  episodes: Part[];
  groups: Part[];
}

/** Reads an SSDA903 XML return into `sink`; sets the file's `refused` when it is not one, or stops being readable. */
export async function readXml(source: ImportSource, sink: ReadSink): Promise<void> {
  const file = sink.file;
  const encoding = await detectEncoding(source);
  if ('refused' in encoding) {
    file.refused = encoding.refused;
    return;
  }
  file.encoding = encoding.encoding;
  const parser = new SaxesParser({ position: true });
  const ready: ChildElement[] = [];
  const ignored = new Map<string, string>();
  let depth = 0;
  let children = 0;
  let rootSeen = false;
  let stop: string | null = null;
  // The open elements below CHILD, each with the text it holds and whether it has child elements.
  const open: { name: string; text: string; hasChildren: boolean; part?: Part }[] = [];
  let child: ChildElement | null = null;
  const counters = new Map<string, number>();
  const nth = (name: string) => {
    const n = (counters.get(name) ?? 0) + 1;
    counters.set(name, n);
    return n;
  };

  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    depth += 1;
    if (depth === 1) {
      rootSeen = true;
      if (name !== XML_ROOT) stop = `the XML root is <${tag.name}>, not <${XML_ROOT}> (the SSDA903 return)`;
      else file.format = XML_FORMAT;
      return;
    }
    if (depth === 2) {
      if (name === 'CHILD') {
        children += 1;
        counters.clear();
        child = { index: children, header: null, episodes: [], groups: [] };
      } else ignore(name, `${XML_ROOT}/${name}`);
      return;
    }
    if (!child) return; // inside an element that is not CHILD: ignored as a whole
    const parent = open.at(-1);
    if (parent) parent.hasChildren = true;
    const entry: (typeof open)[number] = { name, text: '', hasChildren: false };
    const base = `CHILD[${child.index}]`;
    if (depth === 3) {
      if (name === 'HEADER') {
        entry.part = { element: name, path: `${base}/HEADER`, cells: {} };
        child.header = entry.part;
      } else if (name === 'EPISODE') {
        entry.part = { element: name, path: `${base}/EPISODE[${nth('EPISODE')}]`, cells: {} };
        child.episodes.push(entry.part);
      } else ignore(name, `${base}/${name}`);
    } else if (depth === 4 && parent?.part?.element === 'HEADER' && HEADER_GROUPS[name]) {
      entry.part = { element: name, path: `${base}/HEADER/${name}[${nth(name)}]`, cells: {} };
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
      if (owner) ignore(`${owner.name}/${closed.name}`, `CHILD[${child.index}]/${owner.name}/${closed.name}`);
      return;
    }
    if (owner.part.element === 'HEADER' && !HEADER_LEAVES.has(closed.name))
      ignore(`HEADER/${closed.name}`, `${owner.part.path}/${closed.name}`);
    owner.part.cells[COLUMN_OF_ELEMENT[closed.name] ?? closed.name] = closed.text.trim();
  });

  function ignore(element: string, path: string) {
    if (!ignored.has(element)) ignored.set(element, path);
  }

  const stream = await openText(source, encoding.encoding);
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      parser.write(chunk);
      if (stop) break;
      while (ready.length > 0) await readChild(ready.shift()!);
    }
    if (!stop) {
      parser.close();
      while (ready.length > 0) await readChild(ready.shift()!);
      if (!rootSeen) stop = 'the file holds no XML element';
    }
  } catch (error) {
    // The children completed before the fault are whole: they still load.
    while (ready.length > 0) await readChild(ready.shift()!);
    // saxes names the place as line:column, e.g. "12:5: unexpected close tag."
    stop = `the XML is not well-formed at ${(error as Error).message}${child ? ` (in CHILD[${(child as ChildElement).index}])` : ''}${sink.rowsRead > 0 ? ` (the ${sink.rowsRead} rows before it were read)` : ''}`;
  } finally {
    stream.destroy();
  }
  if (stop) file.refused = stop;
  for (const [element, path] of ignored) {
    sink.note({
      line: null,
      element: path,
      column: element,
      rule: 'ELEMENT',
      message: `ELEMENT – <${element}> is not part of the SSDA903 return as this importer knows it: ignored (first at ${path})`,
    });
  }

  /** Every row of one child: the child, their episodes, then the rest. */
  async function readChild(element: ChildElement): Promise<void> {
    const header = element.header?.cells ?? {};
    const headerPath = element.header?.path ?? `CHILD[${element.index}]`;
    const childId = (header.CHILD ?? '').toUpperCase();
    const fromHeader = { CHILD: childId, DOB: header.DOB ?? '', SEX: header.SEX ?? '' };
    await row('header', headerPath, { ...header, CHILD: childId });
    if (((header.UASC ?? '') !== '' && header.UASC !== '0') || (header.DUC ?? '') !== '')
      await row('uasc', headerPath, { ...header, ...fromHeader });
    if (['IN_TOUCH', 'ACTIV', 'ACCOM'].some((c) => (header[c] ?? '') !== ''))
      await row('oc3', headerPath, { ...header, ...fromHeader });
    if (
      ['DATE_INT', 'DATE_MATCH', 'FOSTER_CARE', 'NB_ADOPTR', 'SEX_ADOPTR', 'LS_ADOPTR'].some(
        (c) => (header[c] ?? '') !== '',
      )
    )
      await row('ad1', headerPath, { ...header, ...fromHeader });
    for (const episode of element.episodes) await row('episodes', episode.path, { ...episode.cells, CHILD: childId });
    for (const group of element.groups)
      await row(HEADER_GROUPS[group.element]!, group.path, { ...group.cells, ...fromHeader });
  }

  async function row(table: string, path: string, source: Record<string, string>): Promise<void> {
    const format = formatNamed(table);
    const cells = Object.fromEntries(format.columns.map((column) => [column, source[column] ?? '']));
    // The Header row keeps the XML's UASC flag, which the DfE's rule 105 reads.
    if (table === 'header' && source.UASC !== undefined) cells.UASC = source.UASC;
    await sink.row({ table, cells, line: null, element: path });
  }
}

/** An element's name without a namespace prefix, upper-cased (exports vary in case). */
function localName(name: string): string {
  return (name.split(':').pop() ?? name).toUpperCase();
}
