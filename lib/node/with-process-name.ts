import * as path from 'node:path';
import type { Enricher } from '../core/enricher';

/**
 * An enricher adding `ProcessName`: `process.title` when it was set, else the script's file name
 * (`server.js`), else the executable's (`node`). Read once; every event gets the same frozen object.
 */
export function withProcessName(): Enricher {
  // No script in the REPL or with `node -e`.
  const script = process.argv[1] as string | undefined;
  const name =
    process.title !== '' && process.title !== 'node' && process.title !== process.execPath
      ? process.title
      : script !== undefined && script !== ''
        ? path.basename(script)
        : path.basename(process.execPath);
  const properties = Object.freeze({ ProcessName: name });
  return () => properties;
}
