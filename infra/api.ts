/**
 * The api construct: one HTTP API in front of the API function. A JWT authorizer (the Cognito pool's
 * tokens for the app client) guards every route but the few in PUBLIC_ROUTES; access logs and
 * throttling on the stage; CORS only for a separate web origin. Secure defaults for API Gateway live here.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface GatewayRoute {
  method: HttpMethod;
  path: string;
}

/**
 * The only routes without the gateway's JWT authorizer, each with the reason. The web pages and
 * their assets authenticate with a session cookie checked in the app (a JWT authorizer reads only a
 * header); `/health` reveals nothing but reachability.
 */
export const PUBLIC_ROUTES: readonly (GatewayRoute & { why: string })[] = [
  {
    method: HttpMethod.GET,
    path: '/health',
    why: 'the health check answers without a token and reveals only whether the store and bucket are reachable',
  },
  {
    method: HttpMethod.ANY,
    path: '/app',
    why: 'web pages: the app itself checks the session cookie (a JWT authorizer reads only a header)',
  },
  {
    method: HttpMethod.ANY,
    path: '/app/{proxy+}',
    why: 'web pages, sign-in callback and sign-out: the app checks the session cookie',
  },
  {
    method: HttpMethod.GET,
    path: '/assets/{proxy+}',
    why: 'static styles, scripts and fonts of the web pages: no data',
  },
  { method: HttpMethod.GET, path: '/docs', why: 'the API reference page: no data' },
  { method: HttpMethod.GET, path: '/docs/{proxy+}', why: "the API reference page's Swagger UI files: no data" },
  { method: HttpMethod.GET, path: '/openapi.json', why: 'the OpenAPI document: no data' },
];

/** Everything else: the JSON API, with the JWT authorizer. */
export const AUTHORIZED_ROUTES: readonly GatewayRoute[] = [
  { method: HttpMethod.ANY, path: '/' },
  { method: HttpMethod.ANY, path: '/{proxy+}' },
];

/** Requests per second across the API (steady, burst): far above an authority's use, low enough to cap a runaway client's bill. */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

export interface ApiProps {
  logRetention: RetentionDays;
  /** A separate web origin allowed to call the API from a browser; unset, no CORS (the web is same-origin). */
  webOrigin?: string;
}

export interface ApiAuth {
  issuerUrl: string;
  /** The app client id: the authorizer accepts ID tokens (`aud`) and access tokens (`client_id`) of this client. */
  audience: string;
}

export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'iro-audit API and web pages',
      createDefaultStage: false,
      ...(props.webOrigin
        ? {
            corsPreflight: {
              allowOrigins: [props.webOrigin],
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.PATCH,
                CorsHttpMethod.DELETE,
              ],
              allowHeaders: ['authorization', 'content-type', 'if-match'],
              exposeHeaders: ['etag', 'location'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // Who asked for what and what came back; never a token, a query string or a body.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            route: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            user: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
  }

  /** The API's base URL, e.g. https://abc123.execute-api.eu-west-2.amazonaws.com (the $default stage has no path). */
  get url(): string {
    return this.httpApi.apiEndpoint;
  }

  /** Sends every route to `handler`: the public ones as they are, the others through the JWT authorizer. */
  route(handler: IFunction, auth: ApiAuth): void {
    const integration = new HttpLambdaIntegration('Handler', handler);
    const authorizer = new HttpJwtAuthorizer('Cognito', auth.issuerUrl, {
      jwtAudience: [auth.audience],
      identitySource: ['$request.header.Authorization'],
    });
    for (const route of PUBLIC_ROUTES) {
      for (const added of this.httpApi.addRoutes({ path: route.path, methods: [route.method], integration })) {
        Validations.of(added).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public at the gateway: ${route.why}.`,
        });
      }
    }
    for (const route of AUTHORIZED_ROUTES) {
      this.httpApi.addRoutes({ path: route.path, methods: [route.method], integration, authorizer });
    }
  }
}
