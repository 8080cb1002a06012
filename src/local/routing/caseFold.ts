/**
 * Case-insensitive text as .NET's `OrdinalIgnoreCase` does it: each character
 * upper-cased on its own, so lengths never change (unlike `'ß'.toUpperCase()`),
 * then compared by code unit. The host uses it for route literals and for the
 * order of functions.
 */
export function foldCase(text: string): string {
  let folded = '';
  for (const char of text) {
    const upper = char.toUpperCase();
    folded += upper.length === char.length ? upper : char;
  }
  return folded;
}

export function equalsIgnoreCase(a: string, b: string): boolean {
  return a.length === b.length && foldCase(a) === foldCase(b);
}

/** Negative, zero or positive, for `Array.prototype.sort`. */
export function compareIgnoreCase(a: string, b: string): number {
  const x = foldCase(a);
  const y = foldCase(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Last start of `needle` in `haystack.slice(0, end)`, ignoring case; -1 when absent. */
export function lastIndexOfIgnoreCase(haystack: string, needle: string, end: number): number {
  return foldCase(haystack.slice(0, end)).lastIndexOf(foldCase(needle));
}
