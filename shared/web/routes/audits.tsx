/**
 * The QA lead's pages: the audits list, the launch form (checked first: population, sample and its
 * margin of error), the audit page (progress by IRO, the sample's records, moderation and agreement),
 * the action plan editor, and closing with publication. Senior managers see the list of published
 * audits here too; the findings themselves are on /app/findings.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { hasRole } from '#auth/principal';
import type { AuditTemplate } from '#engine/template';
import { renderTemplate } from '#engine/timescale-text';
import { authorityTimescales } from '#service/authority';
import { ActionPlanBody, actionPlan, editActionPlan, type ActionPlanView } from '#service/action-plan';
import {
  IdempotencyKey,
  LaunchAuditBody,
  audit,
  auditRecords,
  auditTemplate,
  close,
  history,
  isFullyGraded,
  launch,
  listAudits,
  mayTryAgainNow,
  previewLaunch,
  tryAgain,
  type AuditView,
  type LaunchPreview,
} from '#service/audits';
import { ConflictError, ForbiddenError, InvalidInputError } from '#service/errors';
import { ModerationBody, agreement, startModeration } from '#service/grading';
import type { ActionPlanRow } from '#engine/findings-model';
import { longDate } from '#reports/csv';
import { formatPercent } from '#reports/svg-charts';
import { me, type WebDeps, type WebEnv } from '../context.ts';
import {
  capitalise,
  dateParts,
  formBody,
  isoDate,
  mergeErrors,
  numberField,
  parseForm,
  partsOf,
  text,
  texts,
  type DateParts,
  type FormBody,
  type FormField,
} from '../forms.ts';
import {
  Breadcrumbs,
  Button,
  ButtonGroup,
  Checkboxes,
  DateInput,
  Details,
  ErrorSummary,
  Hidden,
  Input,
  InsetText,
  NotificationBanner,
  Radios,
  SummaryList,
  Table,
  TaskList,
  Textarea,
  WarningText,
  type FieldError,
  type TaskItem,
} from '../pages/govuk.tsx';
import { ProgressTag, StatusTag, marginLabel, samplingLabel } from '../pages/format.tsx';
import { Form, Layout, type PageContext } from '../pages/layout.tsx';

const requireQaLead = (c: Context<WebEnv>) => {
  if (!hasRole(me(c), 'qa-lead')) throw new ForbiddenError('this page is for QA leads');
};

const crumbs = (extra: { href: string; text: string }[] = []) => (
  <Breadcrumbs items={[{ href: '/app', text: 'Home' }, { href: '/app/audits', text: 'Audits' }, ...extra]} />
);

// ---- the launch form ---------------------------------------------------------------------------

type SampleType = 'all' | 'count' | 'percent' | 'service' | 'team';
const SAMPLE_TYPES: SampleType[] = ['all', 'count', 'percent', 'service', 'team'];

/** The launch form as typed: kept whole, so a re-rendered form shows exactly what was entered. */
interface LaunchForm {
  templateId: string;
  title: string;
  from: DateParts;
  to: DateParts;
  mode: string;
  sampleType: string;
  count: string;
  percent: string;
  serviceTotal: string;
  teamTotal: string;
  exclude: string;
  /** The idempotency key of this launch: a double-clicked "Launch" launches one audit. */
  key: string;
}

const readLaunchForm = (body: FormBody): LaunchForm => ({
  templateId: text(body, 'templateId'),
  title: text(body, 'title'),
  from: dateParts(body, 'from'),
  to: dateParts(body, 'to'),
  mode: text(body, 'mode'),
  sampleType: text(body, 'sampleType'),
  count: text(body, 'sample-count'),
  percent: text(body, 'sample-percent'),
  serviceTotal: text(body, 'sample-service'),
  teamTotal: text(body, 'sample-team'),
  exclude: text(body, 'exclude'),
  key: text(body, 'key'),
});

const sampleField: Record<SampleType, string> = {
  all: 'sampleType',
  count: 'sample-count',
  percent: 'sample-percent',
  service: 'sample-service',
  team: 'sample-team',
};

function sampleOf(form: LaunchForm): LaunchAuditBody['sample'] | undefined {
  switch (form.sampleType as SampleType) {
    case 'all':
      return { type: 'all' };
    case 'count':
      return { type: 'count', value: numberField(form.count) ?? Number.NaN };
    case 'percent':
      return { type: 'percent', value: numberField(form.percent) ?? Number.NaN };
    case 'service':
      return { type: 'stratified', by: 'service', value: numberField(form.serviceTotal) ?? Number.NaN };
    case 'team':
      return { type: 'stratified', by: 'team', value: numberField(form.teamTotal) ?? Number.NaN };
    default:
      return undefined;
  }
}

/** The form as the launch use case reads it, or what is wrong with it, field by field. */
function launchBodyOf(form: LaunchForm): { body: LaunchAuditBody | null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!form.templateId) errors.push({ field: 'templateId', message: 'Select the audit template' });
  const from = isoDate(form.from, 'start date');
  if (!from.ok) errors.push({ field: 'from-day', message: from.message });
  const to = isoDate(form.to, 'end date');
  if (!to.ok) errors.push({ field: 'to-day', message: to.message });
  if (from.ok && to.ok && from.iso > to.iso)
    errors.push({ field: 'to-day', message: 'The end date must be the same as or after the start date' });
  if (form.mode !== 'graded' && form.mode !== 'auto')
    errors.push({ field: 'mode', message: 'Select whether IROs grade the sample' });
  if (!SAMPLE_TYPES.includes(form.sampleType as SampleType))
    errors.push({ field: 'sampleType', message: 'Select how to sample the records' });
  else if (form.sampleType !== 'all') {
    const field = sampleField[form.sampleType as SampleType];
    const raw = { count: form.count, percent: form.percent, service: form.serviceTotal, team: form.teamTotal }[
      form.sampleType as 'count'
    ]!;
    if (!raw)
      errors.push({
        field,
        message:
          form.sampleType === 'percent'
            ? 'Enter the percentage of records to sample'
            : 'Enter how many records to sample',
      });
  }
  const exclude = numberField(form.exclude);
  const candidate = {
    templateId: form.templateId,
    from: from.ok ? from.iso : '',
    to: to.ok ? to.iso : '',
    sample: sampleOf(form),
    autoOnly: form.mode === 'auto',
    ...(form.title ? { title: form.title } : {}),
    ...(exclude !== undefined ? { excludeAuditedWithinMonths: exclude } : {}),
  };
  // The API's schema reads every form, even one already found wanting: each field gets its first problem.
  const parsed = parseForm(LaunchAuditBody, candidate, (path) => launchField(path, form));
  if (errors.length || !parsed.ok) return { body: null, errors: mergeErrors(errors, parsed.ok ? [] : parsed.errors) };
  return { body: parsed.data, errors: [] };
}

