/** The templates built into the code (what a Lambda bundle serves) are exactly the files in audit-templates/. */
import { describe, expect, it } from 'vitest';
import { builtInTemplates } from '#audit/builtin-templates';
import { readTemplateLibrary } from '#audit/template-library';
import { TemplateCatalogue } from '#service/templates';
import type { RecordStore } from '#store/record-store';

describe('built-in templates', () => {
  it('are the shipped template files, every one, unchanged', async () => {
    const files = await readTemplateLibrary();
    expect(files.refused).toEqual([]);
    expect(builtInTemplates()).toEqual(files.templates);
  });

  it('serve the library when the folder is not beside the code', async () => {
    const none = { async *templateVersions() {} } as unknown as RecordStore;
    const catalogue = new TemplateCatalogue(none, '/nonexistent/audit-templates');
    expect((await catalogue.list('demo')).map((e) => e.template.id)).toEqual([...builtInTemplates().keys()].sort());
  });
});
