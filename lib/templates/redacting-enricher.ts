import type { Enricher } from '../core/enricher';
import { captureValue } from './capture';
import type { RedactionPolicy } from './redaction-policy';

/**
 * An enricher whose properties are captured and redacted by `policy` before the event sees them,
 * so a LogContext or enricher value is redacted like a call's arguments. Keeps the enricher's
 * name for diagnostics.
 */
export function redactingEnricher(enricher: Enricher, policy: RedactionPolicy): Enricher {
  const redacting: Enricher = (event) => {
    const extra = enricher(event);
    if (extra === undefined || (extra as unknown) === null) return extra;
    const captured = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(extra)) {
      if (key === '__proto__')
        Object.defineProperty(captured, key, {
          value: captureValue(extra[key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else captured[key] = captureValue(extra[key]);
    }
    return policy.redactProperties(captured, true);
  };
  Object.defineProperty(redacting, 'name', { value: enricher.name });
  return redacting;
}
