/**
 * The IRO's pages: their assignments, and the grading page for one record — the child's timeline,
 * the automatic evidence beside the questions, the grade scale with its guidance, a comment, save
 * and "mark as done". A save is written only over the version read: when someone else saved in the
 * meantime the page says so, keeps what the IRO typed, and shows the grades now saved beside it.
 * QA leads open the same address to compare a moderated record's grades and record agreed ones.
 */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { longDate } from '#reports/csv';
import { ConflictError, InvalidInputError } from '#service/errors';
import {
  AgreedGradesBody,
  GradesBody,
  assignments,
  recordView,
  saveAgreedGrades,
  saveGrades,
  type GradesView,
  type RecordView,
} from '#service/grading';
import { me, type WebDeps, type WebEnv } from '../context.ts';
import { capitalise, formBody, mergeErrors, numberField, parseForm, text, type FormField } from '../forms.ts';
import {
  Breadcrumbs,
  Button,
  ButtonGroup,
  ErrorSummary,
  Hidden,
  NotificationBanner,
  Radios,
  SummaryList,
  Table,
  Textarea,
  type FieldError,
} from '../pages/govuk.tsx';
import { OutcomeTag, ProgressTag, StatusTag } from '../pages/format.tsx';
import { Form, Layout, type PageContext } from '../pages/layout.tsx';

/** What the grading form holds: the saved grades, or what the IRO typed when it comes back to them. */
interface GradesForm {
  version: number;
  grades: Record<string, string>;
  overall: string;
  comment: string;
}

const formOf = (g: GradesView): GradesForm => ({
  version: g.version,
  grades: g.grades,
  overall: g.overall ?? '',
  comment: g.comment ?? '',
});

// ---- the timeline -----------------------------------------------------------------------------

interface TimelineEvent {
  date: string;
  title: string;
  detail?: string;
  kind: 'care' | 'review' | 'health';
}

function eventsOf(child: RecordView['timeline'][number]): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  child.periodsOfCare.forEach((p, i) => {
    events.push({ date: p.start, title: `Period of care ${i + 1} began`, kind: 'care' });
    for (const e of p.episodes) {
      events.push({
        date: e.start,
        title: 'Episode of care',
        detail: `Legal status ${e.legalStatus}${e.placement ? `, placement ${e.placement}` : ''}${e.end ? `, until ${longDate(e.end)}` : ''}`,
        kind: 'care',
      });
    }
    if (p.end) events.push({ date: p.end, title: `Period of care ${i + 1} ended`, kind: 'care' });
  });
  for (const r of child.reviews) {
    const parts = [
      r.participationCode ? `participation ${r.participationCode}` : 'participation not recorded',
      r.iroId ? `chaired by ${r.iroId}` : 'IRO not recorded',
      ...(r.stoodDown ? ['stood down'] : []),
    ];
    events.push({
      date: r.date,
      title: r.sequence ? `Review ${r.sequence} of the period of care` : 'Review outside a period of care',
      detail: capitalise(parts.join(', ')),
      kind: 'review',
    });
  }
  for (const h of child.healthEvents)
    events.push({
      date: h.date,
      title: capitalise(h.type.replace(/[-_]/g, ' ')),
      ...(h.status ? { detail: h.status } : {}),
      kind: 'health',
    });
  const order = { care: 0, review: 1, health: 2 };
  return events.sort((a, b) => a.date.localeCompare(b.date) || order[a.kind] - order[b.kind]);
}

function Timeline({ view }: { view: RecordView }) {
  return (
    <section aria-labelledby="timeline-heading">
      <h2 class="govuk-heading-m" id="timeline-heading">
        The child’s care and reviews
      </h2>
      {view.timeline.length === 0 ? (
        <p class="govuk-body">No records are held for the children in this record any more.</p>
      ) : null}
      {view.timeline.map((child) => (
        <>
          <h3 class="govuk-heading-s">
            Child {child.childId}
            {child.dateOfBirth ? `, born ${longDate(child.dateOfBirth)}` : ''}
          </h3>
          <ol class="app-timeline">
            {eventsOf(child).map((e) => (
              <li class={`app-timeline__item${e.kind === 'review' ? ' app-timeline__item--review' : ''}`}>
                <time class="app-timeline__date govuk-body-s" datetime={e.date}>
                  {longDate(e.date)}
                </time>
                <span class="govuk-body">{e.title}</span>
                {e.detail ? <p class="govuk-body-s govuk-!-margin-bottom-0">{e.detail}</p> : null}
              </li>
            ))}
          </ol>
        </>
      ))}
    </section>
  );
}

function EvidenceValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <>not recorded</>;
  if (Array.isArray(value)) return <>{value.join(', ') || 'none'}</>;
  if (typeof value === 'boolean') return <>{value ? 'yes' : 'no'}</>;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return <>{longDate(value)}</>;
  return <>{String(value)}</>;
}

function AutomaticEvidence({ view }: { view: RecordView }) {
  return (
    <aside aria-labelledby="evidence-heading">
      <h2 class="govuk-heading-m" id="evidence-heading">
        What the records show
      </h2>
      <p class="govuk-body-s">Checked automatically against the records as they stand now.</p>
      {view.automatic.length === 0 ? <p class="govuk-body">This audit has no automatic checks.</p> : null}
      {view.automatic.map((a) => (
        <div class="govuk-!-margin-bottom-6">
          <h3 class="govuk-heading-s govuk-!-margin-bottom-2">{a.title}</h3>
          <p class="govuk-body">
            <OutcomeTag outcome={a.outcome} />
          </p>
          <p class="govuk-body-s">{a.evidence.rule}</p>
          {a.evidence.values.length ? (
            <dl class="app-evidence govuk-body-s">
              {a.evidence.values.map((v) => (
                <>
                  <dt>{v.name}</dt>
                  <dd>
                    <EvidenceValue value={v.value} />
                  </dd>
                </>
              ))}
            </dl>
          ) : null}
          {a.evidence.missing.length ? (
            <p class="govuk-body-s">Not recorded: {a.evidence.missing.join(', ')}.</p>
          ) : null}
        </div>
      ))}
    </aside>
  );
}

function RecordSummary({ view }: { view: RecordView }) {
  return (
    <SummaryList
      rows={[
        { key: view.timeline.length > 1 ? 'Children' : 'Child', value: view.summary.childIds.join(', ') },
        view.summary.date ? { key: 'Date audited', value: longDate(view.summary.date) } : null,
        { key: 'Service', value: view.summary.service ?? 'Not recorded' },
        { key: 'Team', value: view.summary.team ?? 'Not recorded' },
        view.summary.iroId ? { key: 'The child’s IRO', value: view.summary.iroId } : null,
        { key: 'Audit status', value: <StatusTag status={view.status as 'grading'} /> },
      ]}
    />
  );
}

// ---- the grading page --------------------------------------------------------------------------

interface GradingState {
  form: GradesForm;
  errors: FieldError[];
  /** The grades saved by someone else meanwhile, shown beside the IRO's own. */
  current?: GradesView;
  notice?: string;
}

