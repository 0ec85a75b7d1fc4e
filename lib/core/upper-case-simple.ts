/** Characters .NET's ordinal casing keeps as they are although Unicode upper-cases them. */
const keptAsIs = /[ıſ]/;

/**
 * `text` upper-cased one character at a time, as .NET's OrdinalIgnoreCase compares: a character
 * whose upper case is longer (ß → SS, the ligature ﬀ → FF) stays as it is, so two strings
 * compare equal only when they do character by character, ignoring case. The dotless ı and the
 * long ſ stay as they are too: Unicode upper-cases them to I and S, but .NET's ordinal casing
 * table keeps them (so `ıtem` does not match `ITEM`, as in Serilog).
 */
export function upperCaseSimple(text: string): string {
  const upper = text.toUpperCase();
  return upper.length === text.length && !keptAsIs.test(text)
    ? upper
    : text.replace(/[^]/gu, (char) => {
        const one = char.toUpperCase();
        return one.length === char.length && !keptAsIs.test(char) ? one : char;
      });
}
