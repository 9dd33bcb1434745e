/** A template's statutory-basis links are web addresses only: a link readers click never runs script or shows a data: page. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEMPLATES_DIR } from '#audit/template-library';
import { parseTemplate } from '#engine/template';

const shipped = async (id: string) =>
  JSON.parse(await readFile(join(TEMPLATES_DIR, `${id}.json`), 'utf8')) as Record<string, unknown>;

/** The shipped template with its first statutory basis linked to `url`. */
async function linkedTo(url: string) {
  const template = await shipped('review-timeliness-participation');
  const [first, ...rest] = template.statutoryBasis as Record<string, unknown>[];
  return parseTemplate({ ...template, statutoryBasis: [{ ...first, url }, ...rest] });
}

describe('statutory basis links', () => {
  it('accepts http and https web addresses', async () => {
    for (const url of [
      'https://www.legislation.gov.uk/uksi/2010/959/regulation/33',
      'http://example.org/iro-handbook.pdf',
    ]) {
      expect((await linkedTo(url)).ok).toBe(true);
    }
  });

  it('refuses javascript:, data: and other kinds of link, naming the path and the reason', async () => {
    for (const url of [
      'javascript:alert(document.cookie)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'ftp://example.org/a',
      'mailto:qa@example.org',
    ]) {
      const result = await linkedTo(url);
      expect(result.ok, url).toBe(false);
      if (result.ok) continue;
      expect(result.problems).toEqual([
        {
          path: 'statutoryBasis.0.url',
          message: expect.stringContaining('must be an http:// or https:// web address'),
        },
      ]);
      expect(result.problems[0]!.message).toContain('javascript:, data:');
    }
  });

  it('refuses text that is no address at all', async () => {
    const result = await linkedTo('see the handbook');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]!.path).toBe('statutoryBasis.0.url');
  });
});