function GradingPage({ page, view, state }: { page: PageContext; view: RecordView; state: GradingState }) {
  const { form, errors, current } = state;
  const e = Object.fromEntries(errors.map((x) => [x.field, x.message]));
  const scaleChoices = view.gradeScale.map((g) => ({ value: g.grade, label: g.grade, hint: g.guidance }));
  const savedMeanwhile = (grade: string | null | undefined): Child =>
    current ? (
      <p class="govuk-body-s app-other-grade govuk-!-margin-top-2 govuk-!-margin-bottom-0">
        Saved meanwhile: <strong>{grade ?? 'no grade'}</strong>
      </p>
    ) : null;
  const action = `/app/audits/${view.auditId}/records/${view.recordId}`;
  return (
    <Layout
      page={page}
      title={`Grade record ${view.recordId}`}
      hasErrors={errors.length > 0}
      beforeContent={
        <Breadcrumbs
          items={[
            { href: '/app', text: 'Home' },
            { href: '/app/assignments', text: 'My assignments' },
          ]}
        />
      }
    >
      <ErrorSummary errors={errors} />
      {state.notice ? <NotificationBanner success heading={state.notice} /> : null}
      <span class="govuk-caption-l">{view.auditTitle}</span>
      <h1 class="govuk-heading-l" id="record-heading" tabindex={-1}>
        Grade record {view.recordId}
      </h1>
      <p class="govuk-body">
        {view.role === 'moderator'
          ? 'You are the second IRO for this record (moderation). You do not see the first IRO’s grades: grade it as you find it.'
          : 'You are the IRO grading this record. You never see the records of a child you are, or were, the IRO for.'}
      </p>
      <RecordSummary view={view} />
      <p class="govuk-body">
        <a class="govuk-link" href="#timeline-heading">
          Read the child’s care and reviews
        </a>{' '}
        beside the questions.
      </p>
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <h2 class="govuk-heading-m">Your grades</h2>
          <Form page={page} action={action}>
            <Hidden name="version" value={form.version} />
            {view.manual.map((q) => (
              <Radios
                idPrefix={`grade-${q.criterionId}`}
                name={`grade-${q.criterionId}`}
                legend={q.title}
                legendSize="s"
                hint={
                  <>
                    <span class="govuk-!-display-block govuk-!-margin-bottom-2">{q.question}</span>
                    <span class="govuk-!-display-block">{q.guidance}</span>
                    {savedMeanwhile(current?.grades[q.criterionId])}
                  </>
                }
                selected={form.grades[q.criterionId]}
                error={e[`grade-${q.criterionId}`]}
                choices={scaleChoices}
              />
            ))}
            <Radios
              idPrefix="overall"
              name="overall"
              legend="Overall grade for this record (optional)"
              legendSize="s"
              hint={<>Your overall view of the practice in this record.{savedMeanwhile(current?.overall)}</>}
              selected={form.overall || 'none'}
              error={e.overall}
              choices={[
                ...view.gradeScale.map((g) => ({ value: g.grade, label: g.grade })),
                { value: 'none', label: 'No overall grade' },
              ]}
              small
            />
            <Textarea
              id="comment"
              label="Comments (optional)"
              labelSize="s"
              hint={
                <>
                  What you found, and why you graded as you did. Do not name children or families.
                  {current ? (
                    <span class="govuk-!-display-block app-other-grade govuk-!-margin-top-2">
                      Saved meanwhile: <strong>{current.comment ?? 'no comment'}</strong>
                    </span>
                  ) : null}
                </>
              }
              value={form.comment}
              error={e.comment}
              rows={6}
            />
            <ButtonGroup>
              <Button name="action" value="done" preventDoubleClick>
                Save and mark as done
              </Button>
              <Button name="action" value="save" variant="secondary">
                Save
              </Button>
            </ButtonGroup>
          </Form>
        </div>
        <div class="govuk-grid-column-one-third">
          <AutomaticEvidence view={view} />
          <Timeline view={view} />
        </div>
      </div>
    </Layout>
  );
}

// ---- the QA lead's view of a record ------------------------------------------------------------

function ModerationPage({
  page,
  view,
  errors = [],
  typed,
}: {
  page: PageContext;
  view: RecordView;
  errors?: FieldError[];
  typed?: { grades: Record<string, string>; reason: string };
}) {
  const e = Object.fromEntries(errors.map((x) => [x.field, x.message]));
  const m = view.moderation;
  const agreed = m?.agreed;
  return (
    <Layout
      page={page}
      title={`Record ${view.recordId}`}
      hasErrors={errors.length > 0}
      beforeContent={
        <Breadcrumbs
          items={[
            { href: '/app', text: 'Home' },
            { href: '/app/audits', text: 'Audits' },
            { href: `/app/audits/${view.auditId}`, text: view.auditTitle },
          ]}
        />
      }
    >
      <ErrorSummary errors={errors} />
      <span class="govuk-caption-l">{view.auditTitle}</span>
      <h1 class="govuk-heading-l">Record {view.recordId}</h1>
      <RecordSummary view={view} />
      <Table
        caption={m ? 'Grades from the first and second IROs' : 'Grades so far'}
        columns={[
          { header: 'Question' },
          { header: 'First IRO' },
          ...(m ? [{ header: `Second IRO (${m.moderator})` }, { header: 'Agreed' }] : []),
        ]}
        rows={[
          ...view.manual.map((q) => [
            q.title,
            view.grades.grades[q.criterionId] ?? 'Not graded',
            ...(m ? [m.grades.grades[q.criterionId] ?? 'Not graded', agreed?.grades[q.criterionId] ?? '–'] : []),
          ]),
          ['Comment', view.grades.comment ?? '–', ...(m ? [m.grades.comment ?? '–', agreed?.reason ?? '–'] : [])],
        ]}
      />
      {m && view.status === 'moderation' ? (
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-two-thirds">
            <h2 class="govuk-heading-m">Record the agreed grades</h2>
            <Form page={page} action={`/app/audits/${view.auditId}/records/${view.recordId}/agreed`}>
              <Hidden name="version" value={m.grades.version} />
              {view.manual.map((q) => (
                <Radios
                  idPrefix={`agreed-${q.criterionId}`}
                  name={`agreed-${q.criterionId}`}
                  legend={q.title}
                  legendSize="s"
                  hint={q.question}
                  selected={
                    typed?.grades[q.criterionId] ?? agreed?.grades[q.criterionId] ?? view.grades.grades[q.criterionId]
                  }
                  error={e[`agreed-${q.criterionId}`]}
                  choices={view.gradeScale.map((g) => ({ value: g.grade, label: g.grade }))}
                  small
                />
              ))}
              <Textarea
                id="reason"
                label="Why these grades were agreed"
                labelSize="s"
                value={typed?.reason ?? agreed?.reason ?? ''}
                error={e.reason}
                rows={4}
              />
              <Button>Save the agreed grades</Button>
            </Form>
          </div>
        </div>
      ) : null}
      <Timeline view={view} />
      <AutomaticEvidence view={view} />
    </Layout>
  );
}

