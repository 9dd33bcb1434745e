/** The api function's web secret, read once from Secrets Manager at cold start (the SDK mocked: no AWS here). */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { withWebSecret } from '#config/secrets';
import { cognitoSignInFromEnv } from '#web/sign-in';

const ARN = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:WebSecret-AbCdEf';
const COGNITO = { IRO_COGNITO_DOMAIN: 'iro.auth.eu-west-2.amazoncognito.com', IRO_COGNITO_CLIENT_ID: 'client' };

function secretsManager(answer: (input: { SecretId?: string }) => Promise<{ SecretString?: string }>) {
  const client = new SecretsManagerClient({
    region: 'eu-west-2',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const mock = mockClient(client);
  mock.on(GetSecretValueCommand).callsFake(answer);
  return { client, mock };
}

describe('the web secret', () => {
  it('is read from the secret IRO_WEB_SECRET_ARN names, and signs the sign-in state and the CSRF tokens', async () => {
    const value = 'k'.repeat(64);
    const { client, mock } = secretsManager(async ({ SecretId }) => (SecretId === ARN ? { SecretString: value } : {}));
    const env = await withWebSecret({ ...COGNITO, IRO_WEB_SECRET_ARN: ARN }, () => client);
    expect(env.IRO_WEB_SECRET).toBe(value);
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(cognitoSignInFromEnv(env)?.secret).toBe(value);
  });

  it('is not looked up without an ARN, nor when IRO_WEB_SECRET is given directly', async () => {
    const { client, mock } = secretsManager(async () => ({ SecretString: 'never' }));
    expect(await withWebSecret({ ...COGNITO }, () => client)).toEqual({ ...COGNITO });
    expect(
      (await withWebSecret({ ...COGNITO, IRO_WEB_SECRET_ARN: ARN, IRO_WEB_SECRET: 'd'.repeat(40) }, () => client))
        .IRO_WEB_SECRET,
    ).toBe('d'.repeat(40));
    expect(mock.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('stops the function at start, naming the setting, when the secret cannot be read or holds no text', async () => {
    const denied = secretsManager(async () => {
      throw Object.assign(new Error('User is not authorized to perform: secretsmanager:GetSecretValue'), {
        name: 'AccessDeniedException',
      });
    });
    await expect(withWebSecret({ IRO_WEB_SECRET_ARN: ARN }, () => denied.client)).rejects.toThrow(
      `IRO_WEB_SECRET_ARN: the web secret ${ARN} could not be read: User is not authorized`,
    );
    const binary = secretsManager(async () => ({}));
    await expect(withWebSecret({ IRO_WEB_SECRET_ARN: ARN }, () => binary.client)).rejects.toThrow(
      'could not be read: it holds no text',
    );
  });
});
