import { threadId } from 'node:worker_threads';
import type { Enricher } from '../core/enricher';

/**
 * An enricher adding `ThreadId` (`worker_threads.threadId`: 0 on the main thread), read once per
 * thread that creates it; every event gets the same frozen object.
 */
export function withThreadId(): Enricher {
  const properties = Object.freeze({ ThreadId: threadId });
  return () => properties;
}