// ---- the forms' fields, as the API's schemas name them ----------------------------------------

const questionTitle = (view: RecordView, criterionId: string) =>
  view.manual.find((q) => q.criterionId === criterionId)?.title ?? criterionId;

/** The grading form's field for a GradesBody path. */
const gradesField =
  (view: RecordView) =>
  (path: string): FormField => {
    if (path.startsWith('grades.'))
      return { id: `grade-${path.slice(7)}`, label: `the grade for “${questionTitle(view, path.slice(7))}”` };
    if (path === 'overall') return { id: 'overall', label: 'the overall grade' };
    if (path === 'comment') return { id: 'comment', label: 'comments' };
    return {
      id: 'record-heading',
      label: 'the version of the grades you opened',
      message:
        'The form did not say which saved grades you opened, so nothing was saved. Check your answers below against the record, then save again.',
    };
  };

/** The agreed grades form's field for an AgreedGradesBody path. */
const agreedField =
  (view: RecordView) =>
  (path: string): FormField => {
    if (path.startsWith('grades.'))
      return { id: `agreed-${path.slice(7)}`, label: `the agreed grade for “${questionTitle(view, path.slice(7))}”` };
    if (path === 'reason') return { id: 'reason', label: 'the reason these grades were agreed' };
    return {
      id: 'main-content',
      label: 'the version of the moderation you opened',
      message:
        'The form did not say which moderation you opened, so nothing was saved. Check the grades below, then save again.',
    };
  };

// ---- routes -----------------------------------------------------------------------------------

