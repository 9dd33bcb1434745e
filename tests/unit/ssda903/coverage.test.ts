/**
 * The importer's rules held against the DfE's list for each collection year: every DfE rule is
 * checked or set aside with a reason, each in the years the DfE has it, and at least 90% of the
 * rules about fields the product imports are checked.
 */
import { describe, expect, it } from 'vitest';
import { RULE_YEARS, yearWithin } from '#domain/collection-year';
import { IMPORT_FORMATS } from '#loader/formats';
import { RULES_BY_CODE, RULES_NOT_APPLIED, SSDA903_RULES } from '#ssda903/catalogue';
import { DFE_RULES } from '#ssda903/dfe-rule-index';

/** Every column of a format the product imports (the XML's extra HEADER fields included). */
const IMPORTED_COLUMNS = new Set([...IMPORT_FORMATS.flatMap((f) => f.columns), 'UASC', 'PL', 'CHILDID']);

describe('the DfE rules, year by year', () => {
  for (const year of RULE_YEARS) {
    const inForce = DFE_RULES.filter((rule) => yearWithin(year, rule));
    const checked = (code: string) => (RULES_BY_CODE.get(code) ?? []).some((rule) => yearWithin(year, rule));
    const setAside = (code: string) => RULES_NOT_APPLIED.some((rule) => rule.code === code && yearWithin(year, rule));

    it(`${year}: every DfE rule is checked or set aside with a reason, never both`, () => {
      const neither = inForce.filter((rule) => !checked(rule.code) && !setAside(rule.code)).map((rule) => rule.code);
      const both = inForce.filter((rule) => checked(rule.code) && setAside(rule.code)).map((rule) => rule.code);
      expect({ neither, both }).toEqual({ neither: [], both: [] });
    });

    it(`${year}: no rule is checked in a year the DfE does not have it`, () => {
      const codes = new Set(inForce.map((rule) => rule.code));
      const extra = [...SSDA903_RULES, ...RULES_NOT_APPLIED]
        .filter((rule) => yearWithin(year, rule) && !codes.has(rule.code))
        .map((rule) => rule.code);
      expect(extra).toEqual([]);
    });

    it(`${year}: at least 90% of the rules about imported fields are checked`, () => {
      const aboutImported = inForce.filter((rule) => rule.fields.some((field) => IMPORTED_COLUMNS.has(field)));
      const share = aboutImported.filter((rule) => checked(rule.code)).length / aboutImported.length;
      expect(share).toBeGreaterThanOrEqual(0.9);
    });
  }

  it('gives each rule set aside its reason, and each checked rule the reason for its severity', () => {
    expect(RULES_NOT_APPLIED.filter((rule) => rule.reason.trim().length < 20).map((rule) => rule.code)).toEqual([]);
    expect(SSDA903_RULES.filter((rule) => rule.reason.trim().length < 20).map((rule) => rule.code)).toEqual([]);
  });

  it('has one definition of a code for each year, never two', () => {
    for (const year of RULE_YEARS) {
      const twice = [...RULES_BY_CODE]
        .filter(([, rules]) => rules.filter((rule) => yearWithin(year, rule)).length > 1)
        .map(([code]) => code);
      expect(twice, year).toEqual([]);
    }
  });
});
