import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';

/** Collects SelfLog's diagnostics until `stop()`. */
export function collectSelfLog(): { diagnostics: SelfLogEvent[]; stop: () => void } {
  const diagnostics: SelfLogEvent[] = [];
  const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
  return { diagnostics, stop: () => subscription.unsubscribe() };
}