export function gradingPages(app: Hono<WebEnv>, deps: WebDeps): void {
  const { ctx } = deps;

  app.get('/assignments', async (c) => {
    const list = await assignments(ctx, me(c));
    const byAudit = new Map<string, typeof list>();
    for (const a of list) byAudit.set(a.auditId, [...(byAudit.get(a.auditId) ?? []), a]);
    const done = c.req.query('done');
    return deps.render(
      c,
      <Layout page={deps.page(c)} title="My assignments">
        {done ? <NotificationBanner success heading={`Record ${done} is graded and marked as done.`} /> : null}
        <h1 class="govuk-heading-l">My assignments</h1>
        {list.length === 0 ? <p class="govuk-body">You have no records to grade at the moment.</p> : null}
        {[...byAudit.values()].map((items) => (
          <Table
            caption={items[0]!.auditTitle}
            columns={[
              { header: 'Record' },
              { header: 'Your part' },
              { header: 'Service' },
              { header: 'Team' },
              { header: 'Progress' },
            ]}
            rows={items
              .sort((a, b) => a.recordId.localeCompare(b.recordId))
              .map((a) => [
                <a class="govuk-link" href={`/app/audits/${a.auditId}/records/${a.recordId}`}>
                  {a.recordId}
                </a>,
                a.role === 'moderator' ? 'Second grading (moderation)' : 'Grading',
                a.service ?? '–',
                a.team ?? '–',
                <ProgressTag progress={a.progress} />,
              ])}
          />
        ))}
      </Layout>,
    );
  });

  app.get('/audits/:id/records/:recordId', async (c) => {
    const view = await recordView(ctx, me(c), c.req.param('id'), c.req.param('recordId'));
    if (view.role === 'qa-lead') return deps.render(c, <ModerationPage page={deps.page(c)} view={view} />);
    const notice = c.req.query('saved')
      ? 'Your grades have been saved. You can come back to them until you mark the record as done.'
      : undefined;
    return deps.render(
      c,
      <GradingPage
        page={deps.page(c)}
        view={view}
        state={{ form: formOf(view.grades), errors: [], ...(notice ? { notice } : {}) }}
      />,
    );
  });

  app.post('/audits/:id/records/:recordId', async (c: Context<WebEnv>) => {
    const auditId = c.req.param('id')!;
    const recordId = c.req.param('recordId')!;
    const p = me(c);
    const view = await recordView(ctx, p, auditId, recordId);
    const body = await formBody(c);
    const overall = text(body, 'overall');
    const version = numberField(text(body, 'version'));
    const form: GradesForm = {
      // A version that is not one (only a tampered form sends it) is re-read: the page then shows the IRO's answers over the grades saved now.
      version: Number.isSafeInteger(version) && version! >= 0 ? version! : view.grades.version,
      grades: Object.fromEntries(
        view.manual.flatMap((q) =>
          text(body, `grade-${q.criterionId}`) ? [[q.criterionId, text(body, `grade-${q.criterionId}`)]] : [],
        ),
      ),
      overall: overall === 'none' ? '' : overall,
      comment: text(body, 'comment'),
    };
    const again = (state: Omit<GradingState, 'form'>, status: number) =>
      deps.render(c, <GradingPage page={deps.page(c)} view={view} state={{ form, ...state }} />, status);
    const done = text(body, 'action') === 'done';
    const missing = done ? view.manual.filter((q) => !form.grades[q.criterionId]) : [];
    const parsed = parseForm(
      GradesBody,
      { version, grades: form.grades, overall: form.overall || null, comment: form.comment || null },
      gradesField(view),
    );
    if (missing.length || !parsed.ok) {
      const errors = mergeErrors(
        missing.map((q) => ({
          field: `grade-${q.criterionId}`,
          message: `Grade “${q.title}”, or choose Save to finish later`,
        })),
        parsed.ok ? [] : parsed.errors,
      );
      return again({ errors }, 400);
    }
    try {
      await saveGrades(ctx, p, auditId, recordId, parsed.data);
    } catch (error) {
      if (error instanceof ConflictError) {
        const current = error.extra.current as GradesView | undefined;
        if (current) {
          // The next save is made over the version now saved: the IRO has seen it and chosen theirs.
          form.version = current.version;
          return again(
            {
              current,
              errors: [
                {
                  field: 'record-heading',
                  message:
                    'Someone else saved grades for this record after you opened it. Nothing was overwritten. Your answers are kept below, with the grades saved meanwhile shown under each question: check them, then save again.',
                },
              ],
            },
            409,
          );
        }
        return again({ errors: [{ field: 'record-heading', message: capitalise(error.message) }] }, 409);
      }
      if (error instanceof InvalidInputError) {
        return again(
          {
            errors: error.errors.map((x) => ({
              field: x.field.startsWith('grades.')
                ? `grade-${x.field.slice(7)}`
                : x.field === 'overall'
                  ? 'overall'
                  : 'record-heading',
              message: capitalise(x.message),
            })),
          },
          400,
        );
      }
      throw error;
    }
    return done
      ? c.redirect(`/app/assignments?done=${encodeURIComponent(recordId)}`, 303)
      : c.redirect(`/app/audits/${auditId}/records/${recordId}?saved=1`, 303);
  });

  app.post('/audits/:id/records/:recordId/agreed', async (c: Context<WebEnv>) => {
    const auditId = c.req.param('id')!;
    const recordId = c.req.param('recordId')!;
    const p = me(c);
    const view = await recordView(ctx, p, auditId, recordId);
    const body = await formBody(c);
    const typed = {
      grades: Object.fromEntries(
        view.manual.flatMap((q) =>
          text(body, `agreed-${q.criterionId}`) ? [[q.criterionId, text(body, `agreed-${q.criterionId}`)]] : [],
        ),
      ),
      reason: text(body, 'reason'),
    };
    const parsed = parseForm(
      AgreedGradesBody,
      { version: numberField(text(body, 'version')), grades: typed.grades, reason: typed.reason },
      agreedField(view),
    );
    const again = (errors: FieldError[], status: number) =>
      deps.render(c, <ModerationPage page={deps.page(c)} view={view} errors={errors} typed={typed} />, status);
    if (!parsed.ok) return again(parsed.errors, 400);
    try {
      await saveAgreedGrades(ctx, p, auditId, recordId, parsed.data);
    } catch (error) {
      if (error instanceof InvalidInputError)
        return again(
          error.errors.map((x) => ({
            field: x.field.startsWith('grades.') ? `agreed-${x.field.slice(7)}` : 'reason',
            message: capitalise(x.message),
          })),
          400,
        );
      throw error;
    }
    return c.redirect(`/app/audits/${auditId}?done=agreed`, 303);
  });
}
