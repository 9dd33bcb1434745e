/**
 * The senior manager's pages (QA leads see them too): published audits, and one audit's findings as
 * charts with their figures in tables beside them (compliance per criterion with intervals, by
 * service, change since the last audit), the practice alerts, the action plan, the template's
 * tables, and a download button per published file (a 5-minute presigned link, fetched on click).
 */
import type { Hono } from 'hono';
import { raw } from 'hono/html';
import type { CriterionFinding, FindingsDocument, ReviewsDueTable } from '#engine/findings-model';
import { DownloadableFile, downloadLink, listAudits, publishedFiles, publishedFindings } from '#service/audits';
import { NotFoundError } from '#service/errors';
import { participationMeasures } from '#engine/tables';
import {
  dueLines,
  healthLines,
  reviewsDueSentences,
  healthSourcesSentence,
  longDate,
  monthLabel,
  ownerLabel,
  participationLines,
  siblingIroLabel,
  timelinessTotal,
} from '#reports/csv';
import { changeChart, complianceChart, formatPercent, formatPoints, serviceChart } from '#reports/svg-charts';
import { me, type WebDeps, type WebEnv } from '../context.ts';
import { Breadcrumbs, NotificationBanner, SummaryList, Table, Tag } from '../pages/govuk.tsx';
import { marginLabel, sizeLabel } from '../pages/format.tsx';
import { Layout } from '../pages/layout.tsx';

const FILE_LABELS: Record<DownloadableFile, string> = {
  'report.html': 'Report to print or share (web page)',
  'findings.xlsx': 'Workbook with every table (Excel)',
  'findings.csv': 'Findings by criterion (CSV)',
  'records.csv': 'Audited records, by pseudonym (CSV)',
  'action-plan.csv': 'Action plan (CSV)',
  'findings.json': 'Findings data (JSON)',
  'manifest.json': 'List of files with their checksums (JSON)',
};

/** An inline SVG chart made by the report renderers (their text is escaped there). */
const Chart = ({ svg, caption }: { svg: string; caption: string }) => (
  <figure class="app-figure">
    {raw(svg)}
    <figcaption class="govuk-body-s">{caption}</figcaption>
  </figure>
);

const Result = ({ c }: { c: CriterionFinding }) =>
  c.compliance === null ? (
    <>Not judged</>
  ) : c.belowThreshold ? (
    <Tag colour="red">Below threshold</Tag>
  ) : (
    <Tag colour="green">Meets threshold</Tag>
  );

function Headline({ doc }: { doc: FindingsDocument }) {
  const below = doc.criteria.filter((c) => c.belowThreshold);
  const lead =
    below.length === 0
      ? `All ${doc.criteria.length} criteria meet their thresholds.`
      : `${below.length} of ${doc.criteria.length} criteria ${below.length === 1 ? 'is' : 'are'} below threshold: ${below.map((c) => `${c.title} (${formatPercent(c.compliance)} against ${formatPercent(c.threshold)})`).join('; ')}.`;
  const hasChange = doc.criteria.some((c) => c.change);
  return (
    <section aria-labelledby="headline-heading">
      <h2 class="govuk-heading-l" id="headline-heading">
        Compliance
      </h2>
      <p class="govuk-body-l">{lead}</p>
      <Chart
        svg={complianceChart(doc.criteria)}
        caption="Bars show compliance (met out of met and not met), whiskers the 95% interval, dashed lines the threshold. The figures are in the table below."
      />
      <Table
        caption="Compliance per criterion"
        small
        columns={[
          { header: 'Criterion' },
          { header: 'Audited', numeric: true },
          { header: 'Met', numeric: true },
          { header: 'Not met', numeric: true },
          { header: 'Cannot tell', numeric: true },
          { header: 'Compliance', numeric: true },
          { header: '95% interval', numeric: true },
          { header: 'Threshold', numeric: true },
          { header: 'Result' },
          ...(hasChange ? [{ header: 'Change since the last audit', numeric: true }] : []),
        ]}
        rows={doc.criteria.map((c) => [
          `${c.title}${c.kind === 'manual' ? ' (graded by IROs)' : ''}`,
          String(c.n),
          String(c.met),
          String(c.notMet),
          String(c.cannotTell),
          formatPercent(c.compliance),
          c.ci95 ? `${formatPercent(c.ci95.lower)} to ${formatPercent(c.ci95.upper)}` : '–',
          `${formatPercent(c.threshold)}${c.thresholdGrade ? `, ${c.thresholdGrade} or better` : ''}`,
          <Result c={c} />,
          ...(hasChange ? [c.change ? formatPoints(c.change.delta) : '–'] : []),
        ])}
      />
      {doc.criteria
        .filter((c) => c.grades && Object.keys(c.grades).length > 0)
        .map((c) => {
          const grades = Object.entries(c.grades!);
          const total = grades.reduce((n, [, k]) => n + k, 0);
          return (
            <Table
              caption={`Grades: ${c.title}`}
              captionSize="s"
              columns={[
                { header: 'Grade' },
                { header: 'Records', numeric: true },
                { header: 'Share of graded', numeric: true },
              ]}
              rows={grades.map(([grade, n]) => [grade, String(n), formatPercent(total > 0 ? n / total : null)])}
            />
          );
        })}
    </section>
  );
}

