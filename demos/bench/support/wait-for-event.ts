import { once } from 'node:events';

/**
 * Resolves when `emitter` emits `event`; rejects after `timeoutMs` milliseconds (default 60 000).
 * The timer also keeps the process alive meanwhile: pino's transport worker is unref'd, so
 * without it Node could exit before the worker reports that it closed.
 */
export async function waitForEvent(emitter: NodeJS.EventEmitter, event: string, timeoutMs = 60_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no '${event}' event within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([once(emitter, event), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
