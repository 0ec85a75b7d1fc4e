/**
 * `text` upper-cased one character at a time, as .NET's OrdinalIgnoreCase compares: a character
 * whose upper case is longer (ß → SS, the ligature ﬀ → FF) stays as it is, so two strings
 * compare equal only when they do character by character, ignoring case.
 */
export function upperCaseSimple(text: string): string {
  const upper = text.toUpperCase();
  return upper.length === text.length
    ? upper
    : text.replace(/[^]/gu, (char) => {
        const one = char.toUpperCase();
        return one.length === char.length ? one : char;
      });
}
