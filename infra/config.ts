/** The deployment's settings, read once from CDK context (cdk.json or `-c key=value`) and checked, so a bad value stops synth with its name. */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { z } from 'zod';

const RETENTION_DAYS = Object.values(RetentionDays).filter(
  (days): days is number => typeof days === 'number' && days > 0,
);

/** Context keys, all under the `iro-audit:` prefix. */
export const CONTEXT_KEYS = {
  authorityName: 'iro-audit:authorityName',
  retainFindingsDays: 'iro-audit:retainFindingsDays',
  retainUploadsDays: 'iro-audit:retainUploadsDays',
  logRetentionDays: 'iro-audit:logRetentionDays',
  authDomainPrefix: 'iro-audit:authDomainPrefix',
  webOrigin: 'iro-audit:webOrigin',
  requireMfa: 'iro-audit:requireMfa',
  objectLockDays: 'iro-audit:objectLockDays',
  segmentConcurrency: 'iro-audit:segmentConcurrency',
} as const;

// `-c key=value` arrives as a string; cdk.json gives JSON values. Both are accepted.
const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const DeploymentSettings = z.object({
  /** Shown in the stack description and the invitation email. */
  authorityName: z.string().trim().min(2).max(100),
  /** Published findings (and the work files an audit's comparison and exclusions read) are kept this long, then expire. */
  retainFindingsDays: whole(30, 36_500),
  /** Uploaded import files are raw children's records: kept only long enough to re-run an import. */
  retainUploadsDays: whole(1, 365).default(30),
  /** Every log group (functions, state machine, API access logs). */
  logRetentionDays: z.coerce
    .number()
    .refine((days) => RETENTION_DAYS.includes(days), { message: `must be one of ${RETENTION_DAYS.join(', ')}` })
    .default(365),
  /** The hosted sign-in domain's prefix (`{prefix}.auth.{region}.amazoncognito.com`); unset: `iro-audit-{account id}`. */
  authDomainPrefix: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lower-case letters, digits and hyphens')
    .optional(),
  /** A separate origin serving the web pages, if any; unset, the web is served by the API itself (same origin, no CORS). */
  webOrigin: z
    .url({ protocol: /^https$/ })
    .refine((url) => new URL(url).origin === url, { message: 'must be an origin: https://host[:port], no path' })
    .optional(),
  /** MFA is always available (TOTP); true makes it required for every user. */
  requireMfa: flag.default(false),
  /** Object Lock (compliance mode) on the findings bucket for this many days; 0 leaves it off. Decide before the first deploy. */
  objectLockDays: whole(0, 36_500).default(0),
  /** How many scan segments of one audit run at once. */
  segmentConcurrency: whole(1, 40).default(10),
});
export type DeploymentSettings = z.infer<typeof DeploymentSettings>;

/** Reads and checks every setting from the context; throws naming each bad key and why. */
export function settingsFrom(node: Node): DeploymentSettings {
  const raw = Object.fromEntries(
    Object.entries(CONTEXT_KEYS).map(([field, key]) => [field, node.tryGetContext(key) ?? undefined]),
  );
  const parsed = DeploymentSettings.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0]) as keyof typeof CONTEXT_KEYS;
      return `  ${CONTEXT_KEYS[field] ?? field}: ${issue.message}`;
    });
    throw new Error(`invalid deployment settings (cdk.json "context" or -c key=value):\n${problems.join('\n')}`);
  }
  return parsed.data;
}
