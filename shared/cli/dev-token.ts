/**
 * `npm run dev-token -- --role <qa-lead|iro|senior-manager> [--user <id>] [--authority <id>] [--hours <n>]`
 * Prints a development token signed with the local stack's key (made on first use in the data
 * folder). The API verifies it exactly as it verifies Cognito tokens on AWS. Local use only.
 */
import { parseArgs } from 'node:util';
import { ROLES, Role } from '#auth/principal';
import { localSigningKey, signDevelopmentToken } from '#auth/tokens';
import { AuthorityId } from '#domain/records';
import { DEFAULT_DATA_DIR, signingKeyPath } from '#local/stack';
import { DEFAULT_USERS } from '#auth/demo-users';

function fail(message: string): never {
  console.error(`dev-token: ${message}`);
  console.error(
    'usage: npm run dev-token -- --role <qa-lead|iro|senior-manager> [--user <id>] [--authority <id>] [--hours <n>]',
  );
  process.exit(1);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string' },
      user: { type: 'string' },
      authority: { type: 'string', default: 'demo' },
      hours: { type: 'string', default: '8' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
const role = Role.safeParse(values.role);
if (!role.success) fail(`--role must be one of ${ROLES.join(', ')}`);
const authorityId = AuthorityId.safeParse(values.authority);
if (!authorityId.success) fail(`--authority ${authorityId.error.issues[0]?.message}`);
const hours = Number(values.hours);
if (!Number.isFinite(hours) || hours <= 0 || hours > 24) fail('--hours must be more than 0 and at most 24');
const userId = values.user ?? DEFAULT_USERS[role.data];
if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/.test(userId)) fail('--user must be letters, digits, ".", "_", "@" or "-"');

const key = await localSigningKey(signingKeyPath(process.env.IRO_DATA_DIR ?? DEFAULT_DATA_DIR));
console.log(await signDevelopmentToken(key, { userId, roles: [role.data], authorityId: authorityId.data }, { hours }));
