/**
 * Timescales in words. Template text never restates an interval: it names one with a placeholder,
 * `{timescale:decisionsIssued}`, which is rendered from the audit's (or the authority's) timescale
 * set with the one wording function (`intervalWords`), so the prose a reader sees and the rule the
 * engine applies come from the same definition and cannot disagree.
 */
import * as z from 'zod';
import { intervalWords } from '#calendar/reg33';
import { isTimescaleName, TIMESCALE_NAMES, type TimescaleName, type TimescaleSet } from '#domain/timescales';
import type { AuditTemplate } from './template.ts';

/** What each interval of a set runs between, in words: a short label and the rule with the interval's words in it. */
export const TIMESCALE_CONCEPTS: Record<TimescaleName, { label: string; rule: (words: string) => string }> = {
  firstReview: { label: 'First review', rule: (w) => `first review within ${w} of becoming looked after` },
  secondReview: { label: 'Second review', rule: (w) => `second review within ${w} of the first` },
  laterReviews: { label: 'Later reviews', rule: (w) => `later reviews within ${w} of the one before` },
  decisionsIssued: {
    label: 'Decisions issued',
    rule: (w) => `the review’s decisions issued within ${w} of the review`,
  },
  recordIssued: { label: 'Review record issued', rule: (w) => `the review record issued within ${w} of the review` },
  shortBreakFirstReview: {
    label: 'First review (short breaks only)',
    rule: (w) => `for a child looked after only for short breaks, the first review within ${w} of the first break`,
  },
  shortBreakLaterReviews: {
    label: 'Later reviews (short breaks only)',
    rule: (w) => `and later reviews within ${w} of the one before`,
  },
};

/** A timescale set as people read it: each interval in words, and the whole set in one sentence. */
export const TimescalesInWords = z
  .object({
    id: z.string().describe('the set’s id, e.g. "regulations-2010"'),
    title: z.string(),
    citation: z.string(),
    intervals: z.array(
      z.object({
        name: z.string().describe('the interval’s name, as templates refer to it: {timescale:<name>}'),
        label: z.string(),
        unit: z.enum(['workingDays', 'days', 'months']),
        count: z.number().int(),
        words: z.string().describe('e.g. "5 working days", "14 calendar days", "3 calendar months"'),
        rule: z.string().describe('e.g. "first review within 20 working days of becoming looked after"'),
      }),
    ),
    summary: z.string().describe('the set in one sentence: its title, then every interval’s rule'),
  })
  .meta({ id: 'TimescaleSetInWords' });
export type TimescalesInWords = z.infer<typeof TimescalesInWords>;

/** The words of one interval of the set, e.g. "5 working days". */
export const timescaleWords = (timescales: TimescaleSet, name: TimescaleName): string =>
  intervalWords(timescales[name]);

/** The set in words, in reading order (the reviews, the decisions and record, then short breaks). */
export function timescalesInWords(timescales: TimescaleSet): TimescalesInWords {
  const names = Object.keys(TIMESCALE_CONCEPTS) as TimescaleName[];
  const intervals = names.map((name) => {
    const interval = timescales[name];
    const words = intervalWords(interval);
    return {
      name,
      label: TIMESCALE_CONCEPTS[name].label,
      unit: interval.unit,
      count: interval.count,
      words,
      rule: TIMESCALE_CONCEPTS[name].rule(words),
    };
  });
  return {
    id: timescales.id,
    title: timescales.title,
    citation: timescales.citation,
    intervals,
    summary: `${timescales.title} — ${intervals.map((i) => i.rule).join('; ')}.`,
  };
}

/** Braced text in prose: every one must be a placeholder this module knows. */
const BRACED = /\{([^{}]*)\}/g;
const TIMESCALE_PLACEHOLDER = /^timescale:([A-Za-z][A-Za-z0-9]*)$/;
const KNOWN = () => TIMESCALE_NAMES.map((n) => `{timescale:${n}}`).join(', ');

/** What is wrong with each placeholder in a piece of prose (none when every one names an interval of the set). */
export function placeholderProblemsIn(text: string): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(BRACED)) {
    const named = TIMESCALE_PLACEHOLDER.exec(match[1]!.trim());
    if (named && isTimescaleName(named[1]!)) continue;
    problems.push(
      named
        ? `placeholder "${match[0]}" names no interval of a timescale set: use one of ${KNOWN()}`
        : `"${match[0]}" is not a placeholder: text in braces must be one of ${KNOWN()}`,
    );
  }
  return problems;
}

/** Prose with its placeholders replaced by the set's words ("{timescale:decisionsIssued}" → "5 working days"); unknown ones are left as written. */
export function renderText(text: string, timescales: TimescaleSet): string {
  if (!text.includes('{')) return text;
  return text.replace(BRACED, (whole, inner: string) => {
    const named = TIMESCALE_PLACEHOLDER.exec(inner.trim());
    return named && isTimescaleName(named[1]!) ? timescaleWords(timescales, named[1]) : whole;
  });
}

/** Conditions are rules, not prose: their strings are fact names and codes, never rendered. */
const RULE_KEYS = new Set(['condition', 'appliesWhen']);
/** Grades are names that IROs' grades are matched against: kept exactly as written, so they may hold no placeholder. */
const NAME_KEYS = new Set(['grade', 'atLeast']);

/** Every string of a template's prose with its path (`criteria.2.title`), conditions left out. */
export function proseOf(template: unknown): { path: string; text: string }[] {
  const found: { path: string; text: string }[] = [];
  const visit = (node: unknown, path: string[]): void => {
    if (typeof node === 'string') found.push({ path: path.join('.') || '(template)', text: node });
    else if (Array.isArray(node)) node.forEach((x, i) => visit(x, [...path, String(i)]));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) if (!RULE_KEYS.has(key)) visit(value, [...path, key]);
    }
  };
  visit(template, []);
  return found;
}

/** A template's placeholder problems, each with the path of the text that holds it. */
export function templatePlaceholderProblems(template: unknown): { path: string; message: string }[] {
  return proseOf(template).flatMap(({ path, text }) =>
    NAME_KEYS.has(path.split('.').at(-1)!) && /[{}]/.test(text)
      ? [
          {
            path,
            message:
              'a grade is a name that grades are matched against, not prose: it may hold no placeholder or braces',
          },
        ]
      : placeholderProblemsIn(text).map((message) => ({ path, message })),
  );
}

/**
 * The template as a reader sees it under `timescales`: every placeholder in its prose replaced by the
 * set's words. Its conditions are the same objects (rules are judged against the set, not rendered).
 */
export function renderTemplate(template: AuditTemplate, timescales: TimescaleSet): AuditTemplate {
  const render = (node: unknown): unknown => {
    if (typeof node === 'string') return renderText(node, timescales);
    if (Array.isArray(node)) return node.map(render);
    if (node && typeof node === 'object')
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, RULE_KEYS.has(k) || NAME_KEYS.has(k) ? v : render(v)]),
      );
    return node;
  };
  return render(template) as AuditTemplate;
}
