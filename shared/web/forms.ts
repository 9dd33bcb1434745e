/**
 * Reading HTML forms into the service layer's inputs. The rules stay in the services' zod schemas;
 * this module only turns fields into the shapes those schemas read and maps their messages back to
 * the fields a person typed in, in the GOV.UK way ("Enter…", "…must be a real date").
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import type { FieldError } from './pages/govuk.tsx';

export type FormBody = Record<string, string | File | (string | File)[]>;

/** The posted form, every field as a list when repeated. */
export async function formBody(c: Context): Promise<FormBody> {
  return (await c.req.parseBody({ all: true })) as FormBody;
}

/** A single text field, trimmed; '' when absent. */
export function text(body: FormBody, name: string): string {
  const value = body[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim() : '';
}

/** Every value of a repeated field (checkboxes). */
export function texts(body: FormBody, name: string): string[] {
  const value = body[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter(Boolean);
}

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

/** The three fields of a GOV.UK date input. */
export const dateParts = (body: FormBody, id: string): DateParts => ({
  day: text(body, `${id}-day`),
  month: text(body, `${id}-month`),
  year: text(body, `${id}-year`),
});

/** A date input as YYYY-MM-DD, or the message to show (`name` as in "Enter the start date"). */
export function isoDate(parts: DateParts, name: string): { ok: true; iso: string } | { ok: false; message: string } {
  const { day, month, year } = parts;
  if (!day && !month && !year) return { ok: false, message: `Enter the ${name}` };
  const missing = [!day && 'a day', !month && 'a month', !year && 'a year'].filter(Boolean);
  if (missing.length) return { ok: false, message: `The ${name} must include ${missing.join(' and ')}` };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year))
    return { ok: false, message: `The ${name} must be a real date` };
  const [d, m, y] = [Number(day), Number(month), Number(year)];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return { ok: false, message: `The ${name} must be a real date` };
  return { ok: true, iso: `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` };
}

/** YYYY-MM-DD as the three fields. */
export function partsOf(iso: string | null | undefined): DateParts {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  return m ? { year: m[1]!, month: String(Number(m[2])), day: String(Number(m[3])) } : { day: '', month: '', year: '' };
}

/**
 * A whole or decimal number typed in a field, or undefined when empty; NaN when not a number (the
 * schema then says why). Only plain digits are numbers: "1e20", "Infinity" and "0x10" are not. Digits
 * too many to hold come back as ±Infinity, which the schema refuses as too large.
 */
export function numberField(raw: string): number | undefined {
  if (raw === '') return undefined;
  const cleaned = raw.replace(/,/g, '').replace(/%$/, '').trim();
  return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : Number.NaN;
}

/** A form field as a person sees it: its id on the page (the error summary links there) and its name in words. */
export interface FormField {
  id: string;
  /** The field's name as it reads in a sentence: "the share of graded records", "your comments". */
  label: string;
  /** Said for any problem with this field, when the schema's words would not help (a hidden field, a percentage). */
  message?: string;
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldError[] };

/**
 * Reads a form with the API's own schema for the action, so a value the API refuses the page refuses
 * too, in the same place, and no value reaches a use case unchecked. `candidate` holds the fields
 * already turned into the schema's types (numbers by `numberField`, dates by `isoDate`); `fieldOf`
 * says which field of the page each schema path is, and its name in words.
 *
 * @example parseForm(ModerationBody, { share: 0.2 }, () => ({ id: 'share', label: 'the share' }))
 */
export function parseForm<S extends z.ZodType>(
  schema: S,
  candidate: unknown,
  fieldOf: (path: string) => FormField,
): FormResult<z.output<S>> {
  const parsed = schema.safeParse(candidate);
  return parsed.success
    ? { ok: true, data: parsed.data }
    : { ok: false, errors: issuesToErrors(parsed.error.issues, fieldOf) };
}

/** A schema's issues as field errors, one per field (the first), each naming its field in words. */
export function issuesToErrors(
  issues: readonly z.core.$ZodIssue[],
  fieldOf: (path: string) => FormField,
): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const field = fieldOf(issue.path.map(String).join('.'));
    if (seen.has(field.id)) continue;
    seen.add(field.id);
    errors.push({ field: field.id, message: plainMessage(issue, field) });
  }
  return errors;
}

/** Errors of several checks of one form, the first for each field kept (the form's own checks come first). */
export function mergeErrors(...lists: readonly (readonly FieldError[])[]): FieldError[] {
  const seen = new Set<string>();
  return lists.flat().filter((e) => !seen.has(e.field) && Boolean(seen.add(e.field)));
}

/** zod's own wording ("Invalid input: expected number, received NaN"), which no one filling in a form should read. */
const ZOD_DEFAULT = /^(Invalid|Too (big|small):|Unrecognized key)/;

const count = (n: number | bigint) => (typeof n === 'bigint' ? n.toString() : n.toLocaleString('en-GB'));

/**
 * One issue in plain English naming the field: the field's own message when it has one, the
 * schema's message when the schema words it (`'say why these grades were agreed'`), else one made
 * from the kind of problem and the field's name ("The share must be 100 or less").
 */
export function plainMessage(issue: z.core.$ZodIssue, field: FormField): string {
  if (field.message) return field.message;
  if (!ZOD_DEFAULT.test(issue.message)) return capitalise(issue.message);
  const name = capitalise(field.label);
  switch (issue.code) {
    case 'invalid_type': {
      const received = (issue as { received?: string }).received;
      if (received === undefined || received === 'undefined' || received === 'null') return `Enter ${field.label}`;
      if (received === 'Infinity') return `${name} is too large`;
      if (received === '-Infinity') return `${name} is too small`;
      if (issue.expected === 'int') return `${name} must be a whole number`;
      if (issue.expected === 'number') return `${name} must be a number`;
      return `Enter ${field.label}`;
    }
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1
          ? `Enter ${field.label}`
          : `${name} must be ${count(issue.minimum)} characters or more`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `Select at least ${count(issue.minimum)} for ${field.label}`;
      return issue.inclusive === false
        ? `${name} must be more than ${count(issue.minimum)}`
        : `${name} must be ${count(issue.minimum)} or more`;
    case 'too_big':
      if (issue.origin === 'string') return `${name} must be ${count(issue.maximum)} characters or fewer`;
      if (issue.origin === 'array' || issue.origin === 'set') return `${name} can have at most ${count(issue.maximum)}`;
      return issue.inclusive === false
        ? `${name} must be less than ${count(issue.maximum)}`
        : `${name} must be ${count(issue.maximum)} or less`;
    case 'invalid_value':
      return `Select ${field.label}`;
    case 'invalid_format':
      return `${name} is not in the right form`;
    case 'not_multiple_of':
      return `${name} must be a multiple of ${count(issue.divisor as number)}`;
    default:
      return `Check ${field.label}`;
  }
}

export const capitalise = (message: string) => (message ? message[0]!.toUpperCase() + message.slice(1) : message);
