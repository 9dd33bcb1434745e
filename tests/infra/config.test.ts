/** Deployment settings from CDK context: the defaults, and a clear refusal naming the key for each bad value. */
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { settingsFrom } from '../../infra/config.ts';
import { CDK_CONTEXT } from './synth.ts';

const settings = (context: Record<string, unknown>) => settingsFrom(new App({ context }).node);

describe('deployment settings', () => {
  it('reads cdk.json as it is checked in', () => {
    expect(settings(CDK_CONTEXT)).toEqual({
      authorityName: 'Demo Borough Council',
      retainFindingsDays: 2555,
      retainUploadsDays: 30,
      logRetentionDays: 365,
      requireMfa: false,
      objectLockDays: 0,
      segmentConcurrency: 10,
    });
  });

  it('accepts -c key=value strings as cdk deploy passes them', () => {
    expect(
      settings({
        ...CDK_CONTEXT,
        'iro-audit:retainFindingsDays': '3650',
        'iro-audit:requireMfa': 'true',
        'iro-audit:webOrigin': 'https://audits.example.org',
      }),
    ).toMatchObject({ retainFindingsDays: 3650, requireMfa: true, webOrigin: 'https://audits.example.org' });
  });

  it('refuses a missing authority name, naming the context key', () => {
    const { ['iro-audit:authorityName']: _, ...rest } = CDK_CONTEXT;
    expect(() => settings(rest)).toThrow(/iro-audit:authorityName/);
  });

  it('refuses a log retention CloudWatch does not offer, listing the ones it does', () => {
    expect(() => settings({ ...CDK_CONTEXT, 'iro-audit:logRetentionDays': 100 })).toThrow(
      /iro-audit:logRetentionDays: must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365/,
    );
  });

  it('refuses a web origin with a path or over plain http', () => {
    expect(() => settings({ ...CDK_CONTEXT, 'iro-audit:webOrigin': 'https://audits.example.org/app' })).toThrow(
      /iro-audit:webOrigin: must be an origin/,
    );
    expect(() => settings({ ...CDK_CONTEXT, 'iro-audit:webOrigin': 'http://audits.example.org' })).toThrow(
      /iro-audit:webOrigin/,
    );
  });

  it('refuses a sign-in domain prefix Cognito would reject, and a retention that is not a whole number of days', () => {
    expect(() => settings({ ...CDK_CONTEXT, 'iro-audit:authDomainPrefix': 'Demo_Borough' })).toThrow(
      /iro-audit:authDomainPrefix: must be lower-case/,
    );
    expect(() => settings({ ...CDK_CONTEXT, 'iro-audit:retainFindingsDays': 'seven years' })).toThrow(
      /iro-audit:retainFindingsDays/,
    );
  });
});
