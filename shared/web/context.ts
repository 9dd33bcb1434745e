/** What the web app's routes share: the request's variables, the dependencies, the signed-in principal. */
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { Principal } from '#auth/principal';
import type { TokenVerifier } from '#auth/tokens';
import type { ServiceContext } from '#service/context';
import type { PageContext } from './pages/layout.tsx';
import type { SignIn } from './sign-in.ts';

export interface WebEnv {
  Variables: { principal: Principal };
}

/**
 * The import pages (/app/imports: upload files, read the row-level report) and the QA lead's
 * "Imports" link: on when the app is given this (the local stack and the API function give it).
 */
export interface ImportsCapability {
  readonly enabled: true;
}

/** What every page route is given. */
export interface WebDeps {
  ctx: ServiceContext;
  verifier: TokenVerifier;
  signIn: SignIn | undefined;
  secret: string;
  /** The page context of this request: who, the form token, the assets. */
  page(c: Context<WebEnv>): PageContext;
  /** Sends a whole page. */
  render(c: Context, node: JSX.Element, status?: number): Response | Promise<Response>;
}

/** The signed-in principal (set by the session middleware on every page but the public ones). */
export const me = (c: Context<WebEnv>): Principal => c.get('principal');