function ByService({ doc }: { doc: FindingsDocument }) {
  const rows = doc.breakdowns.service;
  if (rows.length === 0) return null;
  const criteria = doc.criteria.filter((c) => rows.some((r) => r.criterionId === c.id));
  const services = [...new Set(rows.map((r) => r.key))];
  return (
    <section aria-labelledby="service-heading">
      <h2 class="govuk-heading-l" id="service-heading">
        By service
      </h2>
      {criteria.map((c, i) => (
        <>
          <h3 class="govuk-heading-s">{c.title}</h3>
          <Chart
            svg={serviceChart(rows, c.id, {
              id: `chart-service-${i + 1}`,
              title: `Compliance by service: ${c.title}`,
              threshold: c.threshold,
            })}
            caption="Bars show each service’s compliance, with how many of how many met; the dashed line is the threshold."
          />
        </>
      ))}
      <Table
        caption="Compliance by service and criterion (met of audited)"
        small
        columns={[{ header: 'Service' }, ...criteria.map((c) => ({ header: c.title, numeric: true }))]}
        rows={services.map((service) => [
          service,
          ...criteria.map((c) => {
            const r = rows.find((x) => x.key === service && x.criterionId === c.id);
            return r
              ? r.compliance === null
                ? 'none judged'
                : `${formatPercent(r.compliance)} (${r.met} of ${r.met + r.notMet})`
              : '–';
          }),
        ])}
      />
    </section>
  );
}

function Change({ doc }: { doc: FindingsDocument }) {
  const chart = changeChart(doc.criteria);
  return (
    <section aria-labelledby="change-heading">
      <h2 class="govuk-heading-l" id="change-heading">
        Change since the last audit
      </h2>
      {chart ? (
        <Chart
          svg={chart}
          caption="Grey bars show the previous audit of this template, blue bars this one; the change in percentage points is beside each criterion."
        />
      ) : (
        <p class="govuk-body">
          This is the first published audit of this template for your authority, so there is nothing to compare with
          yet.
        </p>
      )}
      {doc.comparison ? (
        <Table
          caption={`Children not meeting each criterion, compared with the previous audit (${doc.comparison.previousAuditId})`}
          captionSize="s"
          columns={[
            { header: 'Criterion' },
            { header: 'Newly not met', numeric: true },
            { header: 'Resolved', numeric: true },
            { header: 'Still not met', numeric: true },
          ]}
          rows={doc.comparison.criteria.map((c) => [
            doc.criteria.find((x) => x.id === c.criterionId)?.title ?? c.criterionId,
            String(c.newlyNotMet.length),
            String(c.resolved.length),
            String(c.persisting.length),
          ])}
        />
      ) : null}
    </section>
  );
}

