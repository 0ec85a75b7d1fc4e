import fc from 'fast-check';

/** A sink's `batch` option in a property test: none, or 1 to `maxSize` events held 0 to `maxDelayMs`. */
export function batchOption(maxSize: number, maxDelayMs: number): fc.Arbitrary<{ size: number; maxDelayMs: number } | undefined> {
  return fc.option(
    fc.record({ size: fc.integer({ min: 1, max: maxSize }), maxDelayMs: fc.integer({ min: 0, max: maxDelayMs }) }),
    {
      nil: undefined,
    },
  );
}

/** A sink's `retry` option in a property test: the default, off, or 1–3 attempts from 0 to `maxDelayMs` apart. */
export function retryOption(maxDelayMs: number): fc.Arbitrary<false | { attempts: number; initialDelayMs: number } | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant(false as const),
    fc.record({ attempts: fc.integer({ min: 1, max: 3 }), initialDelayMs: fc.integer({ min: 0, max: maxDelayMs }) }),
  );
}

/** A sink's `circuitBreaker` option in a property test: the default, off, or 1–3 failures and a reset of 0 to `maxResetMs`. */
export function breakerOption(
  maxResetMs: number,
): fc.Arbitrary<false | { failureThreshold: number; resetTimeoutMs: number } | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    fc.constant(false as const),
    fc.record({ failureThreshold: fc.integer({ min: 1, max: 3 }), resetTimeoutMs: fc.integer({ min: 0, max: maxResetMs }) }),
  );
}
