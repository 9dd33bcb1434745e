/**
 * The shipped templates as part of the code, for where the audit-templates/ folder is not beside
 * the code (a Lambda bundle: esbuild inlines the JSON). Locally the folder itself is read, so a
 * QA lead's new file there is picked up without touching code.
 */
import healthAssessments from '../../audit-templates/health-assessments.json' with { type: 'json' };
import permanenceAtSecondReview from '../../audit-templates/permanence-at-second-review.json' with { type: 'json' };
import reviewTimelinessParticipation from '../../audit-templates/review-timeliness-participation.json' with { type: 'json' };
import siblingAllocation from '../../audit-templates/sibling-allocation.json' with { type: 'json' };
import { parseTemplate, type AuditTemplate } from '#engine/template';

/** The four shipped templates, validated like any template file. */
export function builtInTemplates(): Map<string, AuditTemplate> {
  const templates = new Map<string, AuditTemplate>();
  for (const input of [healthAssessments, permanenceAtSecondReview, reviewTimelinessParticipation, siblingAllocation]) {
    const parsed = parseTemplate(input);
    if (!parsed.ok)
      throw new Error(
        `a shipped template is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      );
    templates.set(parsed.template.id, parsed.template);
  }
  return templates;
}
