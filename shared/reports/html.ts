/** report.html: the findings as one self-contained, printable page for senior managers and Corporate Parenting boards. */
import type { CriterionFinding, FindingsDocument } from '#engine/findings-model';
import {
  dueLines,
  healthLines,
  healthSourcesSentence,
  longDate,
  monthLabel,
  ownerLabel,
  participationLines,
  quarterRows,
  reviewsDueSentences,
  shareOf,
  siblingIroLabel,
  timelinessTotal,
} from './csv.ts';
import { participationMeasures } from '#engine/tables';
import { changeChart, complianceChart, escapeXml, formatPercent, formatPoints, serviceChart } from './svg-charts.ts';

/** Escapes every dynamic string: names, titles and comments come from imports and people, never trusted as markup. */
const h = (text: string | number | null | undefined): string =>
  text === null || text === undefined ? '' : escapeXml(String(text));

// Plain GOV.UK-like typography from the system font stack: the page must open offline, from an
// email attachment or a board pack, so nothing is fetched (no fonts, scripts or images).
const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#fff;color:#0b0c0c;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.45}
main{max-width:1000px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:2rem;line-height:1.2;margin:0 0 16px}
h2{font-size:1.5rem;line-height:1.25;margin:48px 0 12px;padding-top:12px;border-top:2px solid #0b0c0c}
h3{font-size:1.2rem;margin:28px 0 8px}
p{margin:0 0 12px;max-width:46em}
.caption{color:#505a5f;font-size:1.1rem;margin-bottom:4px}
.lead{font-size:1.2rem}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:4px 24px;margin:16px 0 0}
dl.summary dt{font-weight:700}
dl.summary dd{margin:0}
table{border-collapse:collapse;width:100%;margin:8px 0 24px;font-size:.95rem}
caption{text-align:left;font-weight:700;font-size:1.05rem;padding:0 0 8px}
th,td{text-align:left;vertical-align:top;padding:8px 12px 8px 0;border-bottom:1px solid #b1b4b6}
thead th{border-bottom:2px solid #0b0c0c}
tfoot th,tfoot td{font-weight:700;border-top:2px solid #0b0c0c}
tr.subtotal th,tr.subtotal td{background:#f3f2f1;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}
.table-wrap{overflow-x:auto}
th[scope=row]{min-width:9em}
table.compact{font-size:.85rem}
table.compact th,table.compact td{padding:6px 8px 6px 0}
table.compact th[scope=row]{min-width:12em}
.below{display:inline-block;padding:0 6px;border:2px solid #d4351c;font-weight:700;white-space:nowrap}
.ok{white-space:nowrap}
figure{margin:12px 0 24px}
figure svg{display:block;width:100%;max-width:800px;height:auto}
figcaption{font-size:.9rem;color:#505a5f;margin-top:4px}
ul.alerts{padding-left:20px}
ul.alerts li{margin-bottom:6px}
footer{margin-top:48px;padding-top:12px;border-top:1px solid #b1b4b6;font-size:.85rem;color:#505a5f}
@media print{
  @page{size:A4;margin:15mm}
  body{font-size:10.5pt}
  main{max-width:none;padding:0}
  h2{margin-top:0}
  section.page{break-before:page}
  h2,h3,caption{break-after:avoid}
  tr,figure,dl.summary{break-inside:avoid}
  thead{display:table-header-group}
  tfoot{display:table-footer-group}
  .below{border-color:#000}
  .table-wrap{overflow:visible}
}
`;

const th = (text: string, numeric = false) => `<th scope="col"${numeric ? ' class="num"' : ''}>${h(text)}</th>`;
const td = (text: string | number | null | undefined, numeric = false) =>
  `<td${numeric ? ' class="num"' : ''}>${h(text)}</td>`;

function table(
  caption: string,
  headers: [string, boolean?][],
  body: string[],
  foot?: string,
  className?: string,
): string {
  // The wrapper scrolls a wide table on a phone; on paper it is visible and the table wraps.
  return (
    `<div class="table-wrap"><table${className ? ` class="${className}"` : ''}><caption>${h(caption)}</caption><thead><tr>${headers.map(([t, n]) => th(t, n)).join('')}</tr></thead>` +
    `<tbody>${body.join('')}</tbody>${foot ? `<tfoot>${foot}</tfoot>` : ''}</table></div>`
  );
}

function against(c: CriterionFinding): string {
  if (c.compliance === null) return '<span>not judged</span>';
  return c.belowThreshold ? '<span class="below">Below threshold</span>' : '<span class="ok">Meets threshold</span>';
}

function header(doc: FindingsDocument): string {
  const rows: [string, string][] = [
    ['Authority', `${doc.audit.authorityName} (${doc.audit.authorityId})`],
    ['Template', `${doc.template.title} (version ${doc.template.version})`],
    ['Theme', doc.template.theme],
    ['Audit period', `${longDate(doc.period.from)} to ${longDate(doc.period.to)}`],
    ['Closed', longDate(doc.audit.closedAt)],
    ['Population', String(doc.population)],
    [
      'Sample',
      `${doc.sampleSize} audited${doc.marginOfError !== null ? ` (margin of error ±${formatPercent(doc.marginOfError)} at 95% confidence)` : ''}`,
    ],
    // The timescale set the audit was judged by (fixed when it was launched), in plain English.
    ...(doc.timescales ? [['Timescales', doc.timescales.summary] as [string, string]] : []),
  ];
  return (
    `<header><p class="caption">Themed audit findings · ${h(doc.template.theme)}</p><h1>${h(doc.audit.title)}</h1>` +
    `<dl class="summary">${rows.map(([k, v]) => `<dt>${h(k)}</dt><dd>${h(v)}</dd>`).join('')}</dl></header>`
  );
}

function headline(doc: FindingsDocument): string {
  const below = doc.criteria.filter((c) => c.belowThreshold);
  const lead =
    doc.criteria.length === 0
      ? 'This audit has no criteria.'
      : below.length === 0
        ? `All ${doc.criteria.length} criteria meet their thresholds.`
        : `${below.length} of ${doc.criteria.length} criteria ${below.length === 1 ? 'is' : 'are'} below threshold: ${below.map((c) => `${c.title} (${formatPercent(c.compliance)} against ${formatPercent(c.threshold)})`).join('; ')}.`;
  return (
    `<section id="headline"><h2>Headline compliance</h2><p class="lead">${h(lead)}</p>` +
    `<figure>${complianceChart(doc.criteria)}<figcaption>Bars show compliance (met out of met and not met); whiskers the 95% interval; dashed lines the threshold.</figcaption></figure></section>`
  );
}

function criteriaTable(doc: FindingsDocument): string {
  const hasChange = doc.criteria.some((c) => c.change);
  const headers: [string, boolean?][] = [
    ['Criterion'],
    ['Audited', true],
    ['Met', true],
    ['Not met', true],
    ['Not applicable', true],
    ['Cannot tell', true],
    ['Compliance', true],
    ['95% interval', true],
    ['Threshold', true],
    ['Result'],
    ...(hasChange ? ([['Change since last audit', true]] as [string, boolean?][]) : []),
  ];
  const body = doc.criteria.map(
    (c) =>
      `<tr><th scope="row">${h(c.title)}${c.kind === 'manual' ? ' <small>(graded by auditors)</small>' : ''}</th>${td(c.n, true)}${td(c.met, true)}${td(c.notMet, true)}` +
      `${td(c.notApplicable, true)}${td(c.cannotTell, true)}${td(formatPercent(c.compliance), true)}` +
      `${td(c.ci95 ? `${formatPercent(c.ci95.lower).replace('%', '')}–${formatPercent(c.ci95.upper)}` : '–', true)}${td(`${formatPercent(c.threshold)}${c.thresholdGrade ? ` ${h(c.thresholdGrade)} or better` : ''}`, true)}<td>${against(c)}</td>` +
      `${hasChange ? td(c.change ? formatPoints(c.change.delta) : '–', true) : ''}</tr>`,
  );
  let out = `<section id="criteria"><h2>Findings by criterion</h2>${table('Outcomes per criterion (compliance = met ÷ (met + not met))', headers, body, undefined, 'compact')}`;
  for (const c of doc.criteria.filter((x) => x.grades && Object.keys(x.grades).length > 0)) {
    const grades = Object.entries(c.grades!);
    const total = grades.reduce((sum, [, n]) => sum + n, 0);
    out += table(
      `Grades: ${c.title}`,
      [['Grade'], ['Records', true], ['% of graded', true]],
      grades.map(
        ([grade, n]) =>
          `<tr><th scope="row">${h(grade)}</th>${td(n, true)}${td(formatPercent(total > 0 ? n / total : null), true)}</tr>`,
      ),
      `<tr><th scope="row">Total</th>${td(total, true)}${td(total > 0 ? '100%' : '–', true)}</tr>`,
    );
  }
  return `${out}</section>`;
}

function byService(doc: FindingsDocument): string {
  const rows = doc.breakdowns.service;
  if (rows.length === 0) return '';
  const criteria = doc.criteria.filter((c) => rows.some((r) => r.criterionId === c.id));
  const services = [...new Set(rows.map((r) => r.key))];
  let out = '<section id="by-service" class="page"><h2>Compliance by service</h2>';
  criteria.forEach((c, i) => {
    out += `<h3>${h(c.title)}</h3><figure>${serviceChart(rows, c.id, { id: `chart-service-${i + 1}`, title: `Compliance by service: ${c.title}`, threshold: c.threshold })}</figure>`;
  });
  const body = services.map((service) => {
    const cells = criteria.map((c) => {
      const r = rows.find((x) => x.key === service && x.criterionId === c.id);
      return td(
        r
          ? r.compliance === null
            ? 'none judged'
            : `${formatPercent(r.compliance)} (${r.met} of ${r.met + r.notMet})`
          : '–',
        true,
      );
    });
    return `<tr><th scope="row">${h(service)}</th>${cells.join('')}</tr>`;
  });
  out += table(
    'Compliance by service and criterion (met of audited)',
    [['Service'], ...criteria.map((c): [string, boolean] => [c.title, true])],
    body,
    undefined,
    'compact',
  );
  return `${out}<p>Breakdowns by team and by IRO are in the workbook (findings.xlsx).</p></section>`;
}

function change(doc: FindingsDocument): string {
  const chart = changeChart(doc.criteria);
  const comparison = doc.comparison;
  if (!chart && !comparison) return '';
  let out = '<section id="change"><h2>Change since the last audit</h2>';
  if (chart) out += `<figure>${chart}</figure>`;
  if (comparison) {
    const titles = new Map(doc.criteria.map((c) => [c.id, c.title]));
    out += `<p>Children compared with the previous audit (${h(comparison.previousAuditId)}), by their pseudonyms.</p>`;
    out += table(
      'Children not meeting each criterion, compared with the previous audit',
      [['Criterion'], ['Newly not met', true], ['Resolved', true], ['Persisting', true]],
      comparison.criteria.map(
        (c) =>
          `<tr><th scope="row">${h(titles.get(c.criterionId) ?? c.criterionId)}</th>${td(c.newlyNotMet.length, true)}${td(c.resolved.length, true)}${td(c.persisting.length, true)}</tr>`,
      ),
    );
  }
  return `${out}</section>`;
}

function findingsTables(doc: FindingsDocument): string {
  const { participation, timeliness, reviewsDue, siblingGroups, health } = doc.tables;
  if (!participation && !timeliness && !reviewsDue && !siblingGroups && !health) return '';
  let out = '<section id="tables" class="page"><h2>Tables</h2>';
  if (participation) {
    const { lines, total } = participationLines(participation);
    const pn7 = participation.PN7 ?? 0;
    out += '<h3>Participation in reviews</h3>';
    out += `<p>In total, ${pn7} ${pn7 === 1 ? 'review was' : 'reviews were'} held where a child aged 4 or over did not contribute to their review (PN7).</p>`;
    out += table(
      'Participation at reviews (SSDA903 participation codes)',
      [['Code'], ['Participation'], ['Reviews', true], ['% of total', true]],
      lines.map(
        (l) =>
          `<tr><th scope="row">${h(l.code)}</th>${td(l.label)}${td(l.reviews, true)}${td(formatPercent(l.share), true)}</tr>`,
      ),
      `<tr><th scope="row">Total</th><td></td>${td(total, true)}${td(total > 0 ? '100%' : '–', true)}</tr>`,
    );
    out += table(
      'Participation: the two headline percentages (reviews where the child participated, PN0–PN6 or PN1–PN6)',
      [['Measure'], ['Child participated', true], ['Reviews', true], ['%', true]],
      participationMeasures(participation).map(
        (m) =>
          `<tr><th scope="row">${h(m.name)}</th>${td(m.participated, true)}${td(m.reviews, true)}${td(formatPercent(m.share), true)}</tr>`,
      ),
    );
  }
  if (timeliness) {
    const total = timelinessTotal(timeliness);
    out += '<h3>Review timeliness</h3>';
    out += table(
      'Reviews held and held in timescale, by month',
      [['Month'], ['Reviews held', true], ['Held in timescale', true], ['% in timescale', true]],
      [
        ...timeliness.map(
          (t) =>
            `<tr><th scope="row">${h(monthLabel(t.month))}</th>${td(t.held, true)}${td(t.inTime, true)}${td(formatPercent(t.share), true)}</tr>`,
        ),
        ...quarterRows(timeliness, ['held', 'inTime']).quarters.map(
          (q) =>
            `<tr class="subtotal"><th scope="row">${h(q.label)}</th>${td(q.counts.held, true)}${td(q.counts.inTime, true)}${td(formatPercent(shareOf(q.counts.inTime, q.counts.held)), true)}</tr>`,
        ),
      ],
      `<tr><th scope="row">Total</th>${td(total.held, true)}${td(total.inTime, true)}${td(formatPercent(total.share), true)}</tr>`,
    );
  }
  if (reviewsDue) {
    out += '<h3>Every review due, held or not</h3>';
    out += reviewsDueSentences(reviewsDue, doc.period)
      .map((p) => `<p>${h(p)}</p>`)
      .join('');
    const dueTable = (caption: string, rows: typeof reviewsDue.byMonthDue) => {
      const lines = dueLines(rows);
      const row = (l: (typeof lines)[number]) =>
        `<tr${l.kind === 'quarter' ? ' class="subtotal"' : ''}><th scope="row">${h(l.label)}</th>${td(l.due, true)}${td(l.inTime, true)}${td(l.late, true)}${td(l.notHeld, true)}${td(formatPercent(l.share), true)}</tr>`;
      return table(
        caption,
        [
          ['Due in'],
          ['Reviews due', true],
          ['Held in timescale', true],
          ['Held late', true],
          ['Not held (overdue)', true],
          ['% in timescale', true],
        ],
        lines.filter((l) => l.kind !== 'year').map(row),
        row(lines.at(-1)!),
      );
    };
    out += dueTable('Reviews of children looked after (reg 33), by the month they fell due', reviewsDue.byMonthDue);
    if (reviewsDue.shortBreaksByMonthDue.length)
      out += dueTable(
        'Reviews of children on a series of short breaks only (reg 48), by the month they fell due',
        reviewsDue.shortBreaksByMonthDue,
      );
    if (reviewsDue.lateReasons.length) {
      out += table(
        'Reviews due in the period held late or not held, by the reason recorded',
        [['Reason for lateness'], ['Reviews', true]],
        reviewsDue.lateReasons.map(
          (r) =>
            `<tr><th scope="row">${h(r.reason === 'not recorded' ? 'No reason recorded' : r.reason)}</th>${td(r.reviews, true)}</tr>`,
        ),
      );
    }
  }
  if (siblingGroups) {
    const severalSws = siblingGroups.filter((g) => g.socialWorkers > 1).length;
    const severalIros = siblingGroups.filter((g) => !g.oneIroMet).length;
    out += '<h3>Sibling groups</h3>';
    out += `<p>${siblingGroups.length} sibling ${siblingGroups.length === 1 ? 'group' : 'groups'}: ${severalSws} allocated to more than one social worker; ${severalIros} with more than one IRO and no recorded reason.</p>`;
    out += table(
      'Number of children in each sibling group, with the number of social workers (SWs), team managers (TMs), personal advisers (PAs) and IROs involved',
      [['Sibling group'], ['Children and workers'], ['One IRO for the group']],
      siblingGroups.map(
        (g) => `<tr><th scope="row">${h(g.familyId)}</th>${td(g.summary)}${td(siblingIroLabel(g))}</tr>`,
      ),
    );
  }
  if (health) {
    out += '<h3>Health of children looked after 12 months or more</h3>';
    out += table(
      `Health checks of the OC2 cohort (${health.cohort} children looked after continuously for 12 months or more)`,
      [['Measure'], ['Children', true], ['Out of', true], ['%', true]],
      healthLines(health).map(
        (l) =>
          `<tr><th scope="row">${h(l.measure)}</th>${td(l.children, true)}${td(l.of ? `${l.of.children} ${l.of.label}` : '', true)}${td(l.of ? formatPercent(l.share) : '', true)}</tr>`,
      ),
    );
    const sources = healthSourcesSentence(health);
    if (sources) out += `<p>${h(sources)}</p>`;
  }
  return `${out}</section>`;
}

/** What the report says of the records and alerts without listing them: a findings document's, or counted as they streamed past. */
export interface ReportExtent {
  records: number;
  alerts: number;
  /** The theme of each criterion's first alert. */
  alertThemes: Record<string, string>;
  /** [team to act, alert title, records], in any order. */
  alertsByTeamAndTitle: [string, string, number][];
}

/** The extent of a whole findings document. */
export function reportExtent(doc: FindingsDocument): ReportExtent {
  const alertThemes: Record<string, string> = {};
  const byTeam = new Map<string, number>();
  for (const a of doc.alerts) {
    alertThemes[a.criterionId] ??= a.theme;
    const key = JSON.stringify([a.team, a.title]);
    byTeam.set(key, (byTeam.get(key) ?? 0) + 1);
  }
  return {
    records: doc.records.length,
    alerts: doc.alerts.length,
    alertThemes,
    alertsByTeamAndTitle: [...byTeam].map(([key, n]) => [...(JSON.parse(key) as [string, string]), n]),
  };
}

function alerts(doc: FindingsDocument, extent: ReportExtent): string {
  if (doc.alertSummary.length === 0 && extent.alerts === 0) {
    return '<section id="alerts"><h2>Practice alerts</h2><p>No practice alerts were raised.</p></section>';
  }
  const themeOf = (criterionId: string) => extent.alertThemes[criterionId] ?? doc.template.theme;
  const themes = new Map<string, string[]>();
  for (const s of doc.alertSummary) {
    const theme = themeOf(s.criterionId);
    themes.set(theme, [...(themes.get(theme) ?? []), s.summary]);
  }
  let out = '<section id="alerts"><h2>Practice alerts by theme and service</h2>';
  for (const [theme, summaries] of themes) {
    out += `<h3>${h(theme)}</h3><ul class="alerts">${summaries.map((s) => `<li>${h(s)}</li>`).join('')}</ul>`;
  }
  if (extent.alertsByTeamAndTitle.length > 0) {
    const lines = [...extent.alertsByTeamAndTitle].sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
    out += table(
      'Alerts by the team that should act',
      [['Team to act'], ['Alert'], ['Records', true]],
      lines.map(([team, title, count]) => `<tr><th scope="row">${h(team)}</th>${td(title)}${td(count, true)}</tr>`),
    );
  }
  return `${out}</section>`;
}

function actionPlan(doc: FindingsDocument): string {
  const titles = new Map(doc.criteria.map((c) => [c.id, c.title]));
  if (doc.actionPlan.length === 0)
    return '<section id="action-plan" class="page"><h2>Action plan</h2><p>No actions.</p></section>';
  return (
    '<section id="action-plan" class="page"><h2>Action plan</h2>' +
    table(
      'Actions agreed from these findings',
      [['Action/Task'], ['By whom'], ['By when'], ['Expected outcome'], ['Success measure'], ['Linked findings']],
      doc.actionPlan.map(
        (a) =>
          `<tr>${td(a.action)}${td(ownerLabel(a.owner))}<td style="white-space:nowrap">${h(longDate(a.dueDate))}</td>${td(a.expectedOutcome)}${td(a.successMeasure)}` +
          `${td(a.linkedCriteria.map((id) => titles.get(id) ?? id).join('; '))}</tr>`,
      ),
    ) +
    '</section>'
  );
}

/** Moderation: how far the second IROs' blind grades agreed with the auditors'. */
function moderation(doc: FindingsDocument): string {
  const m = doc.moderation;
  if (!m) return '';
  const kappa = (k: number | null) => (k === null ? 'undefined (one grade throughout)' : k.toFixed(2));
  return (
    `<section id="moderation"><h2>Moderation</h2><p>${h(m.moderatedRecords)} graded records were graded again, blind, by a second IRO; where the QA lead recorded an agreed grade, it stands in the findings above.</p>` +
    table(
      "Agreement between auditors and moderators (Cohen's weighted kappa, quadratic weights)",
      [
        ['Criterion'],
        ['Records compared', true],
        ['Exact agreement', true],
        ['Weighted kappa', true],
        ['Agreed grades recorded', true],
      ],
      m.criteria.map(
        (c) =>
          `<tr>${td(c.title)}${td(c.pairs, true)}${td(formatPercent(c.exactAgreement), true)}${td(kappa(c.weightedKappa), true)}${td(c.agreed, true)}</tr>`,
      ),
    ) +
    '</section>'
  );
}

/** The report page: summary, headline chart, criteria, by service, change, the seeds' tables, alerts and the action plan. */
export function reportHtml(doc: FindingsDocument, extent: ReportExtent = reportExtent(doc)): string {
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(doc.audit.title)} – audit findings</title>
<style>${CSS}</style>
</head>
<body>
<main>
${header(doc)}
${headline(doc)}
${criteriaTable(doc)}
${byService(doc)}
${change(doc)}
${findingsTables(doc)}
${alerts(doc, extent)}
${moderation(doc)}
${actionPlan(doc)}
<footer><p>Rendered from findings.json (schema version ${h(doc.schemaVersion)}) of audit ${h(doc.audit.id)}, authority ${h(doc.audit.authorityId)}; template ${h(doc.template.id)} version ${h(doc.template.version)}; sample drawn with seed ${h(doc.audit.seed)}. ${extent.records} audited records are listed in records.csv and findings.xlsx. Children are identified only by pseudonyms.</p></footer>
</main>
</body>
</html>
`;
}
