/**
 * The decision table of docs/ssda903-rules.md, written from the rules themselves: for each DfE rule
 * and each collection year, whether the importer rejects a row that breaks it, keeps it with a
 * warning, or does not apply it, and why. `npm run docs:rules` writes the file; a test fails when the
 * file and the rules disagree, so the document cannot drift from the code.
 */
import { RULE_YEARS, yearWithin, type RuleYear } from '#domain/collection-year';
import { IMPORT_FORMATS } from '#loader/formats';
import { RULES_NOT_APPLIED, SSDA903_RULES } from './catalogue.ts';
import { DFE_RULES } from './dfe-rule-index.ts';
import { meaningIn, type RuleNotApplied, type Ssda903Rule } from './rule.ts';

/** Every column the product imports (the XML's own names too). */
const IMPORTED = new Set([...IMPORT_FORMATS.flatMap((f) => f.columns), 'UASC', 'PL', 'CHILDID']);

const span = (rule: { from?: RuleYear | undefined; until?: RuleYear | undefined }) =>
  rule.from && rule.until
    ? rule.from === rule.until
      ? rule.from
      : `${rule.from} to ${rule.until}`
    : rule.from
      ? `from ${rule.from}`
      : rule.until
        ? `to ${rule.until}`
        : 'every year';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Natural order of DfE codes: 101, 102, … 1000, then lettered codes. */
function byCode(a: string, b: string): number {
  const na = /^\d+/.exec(a)?.[0];
  const nb = /^\d+/.exec(b)?.[0];
  if (na && nb) return Number(na) - Number(nb) || a.localeCompare(b);
  if (na) return -1;
  if (nb) return 1;
  return a.localeCompare(b);
}

interface Line {
  code: string;
  years: string;
  tables: string;
  fields: string;
  meaning: string;
  decision: string;
  why: string;
}

function checkedLine(rule: Ssda903Rule): Line {
  const latest = [...RULE_YEARS].reverse().find((year) => yearWithin(year, rule))!;
  return {
    code: rule.code,
    years: span(rule),
    tables: rule.tables.join(', '),
    fields: rule.fields.join(', '),
    // A code list in the meaning is the latest year's; the table speaks of the year's, whichever it is.
    meaning: meaningIn(rule, latest).replace(new RegExp(`the ${latest} return's codes`, 'g'), "the year's codes"),
    decision: rule.severity === 'reject' ? '**rejected**' : 'kept with a warning',
    why: `${rule.reason}${rule.previous ? ' (checked against last year’s return as the store holds it)' : ''}`,
  };
}

function setAsideLine(rule: RuleNotApplied): Line {
  return {
    code: rule.code,
    years: span(rule),
    tables: rule.tables.join(', '),
    fields: rule.fields.join(', '),
    meaning: rule.meaning,
    decision: 'not applied',
    why: rule.reason,
  };
}

/** The share of each year's rules about imported fields that are checked. */
function coverage(): string[] {
  return RULE_YEARS.map((year) => {
    const inForce = DFE_RULES.filter((rule) => yearWithin(year, rule));
    const about = inForce.filter((rule) => rule.fields.some((field) => IMPORTED.has(field)));
    const checked = (code: string) => SSDA903_RULES.some((rule) => rule.code === code && yearWithin(year, rule));
    const rejected = (code: string) =>
      SSDA903_RULES.some((rule) => rule.code === code && yearWithin(year, rule) && rule.severity === 'reject');
    const n = about.filter((rule) => checked(rule.code)).length;
    const r = inForce.filter((rule) => rejected(rule.code)).length;
    const w = inForce.filter((rule) => checked(rule.code)).length - r;
    const aside = inForce.length - r - w;
    return `| ${year} | ${inForce.length} | ${r} | ${w} | ${aside} | ${n} of ${about.length} (${((100 * n) / about.length).toFixed(1)}%) |`;
  });
}

/** docs/ssda903-rules.md, as the rules say it should read. */
export function rulesDocument(): string {
  const lines = [...SSDA903_RULES.map(checkedLine), ...RULES_NOT_APPLIED.map(setAsideLine)].sort(
    (a, b) => byCode(a.code, b.code) || a.years.localeCompare(b.years),
  );
  return [
    '# The DfE’s SSDA903 validation rules in the importer',
    '',
    '<!-- Written by `npm run docs:rules` from shared/ssda903/ (the rules, their severities and reasons). Do not edit by hand: a test fails when this file and the rules disagree. -->',
    '',
    'Every SSDA903 import is judged by the DfE’s validation rules of the return’s collection year (stated when the import is started, or worked out from the latest episode date). The rule list for each year is the DfE’s as the community validator (data-to-insight/csc-validator-be-903) implements it; every rule here is the importer’s own code, with its own examples as tests (`tests/unit/ssda903/rules-YYYY-YY.test.ts`, one suite per year).',
    '',
    'What breaking a rule does to the row:',
    '',
    '- **rejected** — the row is not imported: the audits would be wrong with it (a date of birth, an episode’s dates or shape, a legal status, a review’s date). A rejected episode holds back the child’s other episodes, so that no period of care is stored with a gap, and the reviews that then fall in no period of care; a rejected Header row holds back the child’s other rows when the store holds nothing of the child. Those rows are reported once, grouped under their cause.',
    '- **kept with a warning** — the row is imported and the problem reported: no audit reads the field, or the fault is one of plausibility rather than of the dates the audits use. A value the product cannot hold (an unknown code) is stored as not known.',
    '- **not applied** — the rule reads a field the product does not import (the DfE works out PL_DISTANCE, PL_LA and PL_LOCATION from postcodes; Ofsted’s provider lists are not part of the return).',
    '',
    'Rules that read last year’s return are checked against what the store holds of the child from earlier imports; when the store holds nothing of the child they are not checked, as the DfE’s tool skips them without last year’s files.',
    '',
    '## Coverage by year',
    '',
    '| year | DfE rules | rejected | kept with a warning | not applied | rules about imported fields that are checked |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...coverage(),
    '',
    '## Rule by rule',
    '',
    '| rule | years | tables | fields | what breaking it means | decision | why |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...lines.map(
      (l) =>
        `| ${l.code} | ${l.years} | ${cell(l.tables)} | ${cell(l.fields)} | ${cell(l.meaning)} | ${l.decision} | ${cell(l.why)} |`,
    ),
    '',
  ].join('\n');
}
