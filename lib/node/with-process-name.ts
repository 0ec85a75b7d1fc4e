import * as path from 'node:path';
import type { Enricher } from '../core/enricher';

/**
 * An enricher adding `ProcessName`: `process.title` when the app set it, else the script's file name
 * (`server.js`), else the executable's (`node`). Read once; every event gets the same frozen object.
 */
export function withProcessName(): Enricher {
  // No script in the REPL or with `node -e`.
  const script = process.argv[1] as string | undefined;
  // Node's own title is argv[0], the path node was started by: `/usr/bin/node` when that links
  // to the executable (systemd's ExecStart), which is neither 'node' nor process.execPath.
  const title = process.title;
  const name =
    title !== '' && title !== 'node' && title !== process.execPath && title !== process.argv0
      ? title
      : script !== undefined && script !== ''
        ? path.basename(script)
        : path.basename(process.execPath);
  const properties = Object.freeze({ ProcessName: name });
  return () => properties;
}
