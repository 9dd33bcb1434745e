/** The start page: what each of the signed-in person's roles can do next. */
import type { Hono } from 'hono';
import { hasRole } from '#auth/principal';
import { listAudits } from '#service/audits';
import { assignments, NO_WORKER_ID_REASON } from '#service/grading';
import { me, type WebDeps, type WebEnv } from '../context.ts';
import { Button } from '../pages/govuk.tsx';
import { Layout, SERVICE_NAME } from '../pages/layout.tsx';
import { longDate } from '#reports/csv';

export function homePages(app: Hono<WebEnv>, deps: WebDeps): void {
  app.get('/', async (c) => {
    const p = me(c);
    const page = deps.page(c);
    const audits = hasRole(p, 'qa-lead', 'senior-manager') ? await listAudits(deps.ctx, p) : [];
    // An IRO whose account has no worker id has no assignments: the page says why instead.
    const work = hasRole(p, 'iro') && p.workerId ? await assignments(deps.ctx, p) : [];
    const open = audits.filter((a) => a.status === 'grading' || a.status === 'moderation');
    const published = audits.filter((a) => a.status === 'published');
    const toDo = work.filter((w) => w.progress !== 'graded');
    return deps.render(
      c,
      <Layout page={page} title="Home">
        <h1 class="govuk-heading-xl">{SERVICE_NAME}</h1>
        <p class="govuk-body-l">
          Themed audits of children’s care records for the Independent Reviewing Officer service.
        </p>
        {hasRole(p, 'qa-lead') ? (
          <section aria-labelledby="qa-lead-heading">
            <h2 class="govuk-heading-m" id="qa-lead-heading">
              Quality assurance
            </h2>
            <p class="govuk-body">
              {open.length === 0
                ? 'No audit is being graded.'
                : `${open.length} ${open.length === 1 ? 'audit is' : 'audits are'} being graded or moderated.`}{' '}
              <a class="govuk-link" href="/app/audits">
                See all audits
              </a>
              .
            </p>
            <p class="govuk-body">
              <a class="govuk-link" href="/app/templates">
                Read the audit templates
              </a>{' '}
              – what each audit checks, and the law behind it.
            </p>
            {page.imports ? (
              <p class="govuk-body">
                <a class="govuk-link" href="/app/imports">
                  Import your authority’s records
                </a>{' '}
                – the SSDA903 return, Ofsted Annex A and case-management extracts.
              </p>
            ) : null}
            <Button href="/app/audits/new">Launch an audit</Button>
          </section>
        ) : null}
        {hasRole(p, 'iro') ? (
          <section aria-labelledby="iro-heading">
            <h2 class="govuk-heading-m" id="iro-heading">
              Your grading
            </h2>
            {p.workerId ? (
              <>
                <p class="govuk-body">
                  {toDo.length === 0
                    ? 'You have no records to grade.'
                    : `You have ${toDo.length} ${toDo.length === 1 ? 'record' : 'records'} to grade.`}
                </p>
                <Button href="/app/assignments">See my assignments</Button>
              </>
            ) : (
              <p class="govuk-body">{NO_WORKER_ID_REASON[0]!.toUpperCase() + NO_WORKER_ID_REASON.slice(1)}.</p>
            )}
          </section>
        ) : null}
        {hasRole(p, 'senior-manager') ? (
          <section aria-labelledby="findings-heading">
            <h2 class="govuk-heading-m" id="findings-heading">
              Published findings
            </h2>
            {published.length === 0 ? (
              <p class="govuk-body">No audit has been published yet.</p>
            ) : (
              <ul class="govuk-list">
                {published.slice(0, 5).map((a) => (
                  <li>
                    <a class="govuk-link" href={`/app/findings/${a.auditId}`}>
                      {a.title}
                    </a>{' '}
                    (published {longDate(a.publishedAt ?? a.createdAt)})
                  </li>
                ))}
              </ul>
            )}
            <Button href="/app/findings">See all published findings</Button>
          </section>
        ) : null}
      </Layout>,
    );
  });
}
