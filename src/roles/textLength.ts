/**
 * Lengths and cuts for text Discord limits (nicknames: 32, audit log
 * reasons: 512).
 *
 * Discord documents the limits in "characters" and appears to count code
 * points; we count UTF-16 code units (JavaScript's `length`), which is never
 * less than the code point count. A text within our limit is therefore within
 * Discord's whichever way it counts, and a refused write (50035) cannot happen.
 */
export function textLength(text: string): number {
  return text.length;
}

const ELLIPSIS = '…';
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The longest start of `text` of at most `max` units, cut only between
 * graphemes: never inside a surrogate pair, an emoji sequence or a letter
 * with its accents.
 */
export function cutTo(text: string, max: number): string {
  if (textLength(text) <= max) return text;
  let kept = '';
  for (const { segment } of graphemes.segment(text)) {
    if (textLength(kept) + textLength(segment) > max) break;
    kept += segment;
  }
  return kept;
}

/**
 * `text` if it fits in `max` units, else its longest start that fits
 * together with "…" (trailing spaces dropped, so "Aria …" reads "Aria…").
 */
export function shortenTo(text: string, max: number): string {
  if (textLength(text) <= max) return text;
  if (max < textLength(ELLIPSIS)) return '';
  return `${cutTo(text, max - textLength(ELLIPSIS)).trimEnd()}${ELLIPSIS}`;
}
