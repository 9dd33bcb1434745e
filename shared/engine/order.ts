/** The order the population's units are kept, merged and published in. */

/** String.prototype.localeCompare's order, as a reusable collator. */
export const unitOrder: (a: string, b: string) => number = new Intl.Collator().compare;
