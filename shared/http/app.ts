/**
 * The Hono app: one app for Lambda (functions/api) and the laptop (@hono/node-server). Routes are
 * modules mounted here; dependencies (store, bucket, token verifier, audit runner) are passed in,
 * so tests and the local stack swap adapters, not code paths. Every route but the public ones
 * (health, the API description) authenticates; the use cases check roles and the authority again.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { AppError, asAppError, notFound } from '#errors';
import type { TokenVerifier } from '#auth/tokens';
import type { LeasePolicy } from '#jobs/lease';
import type { AuditRunner } from '#service/audit-runner';
import type { ServiceContext } from '#service/context';
import { TemplateCatalogue } from '#service/templates';
import type { ObjectLinks, ObjectStore } from '#store/object-store';
import { IMPORT_FORM_PATH, webApp, type ImportsCapability } from '#web/app';
import type { SignIn } from '#web/sign-in';
import type { RecordStore } from '#store/record-store';
import { authenticate } from './auth.ts';
import { docsRoutes } from './docs.ts';
import type { ApiEnv } from './openapi.ts';
import { problemFor } from './problem.ts';
import { actionPlanRoutes } from './routes/action-plan.ts';
import { authorityRoutes } from './routes/authority.ts';
import { auditRoutes } from './routes/audits.ts';
import { gradingRoutes } from './routes/grading.ts';
import { healthRoutes } from './routes/health.ts';
import { importRoutes, MAX_IMPORT_BODY_BYTES } from './routes/imports.ts';
import { templateRoutes } from './routes/templates.ts';

export interface AppDependencies {
  store: RecordStore;
  objects: ObjectStore;
  links: ObjectLinks;
  verifier: TokenVerifier;
  runner: AuditRunner;
  templates?: TemplateCatalogue;
  /** The web origin allowed to call the API from a browser (CORS); none when absent. */
  webOrigin?: string;
  /**
   * How people sign in to the web pages (/app): development tokens signed with the local key, or
   * Cognito's hosted sign-in. Without it the pages say sign-in is not set up; the API is unaffected.
   */
  signIn?: SignIn;
  /** The web's import pages (/app/imports) and the QA lead's "Imports" link, when given. */
  imports?: ImportsCapability;
  /** GOV.UK Frontend's files for /assets (IRO_WEB_ASSETS_DIR or the installed package when absent). */
  webAssetsDir?: string;
  now?: () => Date;
  /** How long the runs this app starts hold their lease (IRO_LEASE_SECONDS when absent). */
  leases?: LeasePolicy;
}

/** The largest JSON body the API reads (a template with many criteria fits easily). */
export const MAX_BODY_BYTES = 256 * 1024;

/** Routes that answer without a token: health and the API's own description. */
export const PUBLIC_PATHS = ['/', '/health', '/openapi.json', '/docs'] as const;

export const API_INFO = {
  title: 'iro-audit API',
  version: '1.0.0',
  description:
    'Themed audits of children-in-care records for IRO services. QA leads launch audits, IROs grade sampled records, senior managers download findings. Authenticate with a Cognito ID token (or a local development token from `npm run dev-token`).',
};

/** Builds the app over the given store, bucket, verifier and runner. */
export function createApp(deps: AppDependencies): OpenAPIHono<ApiEnv> {
  const ctx: ServiceContext = {
    store: deps.store,
    objects: deps.objects,
    links: deps.links,
    runner: deps.runner,
    templates: deps.templates ?? new TemplateCatalogue(deps.store),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.leases ? { leases: deps.leases } : {}),
  };
  const app = new OpenAPIHono<ApiEnv>();
  app.use('*', secureHeaders());
  // Answers carry children's records (findings, records, grades, import problems): no shared cache or
  // browser keeps one. Closed by default, so a new route cannot forget it; a route that may be cached
  // (GOV.UK Frontend's fingerprinted assets) says so itself.
  app.use('*', async (c, next) => {
    await next();
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  });
  if (deps.webOrigin)
    app.use(
      '*',
      cors({
        origin: deps.webOrigin,
        allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
        allowMethods: ['GET', 'POST', 'PUT', 'PATCH'],
        maxAge: 600,
      }),
    );
  // One limit for every request, but a file sent directly to /imports, which has the import's own,
  // and the web's upload form, which has its own too and refuses with a GOV.UK page (shared/web/routes/imports.tsx).
  const limit = (maxSize: number, what: string) =>
    bodyLimit({
      maxSize,
      onError: (c) =>
        problemFor(c, new AppError('too-large', `${what} at most ${Math.round(maxSize / 1024)} KiB in one request`)),
    });
  const jsonLimit = limit(MAX_BODY_BYTES, 'the API reads');
  const importLimit = limit(MAX_IMPORT_BODY_BYTES, 'a file sent directly to /imports may be');
  app.use('*', (c, next) => {
    if (c.req.method !== 'POST') return jsonLimit(c, next);
    if (c.req.path === '/imports') return importLimit(c, next);
    if (c.req.path === IMPORT_FORM_PATH && deps.imports) return next();
    return jsonLimit(c, next);
  });

  app.route('/health', healthRoutes(deps));
  app.get('/', (c) =>
    c.json({
      name: 'iro-audit',
      description: API_INFO.description,
      links: { health: '/health', openapi: '/openapi.json', docs: '/docs' },
    }),
  );
  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/health',
    tags: ['health'],
    summary: 'Whether the store and the bucket answer (no token needed; reveals no data)',
    responses: { 200: { description: 'Both reachable' }, 503: { description: 'One is not: the body names which' } },
  });
  app.doc31('/openapi.json', { openapi: '3.1.0', info: API_INFO });
  app.route('/docs', docsRoutes());

  const authenticated = authenticate(deps.verifier);
  for (const path of [
    '/templates',
    '/templates/*',
    '/audits',
    '/audits/*',
    '/assignments',
    '/assignments/*',
    '/imports',
    '/imports/*',
    '/authority',
    '/timescale-sets',
  ])
    app.use(path, authenticated);
  app.route('/', templateRoutes(ctx));
  app.route('/', auditRoutes(ctx));
  app.route('/', gradingRoutes(ctx));
  app.route('/', actionPlanRoutes(ctx));
  app.route('/', importRoutes(ctx));
  app.route('/', authorityRoutes(ctx));

  // The web pages and their assets: the same use cases, authenticated from the session cookie.
  const web = webApp({
    ctx,
    verifier: deps.verifier,
    ...(deps.signIn ? { signIn: deps.signIn } : {}),
    ...(deps.imports ? { imports: deps.imports } : {}),
    ...(deps.webAssetsDir ? { assetsDir: deps.webAssetsDir } : {}),
  });
  app.route('/assets', web.assets);
  app.route('/app', web.pages);

  app.notFound((c) => problemFor(c, notFound(`no route for ${c.req.method} ${new URL(c.req.url).pathname}`)));
  // Every error's kind says its status and title (shared/errors.ts). Internal ones are logged for
  // the operator; the client gets no internals.
  app.onError((error, c) => {
    if (asAppError(error).kind === 'internal') console.error('unhandled error', error);
    return problemFor(c, error);
  });
  return app;
}
