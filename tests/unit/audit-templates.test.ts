import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTemplateLibrary, TEMPLATES_DIR } from '#audit/template-library';
import { parseTemplate } from '#engine/template';

const shipped = async (id: string) =>
  JSON.parse(await readFile(join(TEMPLATES_DIR, `${id}.json`), 'utf8')) as Record<string, unknown>;

describe('the template library', () => {
  it('ships the four themed templates, all valid', async () => {
    const library = await readTemplateLibrary();
    expect(library.refused).toEqual([]);
    expect([...library.templates.keys()].sort()).toEqual([
      'health-assessments',
      'permanence-at-second-review',
      'review-timeliness-participation',
      'sibling-allocation',
    ]);
    for (const template of library.templates.values()) {
      expect(template.statutoryBasis.length).toBeGreaterThan(0);
      expect(template.criteria.some((c) => c.kind === 'automatic')).toBe(true);
      expect(template.criteria.some((c) => c.kind === 'manual')).toBe(true);
      expect(template.gradeScale.map((g) => g.grade)).toEqual([
        'Outstanding',
        'Good',
        'Requires improvement',
        'Inadequate',
      ]);
    }
  });

  it('takes a new template dropped into the folder without code, and refuses a broken one with the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iro-templates-'));
    const added = {
      ...(await shipped('review-timeliness-participation')),
      id: 'first-reviews-only',
      version: 1,
      title: 'First reviews',
    };
    await writeFile(join(dir, 'first-reviews-only.json'), JSON.stringify(added));
    const broken: Record<string, unknown> = { ...(await shipped('sibling-allocation')), id: 'broken-template' };
    (broken.criteria as Record<string, unknown>[])[0]!.condition = {
      compare: [{ fact: 'review.date' }, '<=', { fact: 'review.dueDate' }],
    };
    await writeFile(join(dir, 'broken-template.json'), JSON.stringify(broken));
    await writeFile(join(dir, 'not-json.json'), '{ nope');
    const library = await readTemplateLibrary(dir);
    expect([...library.templates.keys()]).toEqual(['first-reviews-only']);
    expect(library.refused.map((e) => e.problems[0]?.message)).toEqual([
      expect.stringContaining('fact "review.date" is not provided by population rule "sibling-groups-at-period-end"'),
      expect.stringContaining('not valid JSON'),
    ]);
  });

  it('names the field and the reason for each schema problem', async () => {
    const template = await shipped('permanence-at-second-review');
    const result = parseTemplate({ ...template, version: 0, statutoryBasis: [], population: { rule: 'everyone' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path).sort()).toEqual(['population.rule', 'statutoryBasis', 'version']);
    expect(result.problems.find((p) => p.path === 'statutoryBasis')?.message).toBe('cite at least one statutory basis');
  });

  it('refuses duplicate criterion ids, a threshold grade not on the scale, and actions for unknown criteria', async () => {
    const template = await shipped('permanence-at-second-review');
    const criteria = template.criteria as Record<string, unknown>[];
    const result = parseTemplate({
      ...template,
      criteria: [
        ...criteria,
        { ...criteria[0], title: 'again' },
        { ...criteria[3], id: 'odd-grade', threshold: { atLeast: 'Splendid', share: 0.5 } },
      ],
      actions: [...(template.actions as object[]), { ...(template.actions as object[])[0], criterion: 'nope' }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const messages = result.problems.map((p) => p.message);
    expect(messages).toContain('criterion id "permanence-plan-recorded" is used twice');
    expect(messages).toContain('"Splendid" is not a grade of this template\'s scale');
    expect(messages).toContain('no criterion "nope" in this template');
  });
});
