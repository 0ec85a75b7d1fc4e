import { SelfLog } from '../core/self-log';
import type { ContextProperties } from './context-store';

/**
 * The properties an inner `LogContext.run` puts in force: `properties` over `outer`. Never
 * throws: properties that cannot be read (a Proxy whose traps throw, a throwing getter) are
 * reported to SelfLog and left out, so the app's callback still runs, with the outer context.
 */
export function mergeContext(outer: ContextProperties | undefined, properties: ContextProperties): ContextProperties {
  try {
    return outer === undefined ? { ...properties } : { ...outer, ...properties };
  } catch (error) {
    SelfLog.write('LogContext.run: unreadable properties ignored', error);
    return outer === undefined ? {} : outer;
  }
}