function Alerts({ doc }: { doc: FindingsDocument }) {
  const themes = new Map<string, string[]>();
  for (const s of doc.alertSummary) themes.set(s.theme, [...(themes.get(s.theme) ?? []), s.summary]);
  const byTeam = new Map<string, number>();
  for (const a of doc.alerts)
    byTeam.set(JSON.stringify([a.team, a.title]), (byTeam.get(JSON.stringify([a.team, a.title])) ?? 0) + 1);
  const teamRows = [...byTeam]
    .map(([k, n]) => [...(JSON.parse(k) as [string, string]), n] as const)
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
  return (
    <section aria-labelledby="alerts-heading">
      <h2 class="govuk-heading-l" id="alerts-heading">
        Practice alerts
      </h2>
      {themes.size === 0 ? <p class="govuk-body">No practice alerts were raised.</p> : null}
      {[...themes].map(([theme, lines]) => (
        <>
          <h3 class="govuk-heading-s">{theme}</h3>
          <ul class="govuk-list govuk-list--bullet">
            {lines.map((l) => (
              <li>{l}</li>
            ))}
          </ul>
        </>
      ))}
      {teamRows.length ? (
        <Table
          caption="Alerts by the team that should act"
          captionSize="s"
          columns={[{ header: 'Team to act' }, { header: 'Alert' }, { header: 'Records', numeric: true }]}
          rows={teamRows.map(([team, title, n]) => [team, title, String(n)])}
        />
      ) : null}
    </section>
  );
}

function ActionPlan({ doc }: { doc: FindingsDocument }) {
  const titles = new Map(doc.criteria.map((c) => [c.id, c.title]));
  return (
    <section aria-labelledby="plan-heading">
      <h2 class="govuk-heading-l" id="plan-heading">
        Action plan
      </h2>
      {doc.actionPlan.length === 0 ? (
        <p class="govuk-body">No actions were planned.</p>
      ) : (
        <Table
          caption="Actions agreed from these findings"
          small
          columns={[
            { header: 'Action' },
            { header: 'By whom' },
            { header: 'By when' },
            { header: 'Expected outcome' },
            { header: 'Success measure' },
            { header: 'Linked findings' },
          ]}
          rows={doc.actionPlan.map((a) => [
            a.action,
            ownerLabel(a.owner),
            longDate(a.dueDate),
            a.expectedOutcome,
            a.successMeasure,
            a.linkedCriteria.map((id) => titles.get(id) ?? id).join('; ') || '–',
          ])}
        />
      )}
    </section>
  );
}

/** Every review due, held or not: the sentences, by month due with quarters and the year to date, short breaks apart, reasons for lateness. */
function ReviewsDue({ table, period }: { table: ReviewsDueTable; period: FindingsDocument['period'] }) {
  const dueTable = (caption: string, rows: ReviewsDueTable['byMonthDue']) => {
    const lines = dueLines(rows);
    const cells = (l: (typeof lines)[number]) => [
      l.label,
      String(l.due),
      String(l.inTime),
      String(l.late),
      String(l.notHeld),
      formatPercent(l.share),
    ];
    return (
      <Table
        caption={caption}
        columns={[
          { header: 'Due in' },
          { header: 'Reviews due', numeric: true },
          { header: 'Held in timescale', numeric: true },
          { header: 'Held late', numeric: true },
          { header: 'Not held (overdue)', numeric: true },
          { header: 'Share in timescale', numeric: true },
        ]}
        rows={lines.filter((l) => l.kind !== 'year').map(cells)}
        foot={cells(lines.at(-1)!)}
      />
    );
  };
  return (
    <>
      <h3 class="govuk-heading-m">Every review due, held or not</h3>
      {reviewsDueSentences(table, period).map((sentence) => (
        <p class="govuk-body">{sentence}</p>
      ))}
      {dueTable('Reviews of children looked after (reg 33), by the month they fell due', table.byMonthDue)}
      {table.shortBreaksByMonthDue.length
        ? dueTable(
            'Reviews of children on a series of short breaks only (reg 48), by the month they fell due',
            table.shortBreaksByMonthDue,
          )
        : null}
      {table.lateReasons.length ? (
        <Table
          caption="Reviews due in the period held late or not held, by the reason recorded"
          columns={[{ header: 'Reason for lateness' }, { header: 'Reviews', numeric: true }]}
          rows={table.lateReasons.map((r) => [
            r.reason === 'not recorded' ? 'No reason recorded' : r.reason,
            String(r.reviews),
          ])}
        />
      ) : null}
    </>
  );
}

