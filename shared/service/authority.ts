/**
 * The authority's settings: which timescale set its audits are judged by. Every signed-in user of
 * the authority reads them; the QA lead (the IRO manager, who administers the authority's audits)
 * chooses another named set. A change applies to audits launched afterwards: each audit keeps the
 * set it was launched with.
 */
import * as z from 'zod';
import { timescalesInWords, TimescalesInWords } from '#engine/timescale-text';
import { hasRole, type Principal } from '#auth/principal';
import { REGULATIONS_2010, TIMESCALE_SETS, type TimescaleSet } from '#domain/timescales';
import type { ServiceContext } from './context.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from './errors.ts';

/** The role that administers the authority's settings. */
export const SETTINGS_ROLE = 'qa-lead' as const;

/** GET /authority: the authority and the timescale set its new audits are judged by. */
export const AuthoritySettings = z.object({
  authorityId: z.string(),
  name: z.string(),
  timescales: TimescalesInWords.describe(
    'the set new audits are judged by; an audit keeps the set it was launched with',
  ),
  /** Whether the caller may choose another set. */
  canChange: z.boolean().describe('true when the caller is a QA lead, who may choose another set'),
});
export type AuthoritySettings = z.infer<typeof AuthoritySettings>;

/** PATCH /authority: the named set to judge new audits by. */
export const AuthoritySettingsBody = z.strictObject({
  timescales: z
    .enum(Object.keys(TIMESCALE_SETS) as [string, ...string[]], { error: (issue) => unknownSet(String(issue.input)) })
    .describe('the id of a named timescale set (GET /timescale-sets lists them), e.g. "southwark-2008"'),
});
export type AuthoritySettingsBody = z.infer<typeof AuthoritySettingsBody>;

/** Every named timescale set an authority can choose, in words. */
export function timescaleSets(): TimescalesInWords[] {
  return Object.values(TIMESCALE_SETS).map(timescalesInWords);
}

const unknownSet = (id: string) =>
  `there is no timescale set "${id}": choose one of ${Object.keys(TIMESCALE_SETS).join(', ')}`;

/** The named set with this id, or the reason there is none (naming the ones there are). */
export function namedTimescaleSet(id: string): { ok: true; set: TimescaleSet } | { ok: false; message: string } {
  const set = Object.hasOwn(TIMESCALE_SETS, id) ? TIMESCALE_SETS[id] : undefined;
  return set ? { ok: true, set } : { ok: false, message: unknownSet(id) };
}

/** The timescale set the authority's new audits are judged by (the 2010 Regulations' for an authority not yet in the store). */
export async function authorityTimescales(
  ctx: Pick<ServiceContext, 'store'>,
  authorityId: string,
): Promise<TimescaleSet> {
  return (await ctx.store.getAuthority(authorityId))?.timescales ?? REGULATIONS_2010;
}

/** The caller's authority's settings. */
export async function authoritySettings(
  ctx: Pick<ServiceContext, 'store'>,
  principal: Principal,
): Promise<AuthoritySettings> {
  const authority = await ctx.store.getAuthority(principal.authorityId);
  if (!authority)
    throw new NotFoundError(`your authority "${principal.authorityId}" has no records here yet: import them first`);
  return {
    authorityId: authority.authorityId,
    name: authority.name,
    timescales: timescalesInWords(authority.timescales),
    canChange: hasRole(principal, SETTINGS_ROLE),
  };
}

/**
 * Chooses the named timescale set for the caller's authority (QA lead). Only the set changes: the
 * authority's name and every record, template and audit it holds are kept, and audits already
 * launched keep the set they were launched with.
 */
export async function chooseTimescales(
  ctx: Pick<ServiceContext, 'store'>,
  principal: Principal,
  body: AuthoritySettingsBody,
): Promise<AuthoritySettings> {
  if (!hasRole(principal, SETTINGS_ROLE))
    throw new ForbiddenError(
      `only a QA lead can change the authority's timescale set; you are ${principal.roles.join(', ')}`,
    );
  const chosen = namedTimescaleSet(body.timescales);
  if (!chosen.ok) throw new InvalidInputError([{ field: 'timescales', message: chosen.message }]);
  const authority = await ctx.store.getAuthority(principal.authorityId);
  if (!authority)
    throw new NotFoundError(`your authority "${principal.authorityId}" has no records here yet: import them first`);
  if (JSON.stringify(authority.timescales) !== JSON.stringify(chosen.set))
    await ctx.store.putAuthority({ ...authority, timescales: chosen.set });
  return authoritySettings(ctx, principal);
}