const SAMPLE_LABELS: Record<SampleType, string> = {
  all: 'how to sample the records',
  count: 'the number of records to sample',
  percent: 'the percentage of records to sample',
  service: 'the number of records to share between services',
  team: 'the number of records to share between teams',
};

/** The field a launch problem belongs to (the use case names its fields as the API does), and its name in words. */
function launchField(path: string, form: LaunchForm): FormField {
  if (path === 'from') return { id: 'from-day', label: 'the start date' };
  if (path === 'to') return { id: 'to-day', label: 'the end date' };
  if (path === 'excludeAuditedWithinMonths')
    return {
      id: 'exclude',
      label: 'the months to leave out',
      message: 'Enter a whole number of months from 1 to 60, or leave it empty',
    };
  if (path === 'title') return { id: 'title', label: 'the title' };
  if (path.startsWith('sample')) {
    const type = SAMPLE_TYPES.includes(form.sampleType as SampleType) ? (form.sampleType as SampleType) : 'all';
    return path === 'sample.value'
      ? { id: sampleField[type], label: SAMPLE_LABELS[type] }
      : { id: 'sampleType', label: 'how to sample the records' };
  }
  return { id: 'templateId', label: 'the audit template', message: 'Select the audit template' };
}

const invalidInputErrors = (error: InvalidInputError, form: LaunchForm): FieldError[] =>
  error.errors.map((e) => ({ field: launchField(e.field, form).id, message: capitalise(e.message) }));

const defaultTypeOf = (t: AuditTemplate | undefined): SampleType | '' => {
  const d = t?.defaultSampling;
  if (!d) return '';
  return d.type === 'stratified' ? d.by : d.type;
};

function LaunchFormPage({
  page,
  form,
  errors,
  templates,
}: {
  page: PageContext;
  form: LaunchForm;
  errors: FieldError[];
  templates: AuditTemplate[];
}) {
  const e = Object.fromEntries(errors.map((x) => [x.field, x.message]));
  const chosen = templates.find((t) => t.id === form.templateId);
  return (
    <Layout page={page} title="Launch an audit" hasErrors={errors.length > 0} beforeContent={crumbs()}>
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <ErrorSummary errors={errors} />
          <h1 class="govuk-heading-l">Launch an audit</h1>
          <p class="govuk-body">
            You will see the population, the sample and its margin of error before anything is launched.
          </p>
          <Form page={page} action="/app/audits/new">
            <Hidden name="key" value={form.key} />
            <Radios
              idPrefix="templateId"
              name="templateId"
              legend="Which audit?"
              legendSize="m"
              selected={form.templateId}
              error={e.templateId}
              choices={templates.map((t) => ({
                value: t.id,
                label: t.title,
                hint: `${t.theme}. Default sample: ${samplingLabel(t.defaultSampling).toLowerCase()}.`,
              }))}
            />
            <DateInput
              id="from"
              legend="Start of the audit period"
              legendSize="s"
              hint="For example, 1 10 2025"
              value={form.from}
              error={e['from-day']}
            />
            <DateInput
              id="to"
              legend="End of the audit period"
              legendSize="s"
              hint="For example, 31 3 2026"
              value={form.to}
              error={e['to-day']}
            />
            <Radios
              idPrefix="mode"
              name="mode"
              legend="Do IROs grade the sample?"
              legendSize="m"
              selected={form.mode || 'graded'}
              error={e.mode}
              choices={[
                {
                  value: 'graded',
                  label: 'Yes, IROs grade each sampled record',
                  hint: 'Records go to IROs who are not the child’s own; you moderate a share and publish when you close the audit.',
                },
                {
                  value: 'auto',
                  label: 'No, automatic checks only',
                  hint: 'The records are checked against the automatic criteria and the findings are published at once.',
                },
              ]}
            />
            <Radios
              idPrefix="sampleType"
              name="sampleType"
              legend="How should records be sampled?"
              legendSize="m"
              hint={
                chosen
                  ? `The template’s default: ${samplingLabel(chosen.defaultSampling).toLowerCase()}.`
                  : 'Each template has a default; choose one here.'
              }
              selected={form.sampleType || defaultTypeOf(chosen)}
              error={e.sampleType}
              choices={[
                { value: 'all', label: 'Every record (a census)' },
                {
                  value: 'count',
                  label: 'A number of records, chosen at random',
                  conditional: (
                    <Input
                      id="sample-count"
                      label="Number of records to sample"
                      value={form.count}
                      error={e['sample-count']}
                      width="5"
                      inputmode="numeric"
                    />
                  ),
                },
                {
                  value: 'percent',
                  label: 'A percentage of records, chosen at random',
                  conditional: (
                    <Input
                      id="sample-percent"
                      label="Percentage of records to sample"
                      value={form.percent}
                      error={e['sample-percent']}
                      width="3"
                      inputmode="decimal"
                      suffix="%"
                    />
                  ),
                },
                {
                  value: 'service',
                  label: 'Stratified by service',
                  hint: 'The total is shared out between services in proportion to their size.',
                  conditional: (
                    <Input
                      id="sample-service"
                      label="Number of records to share between services"
                      value={form.serviceTotal}
                      error={e['sample-service']}
                      width="5"
                      inputmode="numeric"
                    />
                  ),
                },
                {
                  value: 'team',
                  label: 'Stratified by team',
                  hint: 'The total is shared out between teams in proportion to their size.',
                  conditional: (
                    <Input
                      id="sample-team"
                      label="Number of records to share between teams"
                      value={form.teamTotal}
                      error={e['sample-team']}
                      width="5"
                      inputmode="numeric"
                    />
                  ),
                },
              ]}
            />
            <Input
              id="exclude"
              label="Leave out children audited in the last (optional)"
              hint="A number of months, from 1 to 60. Leave empty to include everyone."
              value={form.exclude}
              error={e.exclude}
              width="3"
              inputmode="numeric"
              suffix="months"
            />
            <Input
              id="title"
              label="Title (optional)"
              hint="Shown on the audit and its findings. The template’s title and the period are used when left empty."
              value={form.title}
              error={e.title}
            />
            <Button name="action" value="check">
              Check the sample
            </Button>
          </Form>
        </div>
      </div>
    </Layout>
  );
}

