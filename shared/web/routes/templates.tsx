/** The template library: each themed audit's statutory basis, population, criteria, grade scale and actions. */
import type { Hono } from 'hono';
import { hasRole } from '#auth/principal';
import { FINDINGS_TABLES } from '#engine/template';
import { renderTemplate } from '#engine/timescale-text';
import { authorityTimescales } from '#service/authority';
import { formatPercent } from '#reports/svg-charts';
import { me, type WebDeps, type WebEnv } from '../context.ts';
import { Breadcrumbs, Button, SummaryList, Table, Tag } from '../pages/govuk.tsx';
import { populationRuleLabel, samplingLabel } from '../pages/format.tsx';
import { Layout } from '../pages/layout.tsx';

const TABLE_NAMES: Record<(typeof FINDINGS_TABLES)[number], string> = {
  participation: 'Participation in reviews by PN code',
  timeliness: 'Reviews held in timescale, by month held',
  reviewsDue:
    'Every review due, held or not, by month due; short breaks apart; children whose reviews were all in time',
  siblingGroups: 'Sibling groups and the workers allocated to them',
  health: 'Health checks of children looked after 12 months or more',
};

export function templatePages(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/templates', async (c) => {
    const p = me(c);
    const [listed, timescales] = await Promise.all([
      deps.ctx.templates.list(p.authorityId),
      authorityTimescales(deps.ctx, p.authorityId),
    ]);
    const entries = listed.map((e) => ({ ...e, template: renderTemplate(e.template, timescales) }));
    return deps.render(
      c,
      <Layout page={deps.page(c)} title="Audit templates">
        <h1 class="govuk-heading-l">Audit templates</h1>
        <p class="govuk-body">
          Each template is one themed audit: which records it looks at, what it checks automatically, what IROs grade,
          and the law behind it.
        </p>
        <Table
          caption="Templates your authority can run"
          columns={[
            { header: 'Template' },
            { header: 'Theme' },
            { header: 'Version', numeric: true },
            { header: 'Source' },
          ]}
          rows={entries.map((e) => [
            <a class="govuk-link" href={`/app/templates/${e.template.id}`}>
              {e.template.title}
            </a>,
            e.template.theme,
            String(e.template.version),
            e.source === 'built-in' ? 'Shipped with the service' : `Added by ${e.addedBy ?? 'a QA lead'}`,
          ])}
        />
      </Layout>,
    );
  });

  app.get('/templates/:id', async (c) => {
    const p = me(c);
    const versionParam = c.req.query('version');
    const version = versionParam && /^\d+$/.test(versionParam) ? Number(versionParam) : undefined;
    const [entry, timescales] = await Promise.all([
      deps.ctx.templates.get(p.authorityId, c.req.param('id'), version),
      authorityTimescales(deps.ctx, p.authorityId),
    ]);
    // The template as the authority reads it: every {timescale:…} placeholder worded from its set.
    const t = renderTemplate(entry.template, timescales);
    const automatic = t.criteria.filter((x) => x.kind === 'automatic');
    const manual = t.criteria.filter((x) => x.kind === 'manual');
    const titles = new Map(t.criteria.map((x) => [x.id, x.title]));
    return deps.render(
      c,
      <Layout
        page={deps.page(c)}
        title={t.title}
        beforeContent={
          <Breadcrumbs
            items={[
              { href: '/app', text: 'Home' },
              { href: '/app/templates', text: 'Audit templates' },
            ]}
          />
        }
      >
        <span class="govuk-caption-l">{t.theme}</span>
        <h1 class="govuk-heading-l">{t.title}</h1>
        <p class="govuk-body-l">{t.summary}</p>
        {hasRole(p, 'qa-lead') ? (
          <Button href={`/app/audits/new?template=${encodeURIComponent(t.id)}`}>Launch this audit</Button>
        ) : null}
        <SummaryList
          rows={[
            {
              key: 'Version',
              value: `${t.version}${entry.versions.length > 1 ? ` (versions held: ${entry.versions.join(', ')})` : ''}`,
            },
            { key: 'Population', value: populationRuleLabel(t.population.rule) },
            { key: 'Default sample', value: samplingLabel(t.defaultSampling) },
            {
              key: 'Tables in the findings',
              value: t.tables.length ? t.tables.map((x) => TABLE_NAMES[x]).join('; ') : 'None',
            },
            {
              key: 'Timescales',
              value: (
                <>
                  {timescales.title}.{' '}
                  <a class="govuk-link" href="/app/settings">
                    Your authority’s timescale set
                  </a>{' '}
                  words the intervals on this page and judges the audits launched under it.
                </>
              ),
            },
          ]}
        />

        <h2 class="govuk-heading-m">Statutory basis</h2>
        <ul class="govuk-list govuk-list--spaced">
          {t.statutoryBasis.map((b) => (
            <li>
              <strong>
                {b.url ? (
                  <a class="govuk-link" href={b.url} rel="noreferrer">
                    {b.citation}
                  </a>
                ) : (
                  b.citation
                )}
              </strong>
              <br />
              {b.text}
            </li>
          ))}
        </ul>

        <h2 class="govuk-heading-m">Checked automatically from the records</h2>
        {automatic.length === 0 ? (
          <p class="govuk-body">Nothing: every criterion is graded by an IRO.</p>
        ) : (
          <Table
            caption="Automatic criteria"
            captionSize="s"
            columns={[
              { header: 'Criterion' },
              { header: 'Rule' },
              { header: 'Threshold', numeric: true },
              { header: 'Practice alert' },
            ]}
            rows={automatic.map((x) =>
              x.kind === 'automatic' ? [x.title, x.rule, formatPercent(x.threshold), x.alert.title] : [],
            )}
          />
        )}

        <h2 class="govuk-heading-m">Graded by IROs</h2>
        {manual.length === 0 ? (
          <p class="govuk-body">Nothing: every criterion is checked automatically.</p>
        ) : (
          manual.map((x) =>
            x.kind === 'manual' ? (
              <div class="govuk-!-margin-bottom-6">
                <h3 class="govuk-heading-s">{x.title}</h3>
                <p class="govuk-body">{x.question}</p>
                <p class="govuk-hint">{x.guidance}</p>
                <p class="govuk-body-s">
                  Met when graded <strong>{x.threshold.atLeast}</strong> or better; an action is planned below{' '}
                  {formatPercent(x.threshold.share)}.
                </p>
              </div>
            ) : null,
          )
        )}

        <h2 class="govuk-heading-m">Grade scale</h2>
        <SummaryList rows={t.gradeScale.map((g) => ({ key: g.grade, value: g.guidance }))} />

        <h2 class="govuk-heading-m">Actions planned when a criterion falls short</h2>
        {t.actions.length === 0 ? (
          <p class="govuk-body">None.</p>
        ) : (
          <Table
            caption="Actions in the template"
            captionSize="s"
            columns={[
              { header: 'When this falls short' },
              { header: 'Action' },
              { header: 'Owner' },
              { header: 'Due', numeric: true },
            ]}
            rows={t.actions.map((a) => [
              titles.get(a.criterion) ?? a.criterion,
              a.action,
              `${a.owner.role}, ${a.owner.team}`,
              `${a.dueInDays} days after closing`,
            ])}
          />
        )}
        <p class="govuk-body-s">
          <Tag colour="grey">
            {entry.source === 'built-in' ? 'Shipped with the service' : 'Added by your authority'}
          </Tag>
        </p>
      </Layout>,
    );
  });
}
