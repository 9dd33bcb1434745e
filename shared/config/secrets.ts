/**
 * Secrets read once at start from Secrets Manager: the api function's web secret (IRO_WEB_SECRET),
 * which the stack generates and names by ARN in IRO_WEB_SECRET_ARN, so its value is never in the
 * function's configuration and one value holds in every container.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The text of a secret (its current version). */
export async function secretText(client: SecretsManagerClient, secretId: string): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (typeof SecretString !== 'string' || SecretString === '') throw new Error('it holds no text');
  return SecretString;
}

/**
 * The environment with IRO_WEB_SECRET read from the secret IRO_WEB_SECRET_ARN names; unchanged when
 * no ARN is set, or IRO_WEB_SECRET already is (a value given directly wins). A secret that cannot be
 * read stops the function at start, naming the setting: a container without it would refuse the
 * forms another container rendered.
 */
export async function withWebSecret(
  env: NodeJS.ProcessEnv,
  client: () => SecretsManagerClient = () => new SecretsManagerClient({ region: env.AWS_REGION }),
): Promise<NodeJS.ProcessEnv> {
  const arn = env.IRO_WEB_SECRET_ARN;
  if (!arn || env.IRO_WEB_SECRET) return env;
  try {
    return { ...env, IRO_WEB_SECRET: await secretText(client(), arn) };
  } catch (error) {
    throw new Error(`IRO_WEB_SECRET_ARN: the web secret ${arn} could not be read: ${(error as Error).message}`);
  }
}
