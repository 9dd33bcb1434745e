/**
 * Bounded messages: what a job keeps in its table item (a failure reason, a refusal, a note) is cut
 * to a known length, and a list named in a message shows its first few entries and a count of the
 * rest, so no input can grow a job item past DynamoDB's 400 KB.
 *
 * @example
 *   boundedMessage('x'.repeat(10_000), 100).length; // 100
 *   listSome(['C1', 'C2', 'C3', 'C4'], 2);          // 'C1, C2 and 2 more'
 */

/** Longest failure reason kept with a job. */
export const MAX_REASON_CHARS = 1_000;
/** Longest refusal or note kept for one file of an import. */
export const MAX_NOTE_CHARS = 2_000;

const CUT = '… (cut short)';

/** `text` with its whitespace runs as single spaces, at most `max` characters (a cut text says so). */
export function boundedMessage(text: string, max = MAX_REASON_CHARS): string {
  const flat = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const plain = flat.replace(/\s+/g, ' ').trim();
  if (plain.length <= max && flat.length === text.length) return plain;
  if (plain.length <= max - CUT.length) return `${plain}${CUT}`;
  return `${plain.slice(0, Math.max(0, max - CUT.length))}${CUT}`;
}

/** The first `max` items joined with commas, and how many more there are (counted with thousands separators). */
export function listSome(items: readonly string[], max = 20): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${(items.length - max).toLocaleString('en-GB')} more`;
}

/** The reason an error gives, bounded: its message (or the value itself), never a stack trace. */
export function reasonOf(error: unknown, max = MAX_REASON_CHARS): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return boundedMessage(message, max);
}
