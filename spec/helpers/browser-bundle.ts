import * as path from 'node:path';
import { build } from 'esbuild';

/**
 * rxlog's browser entry with `HttpSink` and `installPageHideFlush`, bundled from the sources as a
 * page loads it: one script that defines the global `rxlog`.
 */
export async function bundleRxlogForBrowser(): Promise<string> {
  const result = await build({
    stdin: {
      contents:
        "export * from '../index';\nexport { HttpSink } from './http/http-sink';\nexport { installPageHideFlush } from './http/http-page-hide';\n",
      resolveDir: path.join(__dirname, '../../lib/sinks'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'rxlog',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
