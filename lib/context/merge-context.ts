import { describeValue } from '../core/describe-value';
import { read } from '../core/read-property';
import { SelfLog } from '../core/self-log';
import type { ContextProperties } from './context-store';

/**
 * The properties an inner `LogContext.run` puts in force: `properties` over `outer`. Never
 * throws: properties that are not an object (`null`, a string, an array, whose indexes would
 * become names) or whose names cannot be listed (a Proxy whose traps throw) are reported to
 * SelfLog and left out, so the app's callback still runs, with the outer context. A getter that
 * throws puts its marker (`'[Throws: message]'`) in force, as a call's argument would, and the
 * names after it are kept.
 */
export function mergeContext(outer: ContextProperties | undefined, properties: ContextProperties): ContextProperties {
  if (typeof properties !== 'object' || (properties as unknown) === null || Array.isArray(properties)) {
    SelfLog.write('LogContext.run: not properties: {Value}', describeValue(properties));
    return outer ?? {};
  }
  try {
    // Spreading an undefined outer adds nothing; fromEntries makes a "__proto__" name an own property, as spreading does.
    return { ...outer, ...Object.fromEntries(Object.keys(properties).map((key) => [key, read(properties, key)])) };
  } catch (error) {
    SelfLog.write('LogContext.run: unreadable properties ignored', error);
    return outer ?? {};
  }
}
