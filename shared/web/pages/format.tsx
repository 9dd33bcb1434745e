/** Words and tags the pages share: statuses, sampling plans, margins of error, outcomes. */
import type { AuditStatus } from '#audit/audit-record';
import type { Outcome } from '#engine/findings-model';
import type { SamplingPlan } from '#engine/sampling';
import { POPULATION_RULES, type PopulationRule } from '#engine/template';
import { formatPercent } from '#reports/svg-charts';
import { Tag, type TagColour } from './govuk.tsx';

const STATUS: Record<AuditStatus, { text: string; colour: TagColour }> = {
  draft: { text: 'Running', colour: 'light-blue' },
  grading: { text: 'Grading', colour: 'blue' },
  moderation: { text: 'Moderation', colour: 'purple' },
  closed: { text: 'Closed', colour: 'grey' },
  published: { text: 'Published', colour: 'green' },
  failed: { text: 'Failed', colour: 'red' },
};

export const StatusTag = ({ status }: { status: AuditStatus }) => (
  <Tag colour={STATUS[status].colour}>{STATUS[status].text}</Tag>
);

const OUTCOMES: Record<Outcome, { text: string; colour: TagColour }> = {
  met: { text: 'Met', colour: 'green' },
  'not-met': { text: 'Not met', colour: 'red' },
  'not-applicable': { text: 'Not applicable', colour: 'grey' },
  'cannot-tell': { text: 'Cannot tell', colour: 'yellow' },
};

export const OutcomeTag = ({ outcome }: { outcome: Outcome }) => (
  <Tag colour={OUTCOMES[outcome].colour}>{OUTCOMES[outcome].text}</Tag>
);

const PROGRESS: Record<'not started' | 'in progress' | 'graded', { text: string; colour: TagColour }> = {
  'not started': { text: 'Not started', colour: 'grey' },
  'in progress': { text: 'In progress', colour: 'light-blue' },
  graded: { text: 'Done', colour: 'green' },
};

export const ProgressTag = ({ progress }: { progress: keyof typeof PROGRESS }) => (
  <Tag colour={PROGRESS[progress].colour}>{PROGRESS[progress].text}</Tag>
);

/** A sampling plan in words. */
export function samplingLabel(plan: SamplingPlan | unknown): string {
  const p = plan as SamplingPlan;
  switch (p?.type) {
    case 'all':
      return 'Every record in the population';
    case 'count':
      return `A random sample of ${p.value} ${p.value === 1 ? 'record' : 'records'}`;
    case 'percent':
      return `A random ${p.value}% of the population`;
    case 'stratified':
      return p.value !== undefined
        ? `${p.value} records, shared out by ${p.by} in proportion to each ${p.by}’s size`
        : `Set numbers per ${p.by}: ${Object.entries(p.quotas ?? {})
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`;
    default:
      return 'Not known';
  }
}

/** A margin of error as a person reads it. */
export function marginLabel(margin: number | null | undefined, sampleSize?: number | null): string {
  if (margin === null || margin === undefined)
    return sampleSize === 0 ? 'None: nothing would be audited' : 'Not known yet';
  if (margin === 0) return 'None: every record is audited, so there is no sampling error';
  return `±${formatPercent(margin).replace('%', '')} percentage points, at 95% confidence`;
}

export const populationRuleLabel = (rule: string) => POPULATION_RULES[rule as PopulationRule] ?? rule;

/** A number of bytes as "12 KB". */
export function sizeLabel(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** An instant as people in England read it: "3 March 2026 at 14:05" (UK time). */
export function dateTimeLabel(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const parts = Object.fromEntries(DATE_TIME.formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.day} ${parts.month} ${parts.year} at ${parts.hour}:${parts.minute}`;
}