/** Every field of the form as hidden inputs: the check page posts them back unchanged. */
function HiddenLaunchForm({ form }: { form: LaunchForm }) {
  return (
    <>
      <Hidden name="key" value={form.key} />
      <Hidden name="templateId" value={form.templateId} />
      <Hidden name="title" value={form.title} />
      {(['from', 'to'] as const).flatMap((id) =>
        (['day', 'month', 'year'] as const).map((part) => <Hidden name={`${id}-${part}`} value={form[id][part]} />),
      )}
      <Hidden name="mode" value={form.mode} />
      <Hidden name="sampleType" value={form.sampleType} />
      <Hidden name="sample-count" value={form.count} />
      <Hidden name="sample-percent" value={form.percent} />
      <Hidden name="sample-service" value={form.serviceTotal} />
      <Hidden name="sample-team" value={form.teamTotal} />
      <Hidden name="exclude" value={form.exclude} />
    </>
  );
}

const plural = (n: number) => `${n} ${n === 1 ? 'record' : 'records'}`;

function CheckLaunchPage({
  page,
  form,
  body,
  preview,
}: {
  page: PageContext;
  form: LaunchForm;
  body: LaunchAuditBody;
  preview: LaunchPreview;
}) {
  const census = preview.counted && preview.sampleSize === preview.eligible;
  const nothing = preview.counted && preview.sampleSize === 0;
  const why =
    preview.notCountedBecause === 'too-slow'
      ? 'counting it took longer than this page can wait'
      : 'this copy of the service counts populations only when an audit runs';
  return (
    <Layout page={page} title="Check the sample before launching" beforeContent={crumbs()}>
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <h1 class="govuk-heading-l">Check the sample before launching</h1>
          <SummaryList
            rows={[
              { key: 'Audit', value: preview.templateTitle },
              { key: 'Period', value: `${longDate(body.from)} to ${longDate(body.to)}` },
              { key: 'Graded by IROs', value: body.autoOnly ? 'No, automatic checks only' : 'Yes' },
              { key: 'Sampling', value: samplingLabel(preview.sampling) },
              {
                key: 'Population',
                value: preview.population === null ? 'Counted when the audit runs' : plural(preview.population),
              },
              preview.excluded
                ? {
                    key: 'Left out',
                    value: `${preview.excluded} audited in the last ${body.excludeAuditedWithinMonths} months`,
                  }
                : null,
              {
                key: 'Sample',
                value:
                  preview.sampleSize === null
                    ? 'Worked out from the population when the audit runs'
                    : `${plural(preview.sampleSize)}${census && preview.sampleSize > 0 ? ' (all of them)' : ''}${preview.counted ? '' : ' at most'}`,
              },
              {
                key: 'Margin of error',
                value: preview.counted
                  ? marginLabel(preview.marginOfError, preview.sampleSize)
                  : preview.marginOfError === null
                    ? 'Shown on the audit’s page once the population is counted'
                    : `At most ${marginLabel(preview.marginOfError, preview.sampleSize)}`,
              },
            ]}
          />
          {preview.strata ? (
            <Table
              caption="Sample by stratum"
              captionSize="s"
              columns={[
                { header: 'Stratum' },
                { header: 'Population', numeric: true },
                { header: 'Sampled', numeric: true },
              ]}
              rows={preview.strata.map((s) => [s.stratum, String(s.population), String(s.sampled)])}
            />
          ) : null}
          {preview.counted ? (
            <InsetText>
              These figures were counted just now from the records held, by the same rules the audit uses. The audit
              counts again when it starts, so they can change if records are imported or corrected before then. The
              margin of error is the widest it can be (a 50% result), for a proportion at 95% confidence, allowing for
              the size of the population.
            </InsetText>
          ) : (
            <InsetText>
              The population was not counted before launching: {why}. The margin shown is for the sample size against a
              population of unknown size, so the real margin will be the same or smaller (the audit’s page shows it once
              the population is counted). A sample can be no larger than the population.
            </InsetText>
          )}
          {nothing ? <WarningText>Nothing would be audited: choose another period or sample.</WarningText> : null}
          <Form page={page} action="/app/audits/new">
            <HiddenLaunchForm form={form} />
            <ButtonGroup>
              {nothing ? null : (
                <Button name="action" value="launch" preventDoubleClick>
                  Launch the audit
                </Button>
              )}
              <Button name="action" value="edit" variant="secondary">
                Change the audit
              </Button>
            </ButtonGroup>
          </Form>
        </div>
      </div>
    </Layout>
  );
}

// ---- the audit page ----------------------------------------------------------------------------

function progressOf(view: AuditView): TaskItem['status'] {
  const g = view.grading;
  if (!g || g.records === 0) return { text: 'Cannot start yet', cannotStartYet: true };
  if (g.graded === g.records) return { text: 'Completed' };
  return { text: `${g.graded} of ${g.records} done`, tag: 'light-blue' };
}

function AuditTasks({ view, plan }: { view: AuditView; plan: ActionPlanView | null }) {
  const open = view.status === 'grading' || view.status === 'moderation';
  const base = `/app/audits/${view.auditId}`;
  const g = view.grading;
  const items: TaskItem[] = [
    {
      id: 'task-sample',
      name: 'Draw the sample and assign records to IROs',
      status:
        view.status === 'draft'
          ? { text: 'In progress', tag: 'light-blue' }
          : view.status === 'failed'
            ? { text: 'Failed', tag: 'red' }
            : { text: 'Completed' },
    },
    {
      id: 'task-grading',
      name: 'IROs grade the records',
      href: open ? '#grading' : undefined,
      status: view.autoOnly ? { text: 'Not needed' } : progressOf(view),
    },
    {
      id: 'task-moderation',
      name: 'Moderate a share of the graded records',
      href: open ? '#moderation' : undefined,
      status:
        view.status === 'moderation'
          ? { text: 'In progress', tag: 'light-blue' }
          : view.status === 'grading'
            ? g && g.graded > 0
              ? { text: 'Not started', tag: 'blue' }
              : { text: 'Cannot start yet', cannotStartYet: true }
            : view.status === 'published' || view.status === 'closed'
              ? { text: view.autoOnly ? 'Not needed' : 'Completed' }
              : { text: 'Cannot start yet', cannotStartYet: true },
    },
    {
      id: 'task-plan',
      name: 'Edit the action plan',
      href: open ? `${base}/action-plan` : undefined,
      status: plan?.edited
        ? { text: 'Edited' }
        : open
          ? { text: 'Drafted from the findings so far', tag: 'blue' }
          : view.status === 'published'
            ? { text: 'Completed' }
            : { text: 'Cannot start yet', cannotStartYet: true },
    },
    {
      id: 'task-close',
      name: 'Close the audit and publish the findings',
      href: open ? `${base}/close` : view.status === 'published' ? `/app/findings/${view.auditId}` : undefined,
      status:
        view.status === 'published'
          ? { text: 'Published' }
          : view.status === 'closed'
            ? { text: 'In progress', tag: 'light-blue' }
            : open
              ? { text: 'Not started', tag: 'blue' }
              : { text: 'Cannot start yet', cannotStartYet: true },
    },
  ];
  return <TaskList items={items} />;
}

