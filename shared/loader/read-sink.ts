/** What a file reader hands on: the rows it reads, the rows it must refuse as read, and notes about the file. */
import type { ImportCheck } from './issues.ts';
import type { AnnexSheet } from './annex-a.ts';
import type { ReadRow } from './judge-group.ts';

/** What reading found out about a file. */
export interface FileReading {
  name: string;
  kind: 'csv' | 'xml' | 'xlsx';
  /** The recognised format (a CSV format's name, `ssda903-xml`, `annex-a-list-8`, `ssda903-xlsx`); null until recognised. */
  format: string | null;
  /** Why the file (or what was left of it) could not be read. */
  refused?: string;
  /** For a text file: its encoding and delimiter, as read. */
  encoding?: string;
  delimiter?: string;
  /** For a workbook: each sheet and what it was read as (or why it was not). */
  sheets?: { name: string; format: string | null; note?: string }[];
  /** For an Annex A List 8 sheet: what judging its rows needs. */
  annex?: AnnexSheet;
}

export interface ReadSink {
  readonly file: FileReading;
  /** Rows read so far from this file. */
  readonly rowsRead: number;
  row(row: Omit<ReadRow, 'file'>): Promise<void>;
  /** A row refused while reading (its cells do not line up with the header). */
  refuseRow(row: Omit<ReadRow, 'file'>, check: ImportCheck, column: string | null, message: string): void;
  /** A note about the file rather than a row (an element the XML return does not have). */
  note(note: {
    line: number | null;
    element: string | null;
    column: string | null;
    rule: ImportCheck;
    message: string;
  }): void;
}
