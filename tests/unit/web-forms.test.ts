/** The web app's pure pieces: GOV.UK date fields, the return address after sign-in, PKCE and Cognito's URLs, the sign-in settings. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isoDate, numberField, partsOf } from '#web/forms';
import { safeNext } from '#web/session';
import { authorizeUrl, cognitoSignInFromEnv, logoutUrl, pkcePair } from '#web/sign-in';

describe('date fields', () => {
  it('reads three fields as a real date, and names what is missing or impossible in GOV.UK words', () => {
    expect(isoDate({ day: '1', month: '10', year: '2025' }, 'start date')).toEqual({ ok: true, iso: '2025-10-01' });
    expect(isoDate({ day: '29', month: '2', year: '2024' }, 'start date')).toEqual({ ok: true, iso: '2024-02-29' });
    expect(isoDate({ day: '29', month: '2', year: '2025' }, 'start date')).toEqual({
      ok: false,
      message: 'The start date must be a real date',
    });
    expect(isoDate({ day: '', month: '', year: '' }, 'end date')).toEqual({ ok: false, message: 'Enter the end date' });
    expect(isoDate({ day: '3', month: '', year: '' }, 'end date')).toEqual({
      ok: false,
      message: 'The end date must include a month and a year',
    });
    expect(isoDate({ day: '3', month: '4', year: '25' }, 'end date')).toEqual({
      ok: false,
      message: 'The end date must be a real date',
    });
    expect(partsOf('2026-03-01')).toEqual({ day: '1', month: '3', year: '2026' });
  });

  it('reads a typed number, keeping a typo visible to the schema as NaN rather than dropping it', () => {
    expect(numberField('')).toBeUndefined();
    expect(numberField('1,200')).toBe(1200);
    expect(numberField('12.5%')).toBe(12.5);
    expect(numberField('ten')).toBeNaN();
  });
});

describe('where sign-in returns to', () => {
  it('is a page of the web app, never another site', () => {
    expect(safeNext('/app/audits/a-1?done=launched')).toBe('/app/audits/a-1?done=launched');
    for (const bad of [
      'https://evil.example/app',
      '//evil.example',
      '/\\evil.example',
      '/apple',
      '/docs',
      undefined,
      42,
    ])
      expect(safeNext(bad)).toBe('/app');
  });
});

describe('Cognito', () => {
  const signIn = {
    kind: 'cognito' as const,
    domain: 'https://iro.auth.eu-west-2.amazoncognito.com/',
    clientId: 'client-1',
    secret: 's'.repeat(32),
  };

  it('asks for a code with an S256 challenge of a verifier it keeps', () => {
    const { verifier, challenge } = pkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
    const url = new URL(authorizeUrl(signIn, 'https://api.example/app/auth/callback', 'state-1', challenge));
    expect(url.origin + url.pathname).toBe('https://iro.auth.eu-west-2.amazoncognito.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: 'https://api.example/app/auth/callback',
      scope: 'openid email profile',
      state: 'state-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(logoutUrl(signIn, 'https://api.example/app/signed-out')).toBe(
      'https://iro.auth.eu-west-2.amazoncognito.com/logout?client_id=client-1&logout_uri=https%3A%2F%2Fapi.example%2Fapp%2Fsigned-out',
    );
  });

  it('reads its settings from the environment: none is no web sign-in, half is an error, the secret is optional but must be long', () => {
    expect(cognitoSignInFromEnv({})).toBeUndefined();
    expect(() => cognitoSignInFromEnv({ IRO_COGNITO_DOMAIN: 'https://x.auth.eu-west-2.amazoncognito.com' })).toThrow(
      'IRO_COGNITO_CLIENT_ID is not set',
    );
    expect(() =>
      cognitoSignInFromEnv({ IRO_COGNITO_DOMAIN: 'x', IRO_COGNITO_CLIENT_ID: 'c', IRO_WEB_SECRET: 'short' }),
    ).toThrow('at least 32 characters');
    expect(
      cognitoSignInFromEnv({
        IRO_COGNITO_DOMAIN: 'x.auth.eu-west-2.amazoncognito.com',
        IRO_COGNITO_CLIENT_ID: 'c',
        IRO_WEB_SECRET: 'k'.repeat(40),
      }),
    ).toMatchObject({
      kind: 'cognito',
      domain: 'https://x.auth.eu-west-2.amazoncognito.com',
      clientId: 'c',
      secret: 'k'.repeat(40),
    });
    const a = cognitoSignInFromEnv({ IRO_COGNITO_DOMAIN: 'https://x', IRO_COGNITO_CLIENT_ID: 'c' })!;
    // The same in every container, so a sign-in started in one finishes in another.
    expect(cognitoSignInFromEnv({ IRO_COGNITO_DOMAIN: 'https://x', IRO_COGNITO_CLIENT_ID: 'c' })!.secret).toBe(
      a.secret,
    );
  });
});
