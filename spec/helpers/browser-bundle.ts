import * as path from 'node:path';
import { build } from 'esbuild';
import { type Responder, startTestServer, type TestServer } from './http-test-server';

/**
 * rxlog's browser entry with `HttpSink` and `installPageHideFlush`, bundled from the sources as a
 * page loads it: one script that defines the global `rxlog`.
 *
 * @param moreExports Export lines added to the entry (`export { … } from 'rxjs';`: one copy of
 * RxJS for rxlog and the page).
 */
export async function bundleRxlogForBrowser(moreExports = ''): Promise<string> {
  const result = await build({
    stdin: {
      contents:
        "export * from '../index';\nexport { HttpSink } from './http/http-sink';\nexport { installPageHideFlush } from './http/http-page-hide';\n" +
        moreExports,
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

/**
 * A test server on 127.0.0.1 for a page in Chromium: rxlog's browser bundle at `/rxlog.js` (with
 * `moreExports`, see bundleRxlogForBrowser), `html` at `/`, and `other` for anything else (default:
 * 204, as a log endpoint answers).
 */
export async function startPageServer(
  html: string,
  other: Responder = () => ({ status: 204 }),
  moreExports = '',
): Promise<TestServer> {
  const script = await bundleRxlogForBrowser(moreExports);
  return startTestServer((request, index) => {
    if (request.url === '/rxlog.js') return { status: 200, headers: { 'Content-Type': 'text/javascript' }, body: script };
    if (request.url === '/') return { status: 200, headers: { 'Content-Type': 'text/html' }, body: html };
    return other(request, index);
  });
}
