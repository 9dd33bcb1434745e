/** What every use case is given: the store, the bucket, who runs audits, and the clock. */
import type { AuditServices } from '#audit/jobs';
import type { ObjectLinks } from '#store/object-store';
import type { AuditRunner } from './audit-runner.ts';
import type { TemplateCatalogue } from './templates.ts';

export interface ServiceContext extends AuditServices {
  links: ObjectLinks;
  runner: AuditRunner;
  templates: TemplateCatalogue;
}

export const nowIso = (ctx: Pick<ServiceContext, 'now'>) => (ctx.now?.() ?? new Date()).toISOString();
