import { ConfigurationError } from '../core/errors/configuration-error';
import { describeValue } from './describe-value';

type Check = 'positive-integer' | 'non-negative' | 'fraction';

const CHECKS: Readonly<Record<string, Readonly<Record<string, Check>>>> = {
  queue: { limit: 'positive-integer', limitBytes: 'positive-integer', warnAt: 'fraction', maxEventBytes: 'positive-integer' },
  batch: { size: 'positive-integer', maxDelayMs: 'non-negative' },
  retry: { attempts: 'positive-integer', initialDelayMs: 'non-negative', maxDelayMs: 'non-negative', jitter: 'fraction' },
  circuitBreaker: { failureThreshold: 'positive-integer', resetTimeoutMs: 'non-negative' },
};

function passes(check: Check, value: unknown): boolean {
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  switch (check) {
    case 'positive-integer':
      return Number.isInteger(value) && value > 0;
    case 'non-negative':
      return value >= 0 && value !== Infinity;
    case 'fraction':
      return value >= 0 && value <= 1;
  }
}

const EXPECTED: Readonly<Record<Check, string>> = {
  'positive-integer': 'a positive integer',
  'non-negative': 'a finite number ≥ 0',
  fraction: 'a number from 0 to 1',
};

/**
 * Checks the numeric delivery options of one sink at configuration time, so a mistake throws
 * with the option's path and value instead of misbehaving at run time.
 */
export function validateSinkOptions(where: string, options: Readonly<Record<string, unknown>>): void {
  for (const [group, fields] of Object.entries(CHECKS)) {
    const value = options[group];
    if (value === undefined || value === false) continue;
    if (typeof value !== 'object' || value === null) throw new ConfigurationError(`${where}.${group}: expected an options object, got ${describeValue(value)}`);
    for (const [field, check] of Object.entries(fields)) {
      const fieldValue = (value as Record<string, unknown>)[field];
      if (fieldValue !== undefined && !passes(check, fieldValue)) {
        throw new ConfigurationError(`${where}.${group}.${field}: expected ${EXPECTED[check]}, got ${describeValue(fieldValue)}`);
      }
    }
  }
  const queue = options.queue as { overflow?: unknown } | undefined;
  if (queue?.overflow !== undefined && queue.overflow !== 'drop-oldest' && queue.overflow !== 'drop-newest') {
    throw new ConfigurationError(`${where}.queue.overflow: expected "drop-oldest" or "drop-newest", got ${describeValue(queue.overflow)}`);
  }
  const fallback = options.fallback as { emit?: unknown } | undefined;
  if (fallback !== undefined && (typeof fallback !== 'object' || fallback === null || typeof fallback.emit !== 'function')) {
    throw new ConfigurationError(`${where}.fallback: expected a sink with an emit(events) method, got ${describeValue(fallback)}`);
  }
}
