/**
 * Cell parsers for import files, shared by every importer: the conventions of docs/data-formats.md
 * (dates dd/mm/YYYY or ISO, flags Y/N or 1/0, blank means unknown — never "no").
 */
import * as z from 'zod';
import { isIsoDate } from '#domain/dates';

/** A blank cell: unknown, kept as null so it is never mistaken for "no". */
const blank = (value: string) => value.trim() === '';

/** Free text; blank → null. */
export const textCell = z.string().transform((v) => (blank(v) ? null : v.trim()));

/** A date written dd/mm/YYYY (SSDA903) or YYYY-MM-DD; blank → null. */
export const dateCell = z.string().transform((raw, ctx) => {
  const v = raw.trim();
  if (v === '') return null;
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  const iso = uk ? `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}` : v;
  if (!isIsoDate(iso)) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a date: write dd/mm/YYYY (or YYYY-MM-DD)` });
    return z.NEVER;
  }
  return iso;
});

/** A Y/N or 1/0 flag (any case; Yes/No and True/False also read); blank → null. */
export const flagCell = z.string().transform((raw, ctx) => {
  const v = raw.trim().toUpperCase();
  if (v === '') return null;
  if (['Y', 'YES', '1', 'TRUE'].includes(v)) return true;
  if (['N', 'NO', '0', 'FALSE'].includes(v)) return false;
  ctx.addIssue({ code: 'custom', message: `"${raw.trim()}" is not a flag: write Y or N (or 1 or 0)` });
  return z.NEVER;
});

/** A whole number; blank → null. */
export const integerCell = z.string().transform((raw, ctx) => {
  const v = raw.trim();
  if (v === '') return null;
  if (!/^-?\d+$/.test(v)) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a whole number` });
    return z.NEVER;
  }
  return Number(v);
});

/** A code; blank → null; upper-cased because exports vary in case (pn1, Pn1). */
export const codeCell = z.string().transform((v) => (blank(v) ? null : v.trim().toUpperCase()));

/** Several codes separated by ';' (parallel planning); blank → empty list (nothing recorded). */
export const codeListCell = z.string().transform((v) =>
  v
    .split(/[;,]/)
    .map((c) => c.trim())
    .filter((c) => c !== '')
    // Annex A letters are lower case; SSD keys upper case.
    .map((c) => (c.length === 1 ? c.toLowerCase() : c.toUpperCase())),
);

/**
 * A date that may be only partly known, as SSDA903 writes it (`zz/05/2016`, `zz/zz/2016`, or a full
 * date): → `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; blank → null.
 */
export const partialDateCell = z.string().transform((raw, ctx) => {
  const v = raw.trim();
  if (v === '') return null;
  const partial = /^(zz|\d{1,2})\/(zz|\d{1,2})\/(\d{4})$/i.exec(v);
  if (partial) {
    const [, d, m, y] = partial as unknown as [string, string, string, string];
    const dayKnown = d.toLowerCase() !== 'zz';
    const monthKnown = m.toLowerCase() !== 'zz';
    if (dayKnown && monthKnown && isIsoDate(`${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`))
      return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
    if (!dayKnown && monthKnown && Number(m) >= 1 && Number(m) <= 12) return `${y}-${m.padStart(2, '0')}`;
    if (!dayKnown && !monthKnown) return y;
  } else if (isIsoDate(v)) return v;
  ctx.addIssue({
    code: 'custom',
    message: `"${v}" is not a date: write dd/mm/YYYY, or zz/mm/YYYY or zz/zz/YYYY where the day or month is not known`,
  });
  return z.NEVER;
});
