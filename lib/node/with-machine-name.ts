import * as os from 'node:os';
import type { Enricher } from '../core/enricher';

/** An enricher adding `MachineName` (`os.hostname()`), read once; every event gets the same frozen object. */
export function withMachineName(): Enricher {
  const properties = Object.freeze({ MachineName: os.hostname() });
  return () => properties;
}
