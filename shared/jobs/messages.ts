/**
 * Bounded messages: what a job keeps in its table item (a failure reason, a refusal, a note) is cut
 * to a known length, and a list named in a message shows its first few entries and a count of the
 * rest, so no input can grow a job item past DynamoDB's 400 KB.
 *
 * @example
 *   boundedMessage('x'.repeat(10_000), 100); // 100 characters: 50 x's, ' … (cut short) … ', 33 x's
 *   listSome(['C1', 'C2', 'C3', 'C4'], 2);          // 'C1, C2 and 2 more'
 */

/** Longest failure reason kept with a job. */
export const MAX_REASON_CHARS = 1_000;
/** Longest refusal or note kept for one file of an import. */
export const MAX_NOTE_CHARS = 2_000;

/** Marks where a text was cut: its middle gives way, as a long message says what it is about at its start and why at its end. */
const CUT = ' … (cut short) … ';
/** Of a cut text, this share of what is kept comes from its start, the rest from its end. */
const HEAD_SHARE = 0.6;

/**
 * `text` with its whitespace runs as single spaces, at most `max` characters. A longer text keeps its
 * start and its end, and says where its middle was cut (` … (cut short) … `): "the columns A, B, … (cut
 * short) … match no known file" still says why. Only the two ends of a huge text are read.
 */
export function boundedMessage(text: string, max = MAX_REASON_CHARS): string {
  const limit = Math.max(0, Math.floor(max));
  // Enough of each end to fill `limit` after whitespace runs are squeezed, whatever the text holds.
  const window = limit * 4 + 16;
  const huge = text.length > window * 2;
  const middle = huge ? text.slice(window, text.length - window) : '';
  if (!huge || !/\S/.test(middle)) {
    const plain = flatten(huge ? `${text.slice(0, window)} ${text.slice(-window)}` : text);
    if (plain.length <= limit) return plain;
    return cut(plain, plain, limit);
  }
  return cut(flatten(text.slice(0, window)), flatten(text.slice(-window)), limit);
}

const flatten = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The start of `head` and the end of `tail` with CUT between them, `limit` characters in all. */
function cut(head: string, tail: string, limit: number): string {
  if (limit < CUT.length + 2) return head.slice(0, limit);
  const room = limit - CUT.length;
  const start = Math.ceil(room * HEAD_SHARE);
  return `${head.slice(0, start).trimEnd()}${CUT}${tail.slice(tail.length - (room - start)).trimStart()}`;
}

/** The first `max` items joined with commas, and how many more there are (counted with thousands separators). */
export function listSome(items: readonly string[], max = 20): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${(items.length - max).toLocaleString('en-GB')} more`;
}

/** The reason an error gives, bounded: its message (or the value itself), never a stack trace. */
export function reasonOf(error: unknown, max = MAX_REASON_CHARS): string {
  const said = (error as { message?: unknown } | null)?.message;
  // An Error, or something thrown in its shape (some libraries throw plain objects): never "[object Object]".
  const message =
    error instanceof Error ? error.message || error.name : typeof said === 'string' && said ? said : String(error);
  return boundedMessage(message, max);
}
