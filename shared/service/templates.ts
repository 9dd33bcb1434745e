/**
 * The template library an authority sees: the templates shipped in audit-templates/ plus the
 * versions its QA leads have added. Versions are immutable; the latest version of an id is the
 * one new audits use, and an audit keeps a copy of the exact version it ran with.
 */
import { existsSync } from 'node:fs';
import { builtInTemplates } from '#audit/builtin-templates';
import { parseTemplate, type AuditTemplate, type TemplateProblem } from '#engine/template';
import { readTemplateLibrary, TEMPLATES_DIR } from '#audit/template-library';
import type { Principal } from '#auth/principal';
import { TemplateVersionExistsError, type RecordStore } from '#store/record-store';
import { ConflictError, InvalidInputError, NotFoundError } from './errors.ts';

/** A template as the library lists it. */
export interface CatalogueEntry {
  template: AuditTemplate;
  /** Shipped with the product, or added by one of the authority's QA leads. */
  source: 'built-in' | 'authority';
  /** Every version held for this id, oldest first. */
  versions: number[];
  addedBy: string | null;
  addedAt: string | null;
}

export class TemplateCatalogue {
  private builtIns: Promise<Map<string, AuditTemplate>> | undefined;

  constructor(
    private readonly store: RecordStore,
    /** The shipped templates' folder; when it is not there (a Lambda bundle) the built-in copies serve. */
    private readonly dir: string = process.env.IRO_TEMPLATES_DIR ?? TEMPLATES_DIR,
  ) {}

  /**
   * The shipped templates, read once: from the folder where it is beside the code (a broken file
   * is left out and logged, never served), else the copies built into the code (a Lambda bundle).
   */
  private shipped(): Promise<Map<string, AuditTemplate>> {
    this.builtIns ??= existsSync(this.dir)
      ? readTemplateLibrary(this.dir).then((library) => {
          for (const refused of library.refused) console.error(refused.message);
          return library.templates;
        })
      : Promise.resolve(builtInTemplates());
    return this.builtIns;
  }

  /** Every version of every template the authority can use, by id. */
  private async allVersions(authorityId: string): Promise<Map<string, CatalogueEntry[]>> {
    const byId = new Map<string, CatalogueEntry[]>();
    for (const template of (await this.shipped()).values()) {
      byId.set(template.id, [{ template, source: 'built-in', versions: [], addedBy: null, addedAt: null }]);
    }
    for await (const stored of this.store.templateVersions(authorityId)) {
      const parsed = parseTemplate(stored.template);
      if (!parsed.ok) continue; // validated when added; a later schema change must not take the library down
      byId.set(stored.templateId, [
        ...(byId.get(stored.templateId) ?? []),
        {
          template: parsed.template,
          source: 'authority',
          versions: [],
          addedBy: stored.createdBy,
          addedAt: stored.createdAt,
        },
      ]);
    }
    for (const entries of byId.values()) {
      entries.sort((a, b) => a.template.version - b.template.version);
      const versions = entries.map((e) => e.template.version);
      for (const e of entries) e.versions = versions;
    }
    return byId;
  }

  /** The latest version of each template, by id. */
  async list(authorityId: string): Promise<CatalogueEntry[]> {
    return [...(await this.allVersions(authorityId)).values()]
      .map((entries) => entries.at(-1)!)
      .sort((a, b) => a.template.id.localeCompare(b.template.id));
  }

  /** One template: the latest version, or the version asked for. */
  async get(authorityId: string, templateId: string, version?: number): Promise<CatalogueEntry> {
    const entries = (await this.allVersions(authorityId)).get(templateId);
    if (!entries) throw new NotFoundError(`no template "${templateId}"`);
    const entry = version === undefined ? entries.at(-1) : entries.find((e) => e.template.version === version);
    if (!entry)
      throw new NotFoundError(
        `template "${templateId}" has no version ${version} (it has ${entries.map((e) => e.template.version).join(', ')})`,
      );
    return entry;
  }

  /**
   * Adds a template, or a new version of one: validated like a template file (a broken one is
   * refused with every reason), and its version must be the next one up — a version, once held,
   * never changes, so audits that ran with it can always be read against it.
   */
  async add(principal: Principal, input: unknown, now: string): Promise<CatalogueEntry> {
    const parsed = parseTemplate(input);
    if (!parsed.ok)
      throw new InvalidInputError(parsed.problems.map((p: TemplateProblem) => ({ field: p.path, message: p.message })));
    const template = parsed.template;
    const existing = (await this.allVersions(principal.authorityId)).get(template.id);
    const latest = existing?.at(-1)?.template.version ?? 0;
    if (template.version <= latest) {
      throw new ConflictError(
        `template "${template.id}" already has version ${latest}: a new version must be ${latest + 1} or more`,
        { latestVersion: latest },
      );
    }
    try {
      await this.store.putTemplateVersion(principal.authorityId, {
        templateId: template.id,
        version: template.version,
        template,
        createdBy: principal.userId,
        createdAt: now,
      });
    } catch (error) {
      if (error instanceof TemplateVersionExistsError)
        throw new ConflictError(error.message, { latestVersion: template.version });
      throw error;
    }
    return this.get(principal.authorityId, template.id, template.version);
  }
}
