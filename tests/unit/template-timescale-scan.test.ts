/**
 * No template restates an interval of the timescale set in its prose: "5 working days", "3 months",
 * "20 working days", "6 months" for a review, its decisions or its record are written as placeholders
 * ({timescale:decisionsIssued}), so the words a reader sees come from the same set the engine judges
 * by. Every file in audit-templates/ is scanned, each on its own, so a failure names the template.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATES_DIR } from '#audit/template-library';
import { proseOf } from '#engine/timescale-text';

const NUMBER = String.raw`(?:\d+(?:\s*[–-]\s*\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|twenty(?:[ -]eight)?|twenty|twenty-one)`;
/** An interval written out: "5 working days", "three months", "15–20 working days", "28 days", "3 calendar months", "6-month". */
const INTERVAL = new RegExp(String.raw`\b${NUMBER}[ -](?:working |calendar )?(?:day|week|month)s?\b`, 'gi');
/** What the set's intervals are about: reviews and their decisions and records. */
const SET_CONCEPT = /\breview|\bdecisions?\b|\brecord\b|\bbecom\w* looked after\b/i;
/**
 * Intervals that are not the timescale set's, though a sentence about them may mention a review:
 * health assessments are due every 6 months under 5 and every 12 months from 5, dental checks and
 * SDQs yearly (statutory guidance on promoting health, not reg 33), and the OC2 cohort is children
 * looked after for 12 months (a DfE definition). Sentences about these are left alone.
 */
const NOT_THE_SET =
  /\bhealth assessments?\b|\bdental\b|\bteeth\b|\bSDQ\b|\bimmunisations?\b|\bdevelopment checks?\b|\bOC2\b|\blooked after (?:continuously )?for\b/i;
/**
 * Identifiers are not prose: a criterion's id ("decisions-issued-in-5-days") names it in every audit's
 * findings, and renaming it would break the comparison with earlier audits, so ids are not scanned.
 */
const IDENTIFIER = /(^|\.)(id|criterion)$/;

/** Each sentence (or clause after a colon) of a piece of prose. */
const sentencesOf = (text: string) => text.split(/(?<=[.;:!?])\s+/);

/** Every restated interval in a template's prose: where, what, and the sentence it is in. */
function restatedIntervals(template: unknown): { path: string; found: string; sentence: string }[] {
  return proseOf(template)
    .filter(({ path }) => !IDENTIFIER.test(path))
    .flatMap(({ path, text }) =>
      sentencesOf(text).flatMap((sentence) =>
        SET_CONCEPT.test(sentence) && !NOT_THE_SET.test(sentence)
          ? [...sentence.matchAll(INTERVAL)].map((m) => ({ path, found: m[0], sentence }))
          : [],
      ),
    );
}

const files = readdirSync(TEMPLATES_DIR)
  .filter((n) => n.endsWith('.json'))
  .sort();

describe('template prose names timescales, never restates them', () => {
  it('catches the intervals the set defines, in figures or in words, and leaves other intervals alone', () => {
    const found = (text: string) => restatedIntervals({ summary: text }).map((r) => r.found);
    expect(found('Review decisions issued within 5 working days')).toEqual(['5 working days']);
    expect(found('The written record within 15–20 working days of the review.')).toEqual(['15–20 working days']);
    expect(found('The second review must be held not more than three months after the first.')).toEqual([
      'three months',
    ]);
    expect(found('Later reviews at intervals of not more than 6 months.')).toEqual(['6 months']);
    expect(found('First review within 20 working days of the child becoming looked after.')).toEqual([
      '20 working days',
    ]);
    expect(found('A review at one month (28 days), then 3 months.')).toEqual(['one month', '28 days', '3 months']);
    // Not the set's: health assessments, the OC2 cohort, and intervals with no review in sight.
    expect(
      found('A health assessment before the first review, then at least every six months before the fifth birthday.'),
    ).toEqual([]);
    expect(found('Children looked after continuously for 12 months or more, by their second review.')).toEqual([]);
    expect(found('Escalation at 2 weeks overdue.')).toEqual([]);
    // Placeholders are how a template says it.
    expect(found('Review decisions issued within {timescale:decisionsIssued}.')).toEqual([]);
    // Conditions are rules, not prose.
    expect(restatedIntervals({ condition: { rule: 'review within 5 working days' } })).toEqual([]);
  });

  it.each(files)('%s words every interval of the set with a placeholder', (file) => {
    const template = JSON.parse(readFileSync(join(TEMPLATES_DIR, file), 'utf8')) as unknown;
    expect(restatedIntervals(template)).toEqual([]);
  });
});
