import fc from 'fast-check';

/** Any JavaScript value fast-check makes, hostile kinds included (bigint, Date, Map, Set, null prototypes, typed and sparse arrays), plus `extra` constraints. */
export function anyValue(extra: fc.ObjectConstraints = {}): fc.Arbitrary<unknown> {
  return fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withTypedArray: true,
    withSparseArray: true,
    ...extra,
  });
}

/** Characters of template syntax (braces, hole prefixes, alignment and format marks) among name characters, a newline and an emoji: strings of them are templates of every shape, well-formed or not. */
export const TEMPLATE_CHARACTERS: readonly string[] = [
  '{',
  '}',
  '@',
  '$',
  ':',
  ',',
  '-',
  ' ',
  '0',
  '1',
  'B',
  'é',
  '.',
  '\n',
  '😀',
];
