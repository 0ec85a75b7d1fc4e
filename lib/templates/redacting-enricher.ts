import type { Enricher } from '../core/enricher';
import { read } from '../core/read-property';
import { captureValue } from './capture';
import { setOwnProperty } from './own-property';
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
    for (const key of Object.keys(extra)) setOwnProperty(captured, key, captureValue(read(extra, key)));
    return policy.redactProperties(captured, true);
  };
  Object.defineProperty(redacting, 'name', { value: enricher.name });
  return redacting;
}