function TemplateTables({ doc }: { doc: FindingsDocument }) {
  const { participation, timeliness, reviewsDue, siblingGroups, health } = doc.tables;
  if (!participation && !timeliness && !reviewsDue && !siblingGroups && !health) return null;
  return (
    <section aria-labelledby="tables-heading">
      <h2 class="govuk-heading-l" id="tables-heading">
        Tables
      </h2>
      {participation
        ? (() => {
            const { lines, total } = participationLines(participation);
            return (
              <Table
                caption="Participation at reviews (SSDA903 participation codes)"
                columns={[
                  { header: 'Code' },
                  { header: 'Participation' },
                  { header: 'Reviews', numeric: true },
                  { header: 'Share of reviews', numeric: true },
                ]}
                rows={lines.map((l) => [l.code, l.label, String(l.reviews), formatPercent(l.share)])}
                foot={['Total', '', String(total), total > 0 ? '100%' : '–']}
              />
            );
          })()
        : null}
      {participation
        ? (() => (
            <Table
              caption="Participation: the two headline percentages"
              columns={[
                { header: 'Measure' },
                { header: 'Child participated', numeric: true },
                { header: 'Reviews', numeric: true },
                { header: 'Share', numeric: true },
              ]}
              rows={participationMeasures(participation).map((m) => [
                m.name,
                String(m.participated),
                String(m.reviews),
                formatPercent(m.share),
              ])}
            />
          ))()
        : null}
      {timeliness
        ? (() => {
            const total = timelinessTotal(timeliness);
            return (
              <Table
                caption="Reviews held and held in timescale, by month"
                columns={[
                  { header: 'Month' },
                  { header: 'Reviews held', numeric: true },
                  { header: 'Held in timescale', numeric: true },
                  { header: 'Share in timescale', numeric: true },
                ]}
                rows={timeliness.map((t) => [
                  monthLabel(t.month),
                  String(t.held),
                  String(t.inTime),
                  formatPercent(t.share),
                ])}
                foot={['Total', String(total.held), String(total.inTime), formatPercent(total.share)]}
              />
            );
          })()
        : null}
      {reviewsDue ? <ReviewsDue table={reviewsDue} period={doc.period} /> : null}
      {siblingGroups ? (
        <Table
          caption="Sibling groups: the children and the workers allocated to them"
          columns={[
            { header: 'Sibling group' },
            { header: 'Children and workers' },
            { header: 'One IRO for the group' },
          ]}
          rows={siblingGroups.map((g) => [g.familyId, g.summary, siblingIroLabel(g)])}
        />
      ) : null}
      {health ? (
        <Table
          caption={`Health checks of the ${health.cohort} children looked after continuously for 12 months or more`}
          columns={[
            { header: 'Measure' },
            { header: 'Children', numeric: true },
            { header: 'Out of', numeric: true },
            { header: 'Share', numeric: true },
          ]}
          rows={healthLines(health).map((l) => [
            l.measure,
            String(l.children),
            l.of ? `${l.of.children} ${l.of.label}` : '',
            l.of ? formatPercent(l.share) : '',
          ])}
        />
      ) : null}
      {health && healthSourcesSentence(health) ? <p class="govuk-body">{healthSourcesSentence(health)}</p> : null}
    </section>
  );
}