const NOTICES: Record<string, string> = {
  launched:
    'The audit has been launched. It counts the population, draws the sample and assigns records to IROs in the background.',
  moderation:
    'Moderation has started: a share of the graded records has gone to second IROs, who grade them without seeing the first grades.',
  agreed: 'The agreed grades have been recorded.',
  closed:
    'The audit has been closed. Its findings are being published in the background; senior managers can read them once they are.',
  'tried-again':
    'The audit is being tried again. It carries on from where it stopped: the records already gathered, the sample, the grades and the action plan are kept.',
};

/** The "Try again" form: restarts a failed (or stopped) run or publication. */
function TryAgainForm({
  page,
  auditId,
  alternative,
}: {
  page: PageContext;
  auditId: string;
  alternative?: { href: string; text: string };
}) {
  return (
    <Form page={page} action={`/app/audits/${auditId}/try-again`}>
      <ButtonGroup>
        <Button preventDoubleClick>Try again</Button>
        {alternative ? (
          <a class="govuk-link" href={alternative.href}>
            {alternative.text}
          </a>
        ) : null}
      </ButtonGroup>
    </Form>
  );
}

export function auditPages(app: Hono<WebEnv>, deps: WebDeps): void {
  const { ctx } = deps;
  // Worded from the authority's timescale set: the set a launch now would be judged by.
  const templatesOf = async (c: Context<WebEnv>) => {
    const [entries, timescales] = await Promise.all([
      ctx.templates.list(me(c).authorityId),
      authorityTimescales(ctx, me(c).authorityId),
    ]);
    return entries.map((e) => renderTemplate(e.template, timescales));
  };
  const blankForm = (templateId = ''): LaunchForm => ({
    templateId,
    title: '',
    from: partsOf(null),
    to: partsOf(null),
    mode: 'graded',
    sampleType: '',
    count: '',
    percent: '',
    serviceTotal: '',
    teamTotal: '',
    exclude: '',
    key: randomUUID(),
  });

  app.get('/audits', async (c) => {
    const p = me(c);
    const audits = await listAudits(ctx, p);
    const qa = hasRole(p, 'qa-lead');
    return deps.render(
      c,
      <Layout page={deps.page(c)} title="Audits">
        <h1 class="govuk-heading-l">Audits</h1>
        {qa ? <Button href="/app/audits/new">Launch an audit</Button> : null}
        {audits.length === 0 ? (
          <p class="govuk-body">No audits yet.</p>
        ) : (
          <Table
            caption={qa ? 'Your authority’s audits, newest first' : 'Published audits, newest first'}
            columns={[
              { header: 'Audit' },
              { header: 'Period' },
              { header: 'Status' },
              { header: 'Sample', numeric: true },
              { header: 'Launched' },
            ]}
            rows={audits.map((a) => [
              <a class="govuk-link" href={qa ? `/app/audits/${a.auditId}` : `/app/findings/${a.auditId}`}>
                {a.title}
              </a>,
              `${longDate(a.period.from)} to ${longDate(a.period.to)}`,
              <StatusTag status={a.status} />,
              a.sampleSize === null ? '–' : String(a.sampleSize),
              `${longDate(a.createdAt)} by ${a.createdBy}`,
            ])}
          />
        )}
      </Layout>,
    );
  });

  app.get('/audits/new', async (c) => {
    requireQaLead(c);
    const templates = await templatesOf(c);
    const wanted = c.req.query('template') ?? '';
    return deps.render(
      c,
      <LaunchFormPage
        page={deps.page(c)}
        form={blankForm(templates.some((t) => t.id === wanted) ? wanted : '')}
        errors={[]}
        templates={templates}
      />,
    );
  });

  app.post('/audits/new', async (c) => {
    requireQaLead(c);
    const body = await formBody(c);
    const form = readLaunchForm(body);
    if (!IdempotencyKey.safeParse(`web-${form.key}`).success) form.key = randomUUID();
    const action = text(body, 'action');
    const templates = await templatesOf(c);
    const again = (errors: FieldError[], status = 400) =>
      deps.render(c, <LaunchFormPage page={deps.page(c)} form={form} errors={errors} templates={templates} />, status);
    if (action === 'edit') return again([], 200);
    const { body: launchBody, errors } = launchBodyOf(form);
    if (!launchBody) return again(errors);
    try {
      if (action === 'launch') {
        const { audit: launched } = await launch(ctx, me(c), launchBody, `web-${form.key}`);
        return c.redirect(`/app/audits/${launched.auditId}?done=launched`, 303);
      }
      const preview = await previewLaunch(ctx, me(c), launchBody);
      return deps.render(c, <CheckLaunchPage page={deps.page(c)} form={form} body={launchBody} preview={preview} />);
    } catch (error) {
      if (error instanceof InvalidInputError) return again(invalidInputErrors(error, form));
      throw error;
    }
  });

  /** The audit's page; `moderation` is the share typed in the moderation form, shown again with its error. */
  const showAudit = async (
    c: Context<WebEnv>,
    moderation: { share: string; errors: FieldError[] } = { share: '10', errors: [] },
    status = 200,
  ) => {
    const p = me(c);
    const auditId = c.req.param('id')!;
    const view = await audit(ctx, p, auditId);
    if (!hasRole(p, 'qa-lead')) return c.redirect(`/app/findings/${auditId}`, 303);
    const open = view.status === 'grading' || view.status === 'moderation';
    const [records, plan, agreed, trail] = await Promise.all([
      view.status === 'draft' || view.status === 'failed' || view.autoOnly
        ? Promise.resolve([])
        : auditRecords(ctx, p, auditId),
      open ? actionPlan(ctx, p, auditId) : Promise.resolve(null),
      view.status === 'moderation' ? agreement(ctx, p, auditId) : Promise.resolve(null),
      history(ctx, p, auditId),
    ]);
    const template = open
      ? (await ctx.templates.get(p.authorityId, view.template.id, view.template.version)).template
      : null;
    // Failed, or a run whose process stopped before recovery noticed: the QA lead may start it again.
    const triable = await mayTryAgainNow(ctx, p, auditId);
    const stopped = triable && (view.status === 'draft' || view.status === 'closed');
    const moderated = new Map(
      trail
        .filter((t) => t.action === 'moderation')
        .flatMap((t) =>
          ((t.details.moderated as { recordId: string; moderator: string }[] | undefined) ?? []).map(
            (m) => [m.recordId, m.moderator] as const,
          ),
        ),
    );
    const done = c.req.query('done');
    const g = view.grading;
    return deps.render(
      c,
      <Layout page={deps.page(c)} title={view.title} hasErrors={moderation.errors.length > 0} beforeContent={crumbs()}>
        <ErrorSummary errors={moderation.errors} />
        {done && NOTICES[done] ? <NotificationBanner success heading={NOTICES[done]!} /> : null}
        <span class="govuk-caption-l">{view.template.title}</span>
        <h1 class="govuk-heading-l">{view.title}</h1>
        <SummaryList
          rows={[
            { key: 'Status', value: <StatusTag status={view.status} /> },
            {
              key: 'Template',
              value: (
                <a
                  class="govuk-link"
                  href={`/app/templates/${view.template.id}?version=${view.template.version}`}
                >{`${view.template.title} (version ${view.template.version})`}</a>
              ),
            },
            { key: 'Period', value: `${longDate(view.period.from)} to ${longDate(view.period.to)}` },
            { key: 'Sampling', value: samplingLabel(view.sampling) },
            {
              key: 'Timescales',
              value: view.timescales
                ? view.timescales.title
                : 'Your authority’s current timescale set (this audit was launched before audits kept theirs)',
            },
            { key: 'Population', value: view.population === null ? 'Being counted' : `${view.population} records` },
            { key: 'Sample', value: view.sampleSize === null ? 'Being drawn' : `${view.sampleSize} records` },
            { key: 'Margin of error', value: marginLabel(view.marginOfError, view.sampleSize) },
            { key: 'Launched', value: `${longDate(view.createdAt)} by ${view.createdBy}` },
            view.publishedAt ? { key: 'Published', value: longDate(view.publishedAt) } : null,
          ]}
        />
        {stopped ? (
          <>
            <WarningText>
              {view.status === 'closed' ? 'Publishing the findings' : 'The audit’s run'} stopped before it finished, and
              has not been picked up again yet. Try again to carry on from where it stopped: nothing done so far is
              lost.
            </WarningText>
            <TryAgainForm page={deps.page(c)} auditId={auditId} />
          </>
        ) : null}
        {view.status === 'draft' && !stopped ? (
          <InsetText>
            The audit is running: it counts the population, draws the sample and assigns the records to IROs. This takes
            a few seconds for most authorities.{' '}
            <a class="govuk-link" href={`/app/audits/${auditId}`}>
              Refresh this page
            </a>{' '}
            to see its progress.
          </InsetText>
        ) : null}
        {view.status === 'closed' && !stopped ? (
          <InsetText>
            The audit is closed and its findings are being published. This takes a few seconds for most audits, a few
            minutes for the largest.{' '}
            <a class="govuk-link" href={`/app/audits/${auditId}`}>
              Refresh this page
            </a>{' '}
            to see when they are ready.
          </InsetText>
        ) : null}
        {view.status === 'failed' && view.closedAt !== null ? (
          <>
            <WarningText>
              The findings could not be published: {view.failure?.reason ?? 'no reason was recorded'}. The grades and
              the action plan are kept.
            </WarningText>
            {triable ? (
              <>
                <p class="govuk-body">
                  Try again once the cause is put right: the findings are published from the grades and the action plan
                  as they stood when you closed the audit.
                </p>
                <TryAgainForm page={deps.page(c)} auditId={auditId} />
              </>
            ) : null}
          </>
        ) : view.status === 'failed' ? (
          <>
            <WarningText>The audit could not run: {view.failure?.reason ?? 'no reason was recorded'}.</WarningText>
            {triable ? (
              <>
                <p class="govuk-body">
                  Try again once the cause is put right: the audit carries on from where it stopped, with the same
                  period, sample settings and seed.
                </p>
                <TryAgainForm
                  page={deps.page(c)}
                  auditId={auditId}
                  alternative={{
                    href: `/app/audits/new?template=${view.template.id}`,
                    text: 'Launch a new audit instead',
                  }}
                />
              </>
            ) : (
              <Button href={`/app/audits/new?template=${view.template.id}`}>Launch it again</Button>
            )}
          </>
        ) : null}
        {view.status === 'published' ? <Button href={`/app/findings/${auditId}`}>Read the findings</Button> : null}

        {view.status !== 'failed' ? (
          <>
            <h2 class="govuk-heading-m">What happens next</h2>
            <AuditTasks view={view} plan={plan} />
          </>
        ) : null}

        {g && !view.autoOnly ? (
          <>
            <h2 class="govuk-heading-m" id="grading">
              Grading
            </h2>
            <p class="govuk-body">
              {g.graded} of {g.records} records fully graded.
            </p>
            {g.unassigned > 0 ? (
              <WarningText>{`${g.unassigned} ${g.unassigned === 1 ? 'record has' : 'records have'} no IRO: every IRO is, or was, the IRO of a child in ${g.unassigned === 1 ? 'it' : 'them'}. Grade ${g.unassigned === 1 ? 'it' : 'them'} outside the service or leave ${g.unassigned === 1 ? 'it' : 'them'} ungraded (counted as “cannot tell”).`}</WarningText>
            ) : null}
            <Table
              caption="Grading progress by IRO"
              captionSize="s"
              columns={[
                { header: 'IRO' },
                { header: 'Assigned', numeric: true },
                { header: 'Done', numeric: true },
                { header: 'Started', numeric: true },
                { header: 'Not started', numeric: true },
              ]}
              rows={g.byIro.map((i) => [
                i.iroId,
                String(i.assigned),
                String(i.graded),
                String(i.started),
                String(i.assigned - i.graded - i.started),
              ])}
            />
            {template ? (
              <Details summary={`The ${records.length} sampled records`}>
                <Table
                  caption="Sampled records"
                  captionSize="s"
                  columns={[
                    { header: 'Record' },
                    { header: 'Service' },
                    { header: 'Team' },
                    { header: 'IRO grading' },
                    { header: 'Progress' },
                  ]}
                  rows={records
                    .map((r) => r.body)
                    .sort((a, b) => a.recordId.localeCompare(b.recordId))
                    .map((r) => [
                      <a class="govuk-link" href={`/app/audits/${auditId}/records/${r.recordId}`}>
                        {r.recordId}
                      </a>,
                      r.service ?? 'Not recorded',
                      r.team ?? 'Not recorded',
                      `${r.assignedTo ?? 'Nobody'}${moderated.has(r.recordId) ? `, moderated by ${moderated.get(r.recordId)}` : ''}`,
                      <ProgressTag
                        progress={
                          isFullyGraded(template, r.grades)
                            ? 'graded'
                            : Object.keys(r.grades).length || r.comment
                              ? 'in progress'
                              : 'not started'
                        }
                      />,
                    ])}
                />
              </Details>
            ) : null}
          </>
        ) : null}

        {open && !view.autoOnly ? (
          <>
            <h2 class="govuk-heading-m" id="moderation">
              Moderation
            </h2>
            {view.status === 'grading' ? (
              <Form page={deps.page(c)} action={`/app/audits/${auditId}/moderation`}>
                <p class="govuk-body">
                  A second IRO grades a share of the fully graded records without seeing the first grades. Auditors’
                  grades on those records are then fixed.
                </p>
                <Input
                  id="share"
                  label="Share of graded records to moderate"
                  hint="At least one record is always chosen."
                  value={moderation.share}
                  error={moderation.errors.find((e) => e.field === 'share')?.message}
                  width="3"
                  inputmode="decimal"
                  suffix="%"
                />
                <Button variant="secondary">Start moderation</Button>
              </Form>
            ) : agreed ? (
              <>
                <Table
                  caption={`Agreement between first and second IROs (${agreed.moderatedRecords} moderated records)`}
                  captionSize="s"
                  columns={[
                    { header: 'Question' },
                    { header: 'Pairs graded', numeric: true },
                    { header: 'Same grade', numeric: true },
                    { header: 'Weighted kappa', numeric: true },
                    { header: 'Agreed grades recorded', numeric: true },
                  ]}
                  rows={agreed.criteria.map((k) => [
                    k.title,
                    String(k.pairs),
                    formatPercent(k.exactAgreement),
                    k.weightedKappa === null ? '–' : k.weightedKappa.toFixed(2),
                    String(k.agreed),
                  ])}
                />
                <p class="govuk-body-s">
                  Weighted kappa uses quadratic weights over the grade scale: 1 is perfect agreement, 0 no better than
                  chance. It is shown as “–” when it cannot be worked out (for example, when every grade was the same).
                </p>
                <ul class="govuk-list">
                  {[...moderated.entries()].map(([recordId, moderator]) => (
                    <li>
                      <a class="govuk-link" href={`/app/audits/${auditId}/records/${recordId}`}>
                        Compare the grades of {recordId}
                      </a>{' '}
                      (second IRO {moderator})
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </>
        ) : null}

        <Details summary="Audit trail">
          <Table
            caption="Who did what, oldest first"
            captionSize="s"
            columns={[{ header: 'When' }, { header: 'Who' }, { header: 'What' }]}
            rows={trail.map((t) => [t.at.slice(0, 19).replace('T', ' '), t.actor, t.action])}
          />
        </Details>
      </Layout>,
      status,
    );
  };

  app.get('/audits/:id', (c) => showAudit(c));

  app.post('/audits/:id/moderation', async (c) => {
    requireQaLead(c);
    const auditId = c.req.param('id');
    const body = await formBody(c);
    const typed = text(body, 'share');
    const share = numberField(typed);
    // The form asks for a percentage; the API's schema reads a share from 0 to 1.
    const parsed = parseForm(ModerationBody, { share: share === undefined ? undefined : share / 100 }, () => ({
      id: 'share',
      label: 'the share of graded records to moderate',
      message: 'Enter a share of graded records from more than 0% to 100%',
    }));
    if (!parsed.ok) return showAudit(c, { share: typed, errors: parsed.errors }, 400);
    await startModeration(ctx, me(c), auditId, parsed.data);
    return c.redirect(`/app/audits/${auditId}?done=moderation`, 303);
  });

  // ---- the action plan ----

  const planPage = async (
    c: Context<WebEnv>,
    state: {
      rows: PlanRowForm[];
      version: number;
      edited: boolean;
      errors: FieldError[];
      notice?: string;
      conflict?: boolean;
    },
    status = 200,
  ) => {
    const p = me(c);
    const auditId = c.req.param('id')!;
    const view = await audit(ctx, p, auditId);
    // The criteria as the audit words them: its placeholders rendered from the audit's timescale set.
    const template = await auditTemplate(ctx, p, view.auditId);
    return deps.render(c, <ActionPlanPage page={deps.page(c)} view={view} template={template} {...state} />, status);
  };

  app.get('/audits/:id/action-plan', async (c) => {
    requireQaLead(c);
    const plan = await actionPlan(ctx, me(c), c.req.param('id'));
    return planPage(c, {
      rows: plan.rows.map((r, i) => rowFormOf(r, i)),
      version: plan.version,
      edited: plan.edited,
      errors: [],
      ...(c.req.query('saved') ? { notice: 'The action plan has been saved.' } : {}),
    });
  });

  app.post('/audits/:id/action-plan', async (c) => {
    requireQaLead(c);
    const auditId = c.req.param('id');
    const body = await formBody(c);
    const rows = readPlanRows(body);
    const sent = numberField(text(body, 'version'));
    // The hidden version goes back as it came when it is one (a tampered one is read as 0: the save then meets the plan as it is).
    const version = Number.isSafeInteger(sent) && sent! >= 0 ? sent! : 0;
    const edited = text(body, 'edited') === 'true';
    if (text(body, 'action') === 'add') {
      rows.push({ ...rowFormOf(null, rows.length), key: `new-${randomUUID().slice(0, 8)}` });
      return planPage(c, {
        rows,
        version,
        edited,
        errors: [],
        notice: `Action ${rows.length} has been added at the end: fill it in, then save the plan.`,
      });
    }
    const kept = rows.filter((r) => !r.remove);
    const { body: planBody, errors } = planBodyOf(kept, sent);
    if (!planBody) return planPage(c, { rows, version, edited, errors }, 400);
    try {
      await editActionPlan(ctx, me(c), auditId, planBody);
    } catch (error) {
      if (error instanceof InvalidInputError)
        return planPage(
          c,
          {
            rows,
            version,
            edited,
            errors: error.errors.map((e) => ({ field: planField(e.field, kept), message: capitalise(e.message) })),
          },
          400,
        );
      if (error instanceof ConflictError && error.extra.current !== undefined) {
        const current = error.extra.current as { version: number } | null;
        return planPage(
          c,
          {
            rows,
            version: current?.version ?? version,
            edited: true,
            conflict: true,
            errors: [
              {
                field: 'plan',
                message:
                  'Someone else saved the action plan after you opened it. Nothing was overwritten. Your changes are kept below: check the plan as it now stands (open it in a new tab), then save again to replace it with yours.',
              },
            ],
          },
          409,
        );
      }
      throw error;
    }
    return c.redirect(`/app/audits/${auditId}/action-plan?saved=1`, 303);
  });

  // ---- trying a failed run or publication again ----

  app.post('/audits/:id/try-again', async (c) => {
    requireQaLead(c);
    const auditId = c.req.param('id');
    await tryAgain(ctx, me(c), auditId);
    return c.redirect(`/app/audits/${auditId}?done=tried-again`, 303);
  });

  // ---- closing ----

  app.get('/audits/:id/close', async (c) => {
    requireQaLead(c);
    const auditId = c.req.param('id');
    const view = await audit(ctx, me(c), auditId);
    if (view.status !== 'grading' && view.status !== 'moderation')
      throw new ConflictError(
        `the audit is ${view.status === 'draft' ? 'still running' : view.status}: only an audit being graded or moderated can be closed`,
      );
    const g = view.grading;
    const page = deps.page(c);
    return deps.render(
      c,
      <Layout
        page={page}
        title="Close the audit and publish the findings"
        beforeContent={crumbs([{ href: `/app/audits/${auditId}`, text: view.title }])}
      >
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-two-thirds">
            <span class="govuk-caption-l">{view.title}</span>
            <h1 class="govuk-heading-l">Close the audit and publish the findings</h1>
            <SummaryList
              rows={[
                { key: 'Records fully graded', value: g ? `${g.graded} of ${g.records}` : 'None' },
                { key: 'Status', value: <StatusTag status={view.status} /> },
              ]}
            />
            {g && g.graded < g.records ? (
              <p class="govuk-body">
                Questions left ungraded count as “cannot tell”: they are left out of compliance, and shown as such in
                the findings.
              </p>
            ) : null}
            <WarningText>
              Publishing is final. Senior managers will see the findings, and the grades and action plan can no longer
              be changed.
            </WarningText>
            <Form page={page} action={`/app/audits/${auditId}/close`}>
              <ButtonGroup>
                <Button variant="warning" preventDoubleClick>
                  Close and publish
                </Button>
                <a class="govuk-link" href={`/app/audits/${auditId}`}>
                  Cancel
                </a>
              </ButtonGroup>
            </Form>
          </div>
        </div>
      </Layout>,
    );
  });

  app.post('/audits/:id/close', async (c) => {
    const auditId = c.req.param('id');
    await close(ctx, me(c), auditId);
    return c.redirect(`/app/audits/${auditId}?done=closed`, 303);
  });
}

// ---- the action plan editor -------------------------------------------------------------------

/** One row of the plan as typed (every field a string, so what was typed comes back as it was). */
interface PlanRowForm {
  /** The row's place on the page (0-based): field ids use it. */
  index: number;
  key: string;
  source: string;
  action: string;
  ownerRole: string;
  ownerTeam: string;
  due: DateParts;
  outcome: string;
  measure: string;
  criteria: string[];
  remove: boolean;
}

const rowFormOf = (row: ActionPlanRow | null, index: number): PlanRowForm => ({
  index,
  key: row?.id ?? '',
  source: row?.source ?? 'qa-lead',
  action: row?.action ?? '',
  ownerRole: row?.owner.role ?? '',
  ownerTeam: row?.owner.team ?? '',
  due: partsOf(row?.dueDate),
  outcome: row?.expectedOutcome ?? '',
  measure: row?.successMeasure ?? '',
  criteria: row?.linkedCriteria ?? [],
  remove: false,
});

function readPlanRows(body: FormBody): PlanRowForm[] {
  const count = Math.min(200, Math.max(0, Number(text(body, 'rows')) || 0));
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    key: text(body, `row-${i}-key`),
    source: text(body, `row-${i}-source`),
    action: text(body, `row-${i}-action`),
    ownerRole: text(body, `row-${i}-owner-role`),
    ownerTeam: text(body, `row-${i}-owner-team`),
    due: dateParts(body, `row-${i}-due`),
    outcome: text(body, `row-${i}-outcome`),
    measure: text(body, `row-${i}-measure`),
    criteria: texts(body, `row-${i}-criteria`),
    remove: text(body, `row-${i}-remove`) === 'yes',
  }));
}

/** The rows as the use case reads them, or each missing field in GOV.UK words. Field ids use the row's place on the page. */
function planBodyOf(
  rows: PlanRowForm[],
  version: number | undefined,
): { body: ActionPlanBody | null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const dates: string[] = [];
  rows.forEach((r) => {
    const n = `action ${r.index + 1}`;
    const at = `row-${r.index}`;
    if (r.action.length < 3) errors.push({ field: `${at}-action`, message: `Enter what is to be done for ${n}` });
    if (r.ownerRole.length < 2)
      errors.push({ field: `${at}-owner-role`, message: `Enter who is responsible for ${n} (their role)` });
    if (r.ownerTeam.length < 2)
      errors.push({ field: `${at}-owner-team`, message: `Enter the team responsible for ${n}` });
    const due = isoDate(r.due, `due date of ${n}`);
    if (!due.ok) errors.push({ field: `${at}-due-day`, message: due.message });
    dates.push(due.ok ? due.iso : '');
    if (r.outcome.length < 3) errors.push({ field: `${at}-outcome`, message: `Enter the expected outcome of ${n}` });
    if (r.measure.length < 3)
      errors.push({ field: `${at}-measure`, message: `Enter how success of ${n} will be measured` });
  });
  const candidate = {
    version,
    rows: rows.map((r, i) => ({
      id: r.key || `qa-${r.index + 1}`,
      action: r.action,
      owner: { role: r.ownerRole, team: r.ownerTeam },
      dueDate: dates[i]!,
      expectedOutcome: r.outcome,
      successMeasure: r.measure,
      linkedCriteria: r.criteria,
      ...(r.source === 'template' ? { source: 'template' as const } : {}),
    })),
  };
  // The API's schema reads every plan, even one already found wanting: each field gets its first problem.
  const parsed = parseForm(ActionPlanBody, candidate, (path) => planFormField(path, rows));
  if (errors.length || !parsed.ok) return { body: null, errors: mergeErrors(errors, parsed.ok ? [] : parsed.errors) };
  return { body: parsed.data, errors: [] };
}

const PLAN_FIELDS: Record<string, [field: string, label: string]> = {
  id: ['action', 'the id of'],
  action: ['action', 'what is to be done for'],
  owner: ['owner-role', 'who is responsible for'],
  dueDate: ['due-day', 'the due date of'],
  expectedOutcome: ['outcome', 'the expected outcome of'],
  successMeasure: ['measure', 'the success measure of'],
  linkedCriteria: ['criteria', 'the linked findings of'],
};

/** The field of `rows.<i>.<field>…` on the page (rows marked for removal are not sent, so indices are mapped back), and its name in words. */
function planFormField(path: string, rows: PlanRowForm[]): FormField {
  const m = /^rows\.(\d+)\.([A-Za-z]+)(?:\.([A-Za-z]+))?/.exec(path);
  const row = m ? rows[Number(m[1])] : undefined;
  if (!m || !row) {
    return path === 'version'
      ? {
          id: 'plan',
          label: 'the version of the plan you opened',
          message:
            'The form did not say which version of the plan you opened, so nothing was saved. Check the plan below, then save again.',
        }
      : { id: 'plan', label: 'the action plan' };
  }
  const [field, words] =
    m[2] === 'owner' && m[3] === 'team'
      ? ['owner-team', 'the team responsible for']
      : (PLAN_FIELDS[m[2]!] ?? ['action', 'a field of']);
  const n = `action ${row.index + 1}`;
  if (m[2] === 'id')
    return {
      id: `row-${row.index}-${field}`,
      label: `${words} ${n}`,
      message: `The form sent an id for ${n} that is not valid: remove ${n} and add it again`,
    };
  return { id: `row-${row.index}-${field}`, label: `${words} ${n}` };
}

const planField = (path: string, rows: PlanRowForm[]): string => planFormField(path, rows).id;

function ActionPlanPage(props: {
  page: PageContext;
  view: AuditView;
  template: AuditTemplate;
  rows: PlanRowForm[];
  version: number;
  edited: boolean;
  errors: FieldError[];
  notice?: string;
  conflict?: boolean;
}) {
  const { page, view, template, rows, errors } = props;
  const e = Object.fromEntries(errors.map((x) => [x.field, x.message]));
  const auditId = view.auditId;
  return (
    <Layout
      page={page}
      title="Action plan"
      hasErrors={errors.length > 0}
      beforeContent={crumbs([{ href: `/app/audits/${auditId}`, text: view.title }])}
    >
      <ErrorSummary errors={errors} />
      {props.notice ? (
        <NotificationBanner
          success={props.notice.startsWith('The action plan has been saved')}
          heading={props.notice}
        />
      ) : null}
      <span class="govuk-caption-l">{view.title}</span>
      <h1 class="govuk-heading-l" id="plan" tabindex={-1}>
        Action plan
      </h1>
      <p class="govuk-body">
        {props.edited
          ? 'You have edited this plan. It is published with the findings when you close the audit.'
          : 'This plan was drafted from the template’s actions for the criteria below their thresholds in the findings so far. Edit it here: it is published with the findings when you close the audit.'}
      </p>
      {props.conflict ? (
        <p class="govuk-body">
          <a class="govuk-link" href={`/app/audits/${auditId}/action-plan`} target="_blank">
            See the plan as it now stands (opens in a new tab)
          </a>
        </p>
      ) : null}
      <Form page={page} action={`/app/audits/${auditId}/action-plan`}>
        <Hidden name="version" value={props.version} />
        <Hidden name="edited" value={String(props.edited)} />
        <Hidden name="rows" value={rows.length} />
        {rows.length === 0 ? <p class="govuk-body">The plan has no actions.</p> : null}
        {rows.map((r, i) => (
          <fieldset class="govuk-fieldset govuk-!-margin-bottom-8">
            <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">
              <h2 class="govuk-fieldset__heading">Action {i + 1}</h2>
            </legend>
            <Hidden name={`row-${i}-key`} value={r.key} />
            <Hidden name={`row-${i}-source`} value={r.source} />
            <Textarea
              id={`row-${i}-action`}
              label="What is to be done"
              value={r.action}
              error={e[`row-${i}-action`]}
              rows={3}
            />
            <div class="govuk-grid-row">
              <div class="govuk-grid-column-one-half">
                <Input
                  id={`row-${i}-owner-role`}
                  label="By whom (role)"
                  hint="For example, IRO manager"
                  value={r.ownerRole}
                  error={e[`row-${i}-owner-role`]}
                />
              </div>
              <div class="govuk-grid-column-one-half">
                <Input
                  id={`row-${i}-owner-team`}
                  label="Team"
                  hint="For example, IRO Service"
                  value={r.ownerTeam}
                  error={e[`row-${i}-owner-team`]}
                />
              </div>
            </div>
            <DateInput
              id={`row-${i}-due`}
              legend="By when"
              legendSize="s"
              hint="For example, 30 6 2026"
              value={r.due}
              error={e[`row-${i}-due-day`]}
            />
            <Textarea
              id={`row-${i}-outcome`}
              label="Expected outcome"
              value={r.outcome}
              error={e[`row-${i}-outcome`]}
              rows={2}
            />
            <Textarea
              id={`row-${i}-measure`}
              label="Success measure"
              hint="How a re-audit will tell whether it worked"
              value={r.measure}
              error={e[`row-${i}-measure`]}
              rows={2}
            />
            <Checkboxes
              idPrefix={`row-${i}-criteria`}
              name={`row-${i}-criteria`}
              legend="Linked findings (optional)"
              legendSize="s"
              small
              selected={r.criteria}
              error={e[`row-${i}-criteria`]}
              choices={template.criteria.map((x) => ({ value: x.id, label: x.title }))}
            />
            <Checkboxes
              idPrefix={`row-${i}-remove`}
              name={`row-${i}-remove`}
              legend={<span class="govuk-visually-hidden">Remove action {i + 1}</span>}
              small
              selected={r.remove ? ['yes'] : []}
              choices={[{ value: 'yes', label: `Remove action ${i + 1} from the plan when I save` }]}
            />
          </fieldset>
        ))}
        <ButtonGroup>
          <Button name="action" value="save" preventDoubleClick>
            Save the action plan
          </Button>
          <Button name="action" value="add" variant="secondary">
            Add another action
          </Button>
        </ButtonGroup>
      </Form>
    </Layout>
  );
}
