import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readCompactJson } from '../../lib/formatting/read-compact-json';
import { childStdout } from '../helpers/child-stdout';
import { plainEnv } from '../helpers/plain-env';

/** Runs spec/node/fixtures/unfinished-at-exit.ts to its end: its exit code and the events it wrote. */
function run(framework: string, mode: string) {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'fixtures', 'unfinished-at-exit.ts'), framework, mode],
    { cwd: join(__dirname, '..', '..'), env: plainEnv(), encoding: 'utf8', timeout: 60_000 },
  );
  const events = childStdout(child)
    .split('\n')
    .filter((line) => line !== '')
    .map(readCompactJson);
  return { code: child.status, events, stderr: child.stderr };
}

// A real server on 127.0.0.1 in a child process, whose handler never answers, ends without a close
// of its logger: the app calls process.exit(), or an uncaught exception ends it. installProcessHooks
// writes the request in flight as unfinished at 'exit', then flushes it out synchronously.
describe.each(['node', 'express', 'fastify'])(
  'installProcessHooks with %s request logging, a request in flight at exit',
  (framework) => {
    it('writes it once, unfinished, when the app calls process.exit()', () => {
      const { code, events } = run(framework, 'exit');
      expect(code).toBe(2);
      expect(events.map((e) => `${e.level} ${e.renderMessage().replace(/ \d+\.\d{4} ms$/, ' … ms')}`)).toEqual([
        'information Working',
        'warning HTTP GET /orders/7 unfinished at shutdown after … ms',
      ]);
      expect(events[1].properties).toMatchObject({ RequestId: 'at-exit', RequestPath: '/orders/7', Unfinished: true });
      expect(events[1].properties.StatusCode).toBeUndefined();
    }, 90_000);

    it('writes it once, unfinished, after the fatal event of an uncaught exception that ends the process', () => {
      const { code, events, stderr } = run(framework, 'throw');
      expect(code).toBe(1);
      expect(stderr).toContain('crashed on purpose');
      expect(events.map((e) => `${e.level} ${e.renderMessage().replace(/ \d+\.\d{4} ms$/, ' … ms')}`)).toEqual([
        'information Working',
        'fatal Uncaught exception',
        'warning HTTP GET /orders/7 unfinished at shutdown after … ms',
      ]);
      expect(events[2].properties).toMatchObject({ RequestId: 'at-exit', Unfinished: true });
    }, 90_000);
  },
);
