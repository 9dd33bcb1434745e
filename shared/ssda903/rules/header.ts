/**
 * The DfE's rules on the Header table: who the child is (sex, date of birth, ethnicity, UPN,
 * motherhood), and the integrity checks that tie every other table to the Header.
 */
import { addYears, dateOf, longDate } from '../return.ts';
import { codeRule, dateRule, rowRule, type RuleNotApplied, type Ssda903Rule } from '../rule.ts';

export const HEADER_RULES: readonly Ssda903Rule[] = [
  codeRule({
    code: '101', table: 'Header', column: 'SEX', what: "the child's sex", blank: 'breaks', until: '2023-24',
    severity: 'reject',
    reason: 'the profile of the children in care counts by sex, and the record would be stored with a sex it does not have',
    examples: [{ valid: { Header: [{ SEX: '1' }, { SEX: '2' }] }, invalid: { Header: [{ SEX: 'M' }, { SEX: '' }, { SEX: '3' }] }, flags: [['Header', 0], ['Header', 1], ['Header', 2]] }],
  }),
  codeRule({
    code: '101', table: 'Header', column: 'SEX', what: "the child's sex", blank: 'breaks', from: '2024-25',
    severity: 'reject',
    reason: 'the profile of the children in care counts by sex, and the record would be stored with a sex it does not have',
    examples: [{ valid: { Header: [{ SEX: 'M' }, { SEX: 'F' }, { SEX: 'U' }] }, invalid: { Header: [{ SEX: '1' }, { SEX: 'X' }, { SEX: '' }] }, flags: [['Header', 0], ['Header', 1], ['Header', 2]] }],
  }),
  dateRule({
    code: '102', table: 'Header', column: 'DOB', what: "the child's date of birth", blank: 'breaks',
    severity: 'reject',
    reason: 'every age the audits work out (PN0 under 4, health checks by age, leaving care) starts from the date of birth',
    examples: [{ valid: { Header: [{ DOB: '19/02/2010' }] }, invalid: { Header: [{ DOB: '38/04/2019' }, { DOB: '01/01/19' }, { DOB: '' }] }, flags: [['Header', 0], ['Header', 1], ['Header', 2]] }],
  }),
  codeRule({
    code: '103', table: 'Header', column: 'ETHNIC', what: "the child's ethnicity", blank: 'breaks',
    severity: 'warn',
    reason: 'no audit judges by ethnicity; the child is kept, and the profile counts the code as given',
    examples: [{ valid: { Header: [{ ETHNIC: 'WBRI' }, { ETHNIC: 'NOBT' }] }, invalid: { Header: [{ ETHNIC: 'WHIT' }, { ETHNIC: '' }] }, flags: [['Header', 0], ['Header', 1]] }],
  }),
  rowRule({
    code: '301', table: 'Header', fields: ['DOB'],
    meaning: "the child's date of birth is after the end of the collection year",
    severity: 'reject',
    reason: 'a child born after the return ends cannot have been looked after in it: every age worked out from this date would be wrong',
    breaks: (row, _child, { end }) => {
      const dob = dateOf(row, 'DOB');
      return dob !== null && dob > end ? `DOB is ${longDate(dob)}` : false;
    },
    examples: [
      { note: 'born on the last day of the year is allowed', valid: { Header: [{ DOB: '31/03/2026' }] }, invalid: { Header: [{ DOB: '01/04/2026' }] }, flags: [['Header', 0]] },
    ],
  }),
  rowRule({
    code: '351', table: 'Header', fields: ['DOB'],
    meaning: 'the child was over 25 at the start of the collection year',
    severity: 'warn',
    reason: 'a care leaver can be in the return up to 25; an older date of birth is a typing slip that no audit of looked-after children reads',
    breaks: (row, _child, { start }) => {
      const dob = dateOf(row, 'DOB');
      return dob !== null && addYears(dob, 25) < start ? `DOB is ${longDate(dob)}` : false;
    },
    examples: [
      { note: '25th birthday on 1 April, the first day of the year, is not over 25', valid: { Header: [{ DOB: '01/04/2000' }] }, invalid: { Header: [{ DOB: '31/03/2000' }] }, flags: [['Header', 0]] },
    ],
  }),
  rowRule({
    code: 'INT03', table: 'Episodes', alsoReads: ['Header'], fields: ['CHILD'],
    meaning: 'the child of this episode is not in the Header table',
    severity: 'reject',
    reason: 'an episode of a child the return does not describe has no date of birth or sex: it cannot be placed in an audit',
    breaks: (_row, child) => child.rows('Header').length === 0,
    examples: [{ valid: { Header: [{}], Episodes: [{}] }, invalid: { Episodes: [{}] }, flags: [['Episodes', 0]] }],
  }),
];

export const HEADER_RULES_NOT_APPLIED: readonly RuleNotApplied[] = [];
