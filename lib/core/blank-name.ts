/**
 * Whether a property name is empty or only white space (as `trim` reads white space): such a name
 * is no property name in Serilog (`LogEventProperty.IsValidName`), so rxlog binds and adds no
 * property under it. A name that starts with a character that is no white space (most names) is
 * told by one char code, without trimming.
 */
export function isBlankName(name: string): boolean {
  const first = name.charCodeAt(0);
  // Every white space `trim` removes is U+0020 or below, or U+00A0 or above; NaN for ''.
  return !(first > 0x20 && first < 0xa0) && name.trim() === '';
}
