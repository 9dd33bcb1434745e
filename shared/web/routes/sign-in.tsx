/**
 * Signing in and out. Locally: pick a demo user of each role (or type an IRO's worker id) and get a
 * development token signed with the local key. On AWS: Cognito's hosted sign-in (code flow with
 * PKCE), the callback exchanging the code for the ID token. Either way the verified ID token becomes
 * the session cookie; signing out clears it (and, on AWS, Cognito's own session too).
 */
import type { Context, Hono } from 'hono';
import { ROLES, Role } from '#auth/principal';
import { WorkerId } from '#domain/records';
import { TokenError, signDevelopmentToken } from '#auth/tokens';
import { DEFAULT_USERS } from '#auth/demo-users';
import type { WebDeps, WebEnv } from '../context.ts';
import { formBody, text } from '../forms.ts';
import { Button, ErrorSummary, Hidden, Input, InsetText, Radios, type FieldError } from '../pages/govuk.tsx';
import { Form, Layout, ROLE_NAMES, type PageContext } from '../pages/layout.tsx';
import { clearOAuthState, clearSession, oauthState, safeNext, setOAuthState, setSession } from '../session.ts';
import {
  CALLBACK_PATH,
  SIGNED_OUT_PATH,
  SignInError,
  authorizeUrl,
  exchangeCode,
  logoutUrl,
  newState,
  pkcePair,
} from '../sign-in.ts';

const ROLE_HINTS: Record<Role, string> = {
  'qa-lead':
    'Reads templates, launches audits, follows grading, moderates, edits the action plan, closes and publishes.',
  iro: 'Grades the records assigned to them (never a child they are or were the IRO for).',
  'senior-manager': 'Reads published findings, practice alerts and action plans, and downloads the files.',
};

interface SignInView {
  page: PageContext;
  next: string;
  errors?: FieldError[];
  notice?: string;
  values?: { role?: string; iroId?: string };
}

function LocalSignIn({ page, next, errors = [], notice, values = {} }: SignInView) {
  const byId = Object.fromEntries(errors.map((e) => [e.field, e.message]));
  return (
    <Layout page={page} title="Sign in" hasErrors={errors.length > 0}>
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <ErrorSummary errors={errors} />
          <h1 class="govuk-heading-l">Sign in</h1>
          {notice ? <InsetText>{notice}</InsetText> : null}
          <p class="govuk-body">
            This copy of the service runs on this computer with the demo authority’s synthetic records. Choose who to
            sign in as: you get a development token for that user, valid for 8 hours.
          </p>
          <Form page={page} action="/app/sign-in">
            <Hidden name="next" value={next} />
            <Radios
              idPrefix="role"
              name="role"
              legend="Who are you signing in as?"
              legendSize="m"
              selected={values.role}
              error={byId.role}
              choices={ROLES.map((role) => ({
                value: role,
                label: `${ROLE_NAMES[role]} (${role === 'iro' ? 'an IRO of the demo authority' : DEFAULT_USERS[role]})`,
                hint: ROLE_HINTS[role],
                ...(role === 'iro'
                  ? {
                      conditional: (
                        <Input
                          id="iroId"
                          label="IRO worker id"
                          hint="An IRO signs in with their WORKER_ID, which is how the service knows their children and their assignments."
                          value={values.iroId ?? DEFAULT_USERS.iro}
                          error={byId.iroId}
                          width="10"
                          spellcheck={false}
                        />
                      ),
                    }
                  : {}),
              }))}
            />
            <Button>Sign in</Button>
          </Form>
        </div>
      </div>
    </Layout>
  );
}

function CognitoSignIn({ page, next, errors = [], notice }: SignInView) {
  return (
    <Layout page={page} title="Sign in" hasErrors={errors.length > 0}>
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <ErrorSummary errors={errors} title="You are not signed in" />
          <h1 class="govuk-heading-l">Sign in</h1>
          {notice ? <InsetText>{notice}</InsetText> : null}
          <p class="govuk-body">
            You sign in with the account your council gave you for this service. The sign-in page is run by the
            council’s identity service.
          </p>
          <Button href={`/app/auth/login?next=${encodeURIComponent(next)}`}>Continue to sign in</Button>
        </div>
      </div>
    </Layout>
  );
}

function NoSignIn({ page }: { page: PageContext }) {
  return (
    <Layout page={page} title="Sign in">
      <h1 class="govuk-heading-l">Sign in is not set up</h1>
      <p class="govuk-body">
        This copy of the service has no sign-in configured, so its pages cannot be used. The API still answers requests
        with a bearer token.
      </p>
    </Layout>
  );
}

const origin = (c: Context) => new URL(c.req.url).origin;

