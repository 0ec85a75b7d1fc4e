import { describeValue } from '../core/describe-value';
import { SelfLog } from '../core/self-log';
import type { ContextProperties } from './context-store';

/**
 * The properties an inner `LogContext.run` puts in force: `properties` over `outer`. Never
 * throws: properties that are not an object (`null`, a string, an array, whose indexes would
 * become names) or cannot be read (a Proxy whose traps throw, a throwing getter) are reported to
 * SelfLog and left out, so the app's callback still runs, with the outer context.
 */
export function mergeContext(outer: ContextProperties | undefined, properties: ContextProperties): ContextProperties {
  if (typeof properties !== 'object' || (properties as unknown) === null || Array.isArray(properties)) {
    SelfLog.write('LogContext.run: not properties: {Value}', describeValue(properties));
    return outer ?? {};
  }
  try {
    // Spreading an undefined outer adds nothing.
    return { ...outer, ...properties };
  } catch (error) {
    SelfLog.write('LogContext.run: unreadable properties ignored', error);
    return outer ?? {};
  }
}
