/** The page template every web page shares: GOV.UK Frontend's layout, the service navigation by role, and the error pages. */
import type { Child } from 'hono/jsx';
import { hasRole, type Principal, type Role } from '#auth/principal';
import type { AssetLinks } from '../assets.ts';
import { CSRF_FIELD } from '../session.ts';
import { Hidden } from './govuk.tsx';

export const SERVICE_NAME = 'IRO audits';

/** What every page knows about the request: who is signed in, their form token, and what the app offers. */
export interface PageContext {
  principal: Principal | null;
  csrf: string;
  assets: AssetLinks;
  /** Local development sign-in: a banner says the data is synthetic. */
  local: boolean;
  /** The import pages are on (AppDependencies.imports): the QA lead's navigation links to /app/imports. */
  imports: boolean;
  path: string;
}

export const ROLE_NAMES: Record<Role, string> = {
  'qa-lead': 'QA lead',
  iro: 'IRO',
  'senior-manager': 'Senior manager',
};

interface NavItem {
  href: string;
  text: string;
}

/** The navigation a user sees: one set of links per role they hold. */
export function navigation(page: Pick<PageContext, 'principal' | 'imports'>): NavItem[] {
  const p = page.principal;
  if (!p) return [];
  const items: NavItem[] = [{ href: '/app', text: 'Home' }];
  if (hasRole(p, 'qa-lead')) {
    items.push({ href: '/app/audits', text: 'Audits' }, { href: '/app/templates', text: 'Templates' });
    if (page.imports) items.push({ href: '/app/imports', text: 'Imports' });
    items.push({ href: '/app/settings', text: 'Timescales' });
  }
  if (hasRole(p, 'iro')) items.push({ href: '/app/assignments', text: 'My assignments' });
  if (hasRole(p, 'senior-manager')) items.push({ href: '/app/findings', text: 'Findings' });
  if (!hasRole(p, 'qa-lead') && hasRole(p, 'senior-manager')) items.push({ href: '/app/templates', text: 'Templates' });
  return items;
}

function isCurrent(item: NavItem, path: string): boolean {
  if (item.href === '/app') return path === '/app' || path === '/app/';
  if (item.href === '/app/audits' && path.startsWith('/app/audits')) return true;
  return path === item.href || path.startsWith(`${item.href}/`);
}

/** A form that posts with the CSRF token (`multipart` for a form that sends files). */
export function Form({
  page,
  action,
  children,
  id,
  novalidate = true,
  multipart,
}: {
  page: PageContext;
  action: string;
  children: Child;
  id?: string;
  novalidate?: boolean;
  multipart?: boolean;
}) {
  return (
    <form
      method="post"
      action={action}
      novalidate={novalidate}
      id={id}
      enctype={multipart ? 'multipart/form-data' : undefined}
    >
      <Hidden name={CSRF_FIELD} value={page.csrf} />
      {children}
    </form>
  );
}

export interface LayoutProps {
  page: PageContext;
  title: string;
  /** Prefixes the title with "Error: " (GOV.UK pattern), so screen reader users hear at once that the form needs attention. */
  hasErrors?: boolean;
  beforeContent?: Child;
  children: Child;
}

export function Layout({ page, title, hasErrors, beforeContent, children }: LayoutProps) {
  const nav = navigation(page);
  const p = page.principal;
  return (
    <html lang="en-GB" class="govuk-template">
      <head>
        <meta charset="utf-8" />
        <title>{`${hasErrors ? 'Error: ' : ''}${title} – ${SERVICE_NAME}`}</title>
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
        <meta name="theme-color" content="#1d70b8" />
        <link rel="icon" href={page.assets.favicon} type="image/svg+xml" />
        <link rel="stylesheet" href={page.assets.govukCss} />
        <link rel="stylesheet" href={page.assets.appCss} />
      </head>
      <body class="govuk-template__body">
        <script src={page.assets.initJs}></script>
        <a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link">
          Skip to main content
        </a>
        <header class="govuk-template__header">
          <div class="govuk-generic-header">
            <div class="govuk-generic-header__container govuk-width-container">
              <div class="govuk-generic-header__logo">
                <a href="/app" class="govuk-generic-header__homepage-link">
                  {SERVICE_NAME}
                </a>
              </div>
            </div>
          </div>
          {nav.length > 0 ? (
            <div class="govuk-service-navigation" data-module="govuk-service-navigation">
              <div class="govuk-width-container">
                <div class="govuk-service-navigation__container">
                  <nav aria-label="Menu" class="govuk-service-navigation__wrapper">
                    <button
                      type="button"
                      class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle"
                      aria-controls="navigation"
                      hidden
                      aria-hidden="true"
                    >
                      Menu
                    </button>
                    <ul class="govuk-service-navigation__list" id="navigation">
                      {nav.map((item) => {
                        const current = isCurrent(item, page.path);
                        return (
                          <li
                            class={`govuk-service-navigation__item${current ? ' govuk-service-navigation__item--active' : ''}`}
                          >
                            <a
                              class="govuk-service-navigation__link"
                              href={item.href}
                              aria-current={current ? 'page' : undefined}
                            >
                              {current ? (
                                <strong class="govuk-service-navigation__active-fallback">{item.text}</strong>
                              ) : (
                                item.text
                              )}
                            </a>
                          </li>
                        );
                      })}
                    </ul>
                  </nav>
                </div>
              </div>
            </div>
          ) : null}
        </header>
        <div class="govuk-width-container">
          {page.local ? (
            <div class="govuk-phase-banner">
              <p class="govuk-phase-banner__content">
                <strong class="govuk-tag govuk-phase-banner__content__tag">Local</strong>
                <span class="govuk-phase-banner__text">
                  A development copy on this computer: demo users and synthetic data only.
                </span>
              </p>
            </div>
          ) : null}
          {p ? (
            <div class="app-user-bar govuk-body-s">
              <p>
                Signed in as <strong>{p.userId}</strong> ({p.roles.map((r) => ROLE_NAMES[r]).join(', ')}, authority{' '}
                {p.authorityId})
              </p>
              <Form page={page} action="/app/sign-out">
                <button type="submit" class="app-link-button">
                  Sign out
                </button>
              </Form>
            </div>
          ) : null}
          {beforeContent}
          <main class="govuk-main-wrapper" id="main-content">
            {children}
          </main>
        </div>
        <footer class="govuk-footer">
          <div class="govuk-width-container">
            <div class="govuk-footer__meta">
              <div class="govuk-footer__meta-item govuk-footer__meta-item--grow">
                <h2 class="govuk-visually-hidden">About this service</h2>
                <p class="govuk-body-s">
                  Themed audits of children-in-care records for Independent Reviewing Officer services. Children are
                  shown by their record ids only to the IROs and QA leads who need them; published findings use
                  pseudonyms.
                </p>
              </div>
            </div>
          </div>
        </footer>
        <script type="module" src={page.assets.appJs}></script>
      </body>
    </html>
  );
}

/** A page that says what went wrong, with no internals: 403, 404, 409, 500. */
export function ProblemPage({
  page,
  status,
  title,
  message,
  next,
}: {
  page: PageContext;
  status: number;
  title: string;
  message: Child;
  next?: Child;
}) {
  return (
    <Layout page={page} title={title}>
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <h1 class="govuk-heading-l">{title}</h1>
          <p class="govuk-body">{message}</p>
          {next ?? (
            <p class="govuk-body">
              <a class="govuk-link" href="/app">
                Go to the start page
              </a>
            </p>
          )}
          <p class="govuk-body-s">Status {status}</p>
        </div>
      </div>
    </Layout>
  );
}
