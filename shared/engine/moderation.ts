/**
 * Moderation agreement: how far the second IROs' blind grades agree with the auditors', per manual
 * criterion, as % exact agreement and Cohen's weighted kappa over the template's grade scale. Pure.
 */
import * as z from 'zod';
import { cohensWeightedKappa, percentExactAgreement } from './statistics.ts';
import type { AuditTemplate } from './template.ts';

export const CriterionAgreement = z.object({
  criterionId: z.string(),
  title: z.string(),
  pairs: z.number().int().describe('records both the auditor and the moderator graded on this criterion'),
  exactAgreement: z.number().nullable().describe('share of pairs with the same grade (0–1)'),
  weightedKappa: z
    .number()
    .nullable()
    .describe("Cohen's weighted kappa (quadratic weights over the grade scale); null when undefined"),
  agreed: z.number().int().describe('records with an agreed grade recorded by the QA lead'),
});

/** Agreement between auditors and moderators over an audit's moderated records. */
export const Agreement = z.object({
  moderatedRecords: z.number().int(),
  weights: z.literal('quadratic'),
  criteria: z.array(CriterionAgreement),
});
export type Agreement = z.infer<typeof Agreement>;

/** What agreement reads of a moderation record: the moderator's grades, and the QA lead's agreed ones. */
export interface ModerationGrades {
  grades: Record<string, string>;
  agreed: { grades: Record<string, string> } | null;
}

/** Agreement from each moderated record's auditor grades and its moderation. */
export function agreementOf(
  template: AuditTemplate,
  pairs: readonly { auditor: Record<string, string>; moderation: ModerationGrades }[],
): Agreement {
  const scale = template.gradeScale.map((g) => g.grade);
  const criteria = template.criteria.flatMap((c) => {
    if (c.kind !== 'manual') return [];
    const graded = pairs.flatMap(({ auditor, moderation }) => {
      const a = scale.indexOf(auditor[c.id] ?? '');
      const m = scale.indexOf(moderation.grades[c.id] ?? '');
      return a >= 0 && m >= 0 ? [[a, m] as const] : [];
    });
    return [
      {
        criterionId: c.id,
        title: c.title,
        pairs: graded.length,
        exactAgreement: percentExactAgreement(graded),
        weightedKappa: cohensWeightedKappa(graded, scale.length, 'quadratic'),
        agreed: pairs.filter((p) => p.moderation.agreed?.grades[c.id] !== undefined).length,
      },
    ];
  });
  return { moderatedRecords: pairs.length, weights: 'quadratic', criteria };
}