export function findingsPages(app: Hono<WebEnv>, deps: WebDeps): void {
  const { ctx } = deps;

  app.get('/findings', async (c) => {
    const audits = await listAudits(ctx, me(c), { status: 'published' });
    return deps.render(
      c,
      <Layout page={deps.page(c)} title="Published findings">
        <h1 class="govuk-heading-l">Published findings</h1>
        {audits.length === 0 ? (
          <p class="govuk-body">No audit has been published yet.</p>
        ) : (
          <Table
            caption="Published audits, newest first"
            columns={[{ header: 'Audit' }, { header: 'Theme' }, { header: 'Period' }, { header: 'Published' }]}
            rows={audits.map((a) => [
              <a class="govuk-link" href={`/app/findings/${a.auditId}`}>
                {a.title}
              </a>,
              a.template.theme,
              `${longDate(a.period.from)} to ${longDate(a.period.to)}`,
              longDate(a.publishedAt ?? a.createdAt),
            ])}
          />
        )}
      </Layout>,
    );
  });

  app.get('/findings/:id', async (c) => {
    const p = me(c);
    const auditId = c.req.param('id');
    const [doc, files] = await Promise.all([publishedFindings(ctx, p, auditId), publishedFiles(ctx, p, auditId)]);
    return deps.render(
      c,
      <Layout
        page={deps.page(c)}
        title={`Findings: ${doc.audit.title}`}
        beforeContent={
          <Breadcrumbs
            items={[
              { href: '/app', text: 'Home' },
              { href: '/app/findings', text: 'Published findings' },
            ]}
          />
        }
      >
        <span class="govuk-caption-l">{doc.template.theme}</span>
        <h1 class="govuk-heading-xl">{doc.audit.title}</h1>
        <SummaryList
          rows={[
            { key: 'Authority', value: doc.audit.authorityName },
            { key: 'Template', value: `${doc.template.title} (version ${doc.template.version})` },
            { key: 'Audit period', value: `${longDate(doc.period.from)} to ${longDate(doc.period.to)}` },
            { key: 'Closed', value: longDate(doc.audit.closedAt) },
            { key: 'Population', value: `${doc.population} records` },
            { key: 'Sample', value: `${doc.sampleSize} audited` },
            { key: 'Margin of error', value: marginLabel(doc.marginOfError, doc.sampleSize) },
            // The set the audit was judged by, fixed when it was launched.
            doc.timescales ? { key: 'Timescales', value: doc.timescales.summary } : null,
          ]}
        />
        <nav aria-labelledby="contents-heading" class="govuk-!-margin-bottom-8">
          <h2 class="govuk-heading-s" id="contents-heading">
            Contents
          </h2>
          <ul class="govuk-list">
            {[
              ['#headline-heading', 'Compliance'],
              ['#service-heading', 'By service'],
              ['#change-heading', 'Change since the last audit'],
              ['#alerts-heading', 'Practice alerts'],
              ['#plan-heading', 'Action plan'],
              ['#downloads-heading', 'Downloads'],
            ].map(([href, label]) => (
              <li>
                <a class="govuk-link" href={href}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <Headline doc={doc} />
        <ByService doc={doc} />
        <Change doc={doc} />
        <Alerts doc={doc} />
        <ActionPlan doc={doc} />
        <TemplateTables doc={doc} />
        <section aria-labelledby="downloads-heading">
          <h2 class="govuk-heading-l" id="downloads-heading">
            Downloads
          </h2>
          <p class="govuk-body">
            Each button fetches a link that works for 5 minutes; every download is recorded in the audit trail.
          </p>
          <ul class="govuk-list">
            {files.map((f) => (
              <li>
                <a
                  class="govuk-button govuk-button--secondary govuk-!-margin-bottom-2"
                  role="button"
                  draggable="false"
                  data-module="govuk-button"
                  href={`/app/findings/${auditId}/downloads/${f.file}`}
                >
                  Download {FILE_LABELS[f.file]}
                  <span class="govuk-visually-hidden">, {f.file}</span>
                </a>{' '}
                <span class="govuk-body-s">{[f.file, sizeLabel(f.size)].filter(Boolean).join(', ')}</span>
              </li>
            ))}
          </ul>
        </section>
      </Layout>,
    );
  });

  app.get('/findings/:id/downloads/:file', async (c) => {
    const file = DownloadableFile.safeParse(c.req.param('file'));
    if (!file.success) throw new NotFoundError(`audits publish no file called ${c.req.param('file')}`);
    const link = await downloadLink(ctx, me(c), c.req.param('id'), file.data);
    c.header('Cache-Control', 'no-store');
    return c.redirect(link.url, 303);
  });
}
