/**
 * The web app for QA leads, IROs and senior managers: server-rendered GOV.UK pages under /app and
 * their assets under /assets, mounted on the same Hono app as the API (locally and in Lambda). Pages
 * call the same use cases as the API; they authenticate from the session cookie themselves (the
 * gateway's JWT authorizer reads only headers), check a CSRF token and the Origin on every POST, and
 * map the use cases' refusals to GOV.UK-style error pages — never a stack trace.
 */
import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { TokenError, type TokenVerifier } from '#auth/tokens';
import { AppError } from '#errors';
import type { ServiceContext } from '#service/context';
import { ForbiddenError, NotFoundError } from '#service/errors';
import { webAssets, type AssetLinks } from './assets.ts';
import { formBody } from './forms.ts';
import { problemPage } from './pages/problems.tsx';
import { auditPages } from './routes/audits.tsx';
import { findingsPages } from './routes/findings.tsx';
import { gradingPages } from './routes/grading.tsx';
import { homePages } from './routes/home.tsx';
import { importFormLimit, importPages } from './routes/imports.tsx';
import { settingsPages } from './routes/settings.tsx';
import { signInPages } from './routes/sign-in.tsx';
import { templatePages } from './routes/templates.tsx';
import type { ImportsCapability, WebDeps, WebEnv } from './context.ts';
import { CSRF_FIELD, clearSession, csrfToken, csrfTokenValid, localWebSecret, sessionToken } from './session.ts';
import type { SignIn } from './sign-in.ts';

export type { ImportsCapability } from './context.ts';
export { IMPORT_FORM_PATH } from './routes/imports.tsx';

export interface WebOptions {
  ctx: ServiceContext;
  verifier: TokenVerifier;
  signIn?: SignIn;
  imports?: ImportsCapability;
  /** Where GOV.UK Frontend's files are; IRO_WEB_ASSETS_DIR or the installed package when absent. */
  assetsDir?: string | null;
}

/** Pages anyone may open: signing in and out. */
const PUBLIC_PAGES = /^\/app\/(sign-in|sign-out|signed-out|auth\/login|auth\/callback)\/?$/;

/** Content Security Policy: only this origin, for everything (no CDN, no inline script or style). */
function contentSecurityPolicy(signIn: SignIn | undefined) {
  // A form's redirect is checked against form-action: signing out redirects to Cognito's /logout.
  const formAction: string[] = ["'self'", ...(signIn?.kind === 'cognito' ? [new URL(signIn.domain).origin] : [])];
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction,
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  };
}

/** Builds the web app's two parts: the pages (mount at /app) and the assets (mount at /assets). */
export function webApp(options: WebOptions): { pages: Hono<WebEnv>; assets: Hono; assetLinks: AssetLinks } {
  const { routes: assets, links } = webAssets(options.assetsDir);
  const signIn = options.signIn;
  // Without a configured sign-in nobody can sign in; a per-process secret then protects nothing that matters.
  const secret =
    signIn?.kind === 'local'
      ? localWebSecret(signIn.key)
      : signIn?.kind === 'cognito'
        ? signIn.secret
        : randomBytes(32).toString('base64url');
  const deps: WebDeps = {
    ctx: options.ctx,
    verifier: options.verifier,
    signIn,
    secret,
    page: (c) => ({
      principal: c.get('principal') ?? null,
      csrf: csrfToken(c, secret),
      assets: links,
      local: signIn?.kind === 'local',
      imports: Boolean(options.imports),
      path: c.req.path,
    }),
    render: (c, node, status = 200) => c.html(`<!DOCTYPE html>${node}`, status as 200),
  };

  const pages = new Hono<WebEnv>();
  pages.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: contentSecurityPolicy(signIn),
      referrerPolicy: 'same-origin',
      crossOriginOpenerPolicy: 'same-origin',
    }),
  );
  pages.use('*', async (c, next) => {
    await next();
    // Pages carry records about children: never kept by a shared cache or the browser's history cache.
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  // The Origin (or Sec-Fetch-Site) must be this service's on every form post…
  const sameOrigin = csrf();
  pages.use('*', async (c, next) => {
    try {
      return await sameOrigin(c, next);
    } catch (error) {
      // Hono refuses with a bare 403; the person is told what to do, as for a missing token.
      if (error instanceof HTTPException && error.status === 403) throw formRefused();
      throw error;
    }
  });
  // The upload form's own body limit, checked before anything reads the body (the CSRF check does).
  if (options.imports) pages.use('/imports', importFormLimit(deps));
  // …and every form must carry this browser's CSRF token.
  pages.use('*', csrfTokenCheck(deps));
  pages.use('*', session(deps));

  signInPages(pages, deps);
  homePages(pages, deps);
  templatePages(pages, deps);
  auditPages(pages, deps);
  gradingPages(pages, deps);
  findingsPages(pages, deps);
  settingsPages(pages, deps);
  if (options.imports) importPages(pages, deps);
  pages.all('*', (c) =>
    problemPage(deps, c, new NotFoundError('there is no page at this address: check it, or start from the home page')),
  );
  pages.onError((error, c) => problemPage(deps, c, error));
  return { pages, assets, assetLinks: links };
}

/** A form post refused as not sent from this service's own page: a refusal with a heading of its own. */
const formRefused = () =>
  new AppError(
    'refused',
    'The form had expired, or it was not sent from this service. Go back, reload the page and try again.',
    {
      title: 'This form could not be accepted',
      code: 'form-refused',
    },
  );

/** Refuses a POST without this browser's CSRF token, with a page that says what to do. */
function csrfTokenCheck(deps: WebDeps): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const body = await formBody(c);
    if (!csrfTokenValid(c, deps.secret, body[CSRF_FIELD])) {
      throw formRefused();
    }
    return next();
  };
}

/**
 * Authenticates every page but the public ones from the session cookie, with the API's verifier.
 * No session, or one that has expired: to the sign-in page, coming back here afterwards.
 */
function session(deps: WebDeps): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    const token = sessionToken(c);
    if (PUBLIC_PAGES.test(c.req.path)) {
      // Public pages still show who is signed in, when someone is.
      if (token) {
        try {
          c.set('principal', await deps.verifier.verify(token));
        } catch (error) {
          if (!(error instanceof TokenError)) throw error;
        }
      }
      return next();
    }
    const back = c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search || '') : '/app';
    if (!token) return c.redirect(`/app/sign-in?next=${encodeURIComponent(back)}`, 303);
    try {
      c.set('principal', await deps.verifier.verify(token));
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      clearSession(c);
      if (error.status === 401) return c.redirect(`/app/sign-in?next=${encodeURIComponent(back)}&ended=1`, 303);
      throw new ForbiddenError(
        `you are signed in, but ${error.message}. Ask your administrator to add you to the right group`,
      );
    }
    return next();
  };
}
