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
  return list.filter((v): v is string => typeof v === 'string').map((v) => v.trim()).filter(Boolean);
}

export interface DateParts {
  day: string;
  month: string;
  year: string;
}

/** The three fields of a GOV.UK date input. */
export const dateParts = (body: FormBody, id: string): DateParts => ({ day: text(body, `${id}-day`), month: text(body, `${id}-month`), year: text(body, `${id}-year`) });

/** A date input as YYYY-MM-DD, or the message to show (`name` as in "Enter the start date"). */
export function isoDate(parts: DateParts, name: string): { ok: true; iso: string } | { ok: false; message: string } {
  const { day, month, year } = parts;
  if (!day && !month && !year) return { ok: false, message: `Enter the ${name}` };
  const missing = [!day && 'a day', !month && 'a month', !year && 'a year'].filter(Boolean);
  if (missing.length) return { ok: false, message: `The ${name} must include ${missing.join(' and ')}` };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return { ok: false, message: `The ${name} must be a real date` };
  const [d, m, y] = [Number(day), Number(month), Number(year)];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { ok: false, message: `The ${name} must be a real date` };
  return { ok: true, iso: `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}` };
}

/** YYYY-MM-DD as the three fields. */
export function partsOf(iso: string | null | undefined): DateParts {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  return m ? { year: m[1]!, month: String(Number(m[2])), day: String(Number(m[3])) } : { day: '', month: '', year: '' };
}

/** A whole or decimal number typed in a field, or undefined when empty; NaN when not a number (the schema then says why). */
export function numberField(raw: string): number | undefined {
  if (raw === '') return undefined;
  const cleaned = raw.replace(/,/g, '').replace(/%$/, '').trim();
  return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : Number.NaN;
}

/** A schema's issues as field errors, `fieldOf` naming the form field (id) each issue path belongs to. */
export function issuesToErrors(issues: readonly z.core.$ZodIssue[], fieldOf: (path: string) => string): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const field = fieldOf(issue.path.map(String).join('.'));
    if (seen.has(field)) continue;
    seen.add(field);
    errors.push({ field, message: capitalise(issue.message) });
  }
  return errors;
}

export const capitalise = (message: string) => (message ? message[0]!.toUpperCase() + message.slice(1) : message);
