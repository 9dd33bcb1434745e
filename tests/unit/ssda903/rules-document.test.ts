/** docs/ssda903-rules.md says what the rules do: it is written from them, and must be rewritten when they change. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { rulesDocument } from '#ssda903/rules-document';

describe('the rules document', () => {
  it('matches the rules (run `npm run docs:rules` after changing a rule)', async () => {
    const written = await readFile(new URL('../../../docs/ssda903-rules.md', import.meta.url), 'utf8');
    expect(written).toBe(rulesDocument());
  });

  it('states, for each year, the share of the rules about imported fields that are checked, every one at least 90%', () => {
    const rows = rulesDocument()
      .split('\n')
      .filter((line) => /^\| 20\d\d-\d\d \|/.test(line));
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(Number(/\(([\d.]+)%\)/.exec(row)![1])).toBeGreaterThanOrEqual(90);
  });
});
