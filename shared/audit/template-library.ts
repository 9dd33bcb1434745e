/** Reads the audit-templates/ folder: every template validated, a broken one refused with its reasons. */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '#errors';
import { parseTemplate, type AuditTemplate, type TemplateProblem } from '#engine/template';

/** The templates shipped with the product. */
export const TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../audit-templates');

/** A template file that cannot be used (invalid), and why: each problem as a field. */
export class TemplateError extends AppError {
  constructor(
    readonly file: string,
    readonly problems: TemplateProblem[],
  ) {
    super(
      'invalid',
      `${file} is not a valid audit template:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
      {
        name: 'TemplateError',
        code: 'template',
        fields: problems.map((p) => ({ field: p.path, message: p.message })),
      },
    );
  }
}

/** Reads and validates one template file. */
export async function readTemplateFile(path: string): Promise<AuditTemplate> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new TemplateError(path, [{ path: '(file)', message: `not valid JSON: ${(error as Error).message}` }]);
  }
  const result = parseTemplate(json);
  if (!result.ok) throw new TemplateError(path, result.problems);
  return result.template;
}

export interface TemplateLibrary {
  templates: Map<string, AuditTemplate>;
  /** Files refused, with their reasons: the rest of the library still loads. */
  refused: TemplateError[];
}

/** Reads every `*.json` template in `dir`; a file's name must be its template id. */
export async function readTemplateLibrary(dir: string = TEMPLATES_DIR): Promise<TemplateLibrary> {
  const library: TemplateLibrary = { templates: new Map(), refused: [] };
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
    const path = join(dir, name);
    try {
      const template = await readTemplateFile(path);
      if (`${template.id}.json` !== name)
        throw new TemplateError(path, [{ path: 'id', message: `the file must be named ${template.id}.json` }]);
      library.templates.set(template.id, template);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      library.refused.push(error);
    }
  }
  return library;
}
