/**
 * The authority's settings: the timescale set its audits are judged by, each interval in words.
 * Everyone signed in reads it; the QA lead chooses another named set (audits already launched keep
 * the set they were launched with).
 */
import type { Context, Hono } from 'hono';
import type { TimescalesInWords } from '#engine/timescale-text';
import {
  AuthoritySettingsBody,
  authoritySettings,
  chooseTimescales,
  SETTINGS_ROLE,
  timescaleSets,
  type AuthoritySettings,
} from '#service/authority';
import { hasRole } from '#auth/principal';
import { ForbiddenError } from '#service/errors';
import { me, type WebDeps, type WebEnv } from '../context.ts';
import { formBody, parseForm, text } from '../forms.ts';
import {
  Breadcrumbs,
  Button,
  ErrorSummary,
  InsetText,
  NotificationBanner,
  Radios,
  SummaryList,
  Table,
  type FieldError,
} from '../pages/govuk.tsx';
import { Form, Layout, type PageContext } from '../pages/layout.tsx';

const sentence = (words: string) => `${words[0]!.toUpperCase()}${words.slice(1)}.`;

/** One set's intervals as a table: what each runs between, and how long it is. */
function IntervalsTable({ set, caption }: { set: TimescalesInWords; caption: string }) {
  return (
    <Table
      caption={caption}
      captionSize="m"
      columns={[{ header: 'Timescale' }, { header: 'Interval' }, { header: 'The rule in words' }]}
      rows={set.intervals.map((i) => [i.label, i.words, sentence(i.rule)])}
    />
  );
}

function SettingsPage({
  page,
  settings,
  chosen,
  errors,
  saved,
}: {
  page: PageContext;
  settings: AuthoritySettings;
  chosen: string;
  errors: FieldError[];
  saved: boolean;
}) {
  const current = settings.timescales;
  const sets = timescaleSets();
  return (
    <Layout
      page={page}
      title="Timescales"
      hasErrors={errors.length > 0}
      beforeContent={<Breadcrumbs items={[{ href: '/app', text: 'Home' }]} />}
    >
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <ErrorSummary errors={errors} />
          {saved ? (
            <NotificationBanner success heading={`Audits you launch from now on are judged by ${current.title}.`} />
          ) : null}
          <span class="govuk-caption-l">{settings.name}</span>
          <h1 class="govuk-heading-l">Timescales</h1>
          <p class="govuk-body">
            The timescales your audits are judged by: when reviews fall due, and how soon their decisions and records
            must be issued. The audit templates’ rules and wording come from this set, so what an audit checks and what
            its findings say always agree.
          </p>
          <SummaryList
            rows={[
              { key: 'Timescale set', value: current.title },
              { key: 'Source', value: current.citation },
            ]}
          />
        </div>
      </div>
      <IntervalsTable set={current} caption="The intervals of your authority’s set" />
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <InsetText>
            An audit keeps the set it was launched with: choosing another set changes the audits launched afterwards,
            never one under way or published.
          </InsetText>
          {settings.canChange ? (
            <Form page={page} action="/app/settings">
              <Radios
                idPrefix="timescales"
                name="timescales"
                legend="Which timescale set should your audits be judged by?"
                legendSize="m"
                selected={chosen}
                error={errors.find((e) => e.field === 'timescales')?.message}
                choices={sets.map((s) => ({
                  value: s.id,
                  label: s.title,
                  hint: sentence(s.intervals.map((i) => i.rule).join('; ')),
                }))}
              />
              <Button>Save timescales</Button>
            </Form>
          ) : (
            <p class="govuk-body">Your QA lead chooses the timescale set.</p>
          )}
        </div>
      </div>
    </Layout>
  );
}

export function settingsPages(app: Hono<WebEnv>, deps: WebDeps): void {
  const show = async (
    c: Context<WebEnv>,
    state: { chosen?: string; errors?: FieldError[]; saved?: boolean } = {},
    status = 200,
  ) => {
    const settings = await authoritySettings(deps.ctx, me(c));
    return deps.render(
      c,
      <SettingsPage
        page={deps.page(c)}
        settings={settings}
        chosen={state.chosen ?? settings.timescales.id}
        errors={state.errors ?? []}
        saved={state.saved ?? false}
      />,
      status,
    );
  };

  app.get('/settings', (c) => show(c, { saved: c.req.query('saved') === '1' }));

  app.post('/settings', async (c) => {
    const p = me(c);
    if (!hasRole(p, SETTINGS_ROLE)) throw new ForbiddenError('only a QA lead can change the timescale set');
    const chosen = text(await formBody(c), 'timescales');
    if (!chosen) return show(c, { chosen, errors: [{ field: 'timescales', message: 'Choose a timescale set' }] }, 400);
    const parsed = parseForm(AuthoritySettingsBody, { timescales: chosen }, () => ({
      id: 'timescales',
      label: 'a timescale set',
    }));
    if (!parsed.ok) return show(c, { chosen, errors: parsed.errors }, 400);
    await chooseTimescales(deps.ctx, p, parsed.data);
    return c.redirect('/app/settings?saved=1', 303);
  });
}
