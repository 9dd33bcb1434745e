/**
 * The auth construct: the Cognito user pool of the people who use the product, their three groups,
 * the authority each belongs to, and the one app client the web sign-in and API callers share.
 * Secure defaults for Cognito live here.
 */
import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** The three groups; the API reads them from the `cognito:groups` claim (the gateway checks only that the token is good). */
export const USER_GROUPS = {
  'qa-lead': 'QA leads (IRO managers): launch, moderate, close and publish audits',
  iro: 'Independent Reviewing Officers: grade the records assigned to them',
  'senior-manager': 'Senior managers: read and download published findings',
} as const;

/** The custom attribute carrying the user's authority id (`custom:authority` in the ID token). */
export const AUTHORITY_ATTRIBUTE = 'authority';
/**
 * The custom attribute carrying an IRO's WORKER_ID in the authority's records (`custom:worker_id` in
 * the ID token): how the app knows whose records they grade and which children were ever theirs.
 * Sign-in is by email, so the username is a UUID and cannot be it.
 */
export const WORKER_ID_ATTRIBUTE = 'worker_id';

/** Where Cognito sends the browser back to, relative to the API's URL (routes of the web app). */
export const SIGN_IN_CALLBACK_PATH = '/app/auth/callback';
export const SIGNED_OUT_PATH = '/app/signed-out';

export interface UsersProps {
  authorityName: string;
  /** The API's base URL (no trailing slash). */
  apiUrl: string;
  domainPrefix: string;
  requireMfa: boolean;
}

export class Users extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;

  constructor(scope: Construct, id: string, props: UsersProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Pool', {
      // People are invited by an administrator; nobody can sign themselves up to children's records.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
      // Mutable so an administrator can move someone between authorities, or correct a worker id; no
      // app client may write either (below), so only an administrator (AdminUpdateUserAttributes) can.
      customAttributes: {
        [AUTHORITY_ATTRIBUTE]: new StringAttribute({ minLen: 2, maxLen: 40, mutable: true }),
        [WORKER_ID_ATTRIBUTE]: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 12,
      },
      featurePlan: FeaturePlan.ESSENTIALS,
      mfa: props.requireMfa ? Mfa.REQUIRED : Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false, email: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      userInvitation: {
        emailSubject: `Your iro-audit account for ${props.authorityName}`,
        emailBody: `You have been given an iro-audit account for ${props.authorityName}. Sign in with {username} and the temporary password {####}; you will choose your own password.`,
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    for (const [groupName, description] of Object.entries(USER_GROUPS)) {
      this.userPool.addGroup(groupName, { groupName, description });
    }

    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });

    // A public client with PKCE, no secret: the web's code exchange runs in the API function, and a
    // secret would have to live in its environment or Secrets Manager for no gain; PKCE already binds
    // the code to the sign-in that started it.
    this.client = this.userPool.addClient('Client', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.apiUrl}${SIGN_IN_CALLBACK_PATH}`],
        logoutUrls: [`${props.apiUrl}${SIGNED_OUT_PATH}`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // A working day; after that, sign in again.
      refreshTokenValidity: Duration.hours(12),
      authSessionValidity: Duration.minutes(5),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(AUTHORITY_ATTRIBUTE, WORKER_ID_ATTRIBUTE),
      // Users may change their name and email, never their authority or their worker id.
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
    });

    if (!props.requireMfa) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          "MFA (TOTP) is available to every user; requiring it is the authority's policy choice, one context value away (iro-audit:requireMfa=true).",
      });
    }
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan (threat protection) is priced per active user; the Essentials plan with admin-only sign-up, a strong password policy and MFA is the default. An authority can upgrade in place.',
    });
  }

  /** The issuer the API's JWT authorizer and the app check tokens against. */
  get issuerUrl(): string {
    return `https://cognito-idp.${Aws.REGION}.amazonaws.com/${this.userPool.userPoolId}`;
  }
}
