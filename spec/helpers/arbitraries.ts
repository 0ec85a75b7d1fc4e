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