export function signInPages(app: Hono<WebEnv>, deps: WebDeps): void {
  const { signIn } = deps;

  const signInPage = (c: Context<WebEnv>, view: Omit<SignInView, 'page'>, status = 200) => {
    const page = deps.page(c);
    if (!signIn) return deps.render(c, <NoSignIn page={page} />, 503);
    return deps.render(
      c,
      signIn.kind === 'local' ? <LocalSignIn page={page} {...view} /> : <CognitoSignIn page={page} {...view} />,
      status,
    );
  };

  app.get('/sign-in', (c) => {
    const notice = c.req.query('ended') ? 'Your session has ended. Sign in again to carry on.' : undefined;
    return signInPage(c, { next: safeNext(c.req.query('next')), ...(notice ? { notice } : {}) });
  });

  app.post('/sign-in', async (c) => {
    if (signIn?.kind !== 'local') return signInPage(c, { next: '/app' }, 404);
    const body = await formBody(c);
    const next = safeNext(text(body, 'next'));
    const role = Role.safeParse(text(body, 'role'));
    const iroId = text(body, 'iroId');
    const errors: FieldError[] = [];
    if (!role.success) errors.push({ field: 'role', message: 'Select who you are signing in as' });
    // The worker id as the records write it (the schema the importer reads WORKER_ID with): it is how the IRO's children and assignments are found.
    else if (role.data === 'iro' && !WorkerId.safeParse(iroId).success) {
      errors.push({
        field: 'iroId',
        message: iroId
          ? 'The IRO worker id must be up to 64 letters, digits, dots, hyphens, slashes or underscores, starting with a letter or digit, like IRO01'
          : 'Enter the IRO’s worker id, like IRO01',
      });
    }
    if (errors.length || !role.success)
      return signInPage(c, { next, errors, values: { role: text(body, 'role'), iroId } }, 400);
    const userId = role.data === 'iro' ? iroId : DEFAULT_USERS[role.data];
    const token = await signDevelopmentToken(signIn.key, {
      userId,
      roles: [role.data],
      authorityId: signIn.authorityId,
    });
    await deps.verifier.verify(token); // the same check every later request makes
    setSession(c, token);
    return c.redirect(next, 303);
  });

  app.get('/auth/login', async (c) => {
    if (signIn?.kind !== 'cognito') return c.redirect('/app/sign-in', 303);
    const { verifier, challenge } = pkcePair();
    const state = newState();
    await setOAuthState(c, deps.secret, { state, verifier, next: safeNext(c.req.query('next')) });
    return c.redirect(
      authorizeUrl(signIn, signIn.redirectUri ?? `${origin(c)}${CALLBACK_PATH}`, state, challenge),
      302,
    );
  });

  app.get('/auth/callback', async (c) => {
    if (signIn?.kind !== 'cognito') return c.redirect('/app/sign-in', 303);
    const fail = (message: string, status = 400) => {
      clearOAuthState(c);
      return signInPage(c, { next: '/app', errors: [{ field: 'main-content', message }] }, status);
    };
    const kept = await oauthState(c, deps.secret);
    const { code, state, error } = c.req.query();
    if (error)
      return fail(
        error === 'access_denied'
          ? 'The sign-in was cancelled. Sign in again to use the service.'
          : 'The sign-in service could not sign you in. Sign in again.',
      );
    if (!kept || !state || state !== kept.state)
      return fail('Your sign-in took too long, or was started in another window. Sign in again.');
    if (!code) return fail('The sign-in service sent no sign-in code. Sign in again.');
    let idToken: string;
    try {
      idToken = await exchangeCode(signIn, code, kept.verifier, signIn.redirectUri ?? `${origin(c)}${CALLBACK_PATH}`);
    } catch (e) {
      if (e instanceof SignInError) return fail(`Sign-in failed: ${e.message}.`, 502);
      throw e;
    }
    try {
      await deps.verifier.verify(idToken);
    } catch (e) {
      if (!(e instanceof TokenError)) throw e;
      return fail(
        e.status === 403
          ? `Your account was recognised, but ${e.message}. Ask your administrator to add you to the right group.`
          : `Sign-in failed: ${e.message}.`,
        e.status,
      );
    }
    clearOAuthState(c);
    setSession(c, idToken);
    return c.redirect(kept.next, 303);
  });

  app.get('/sign-out', (c) => {
    const page = deps.page(c);
    return deps.render(
      c,
      <Layout page={page} title="Sign out">
        <h1 class="govuk-heading-l">Sign out</h1>
        <Form page={page} action="/app/sign-out">
          <Button>Sign out</Button>
        </Form>
      </Layout>,
    );
  });

  app.post('/sign-out', (c) => {
    clearSession(c);
    if (signIn?.kind === 'cognito') return c.redirect(logoutUrl(signIn, `${origin(c)}${SIGNED_OUT_PATH}`), 303);
    return c.redirect(SIGNED_OUT_PATH, 303);
  });

  app.get('/signed-out', (c) => {
    const page = { ...deps.page(c), principal: null };
    return deps.render(
      c,
      <Layout page={page} title="You have signed out">
        <h1 class="govuk-heading-l">You have signed out</h1>
        <p class="govuk-body">
          <a class="govuk-link" href="/app/sign-in">
            Sign in again
          </a>
        </p>
      </Layout>,
    );
  });
}
