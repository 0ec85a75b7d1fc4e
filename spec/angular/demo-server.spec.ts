// The Angular demo's server (demos/angular/server.ts), started as `npm run demo:angular` starts it,
// answering real HTTP requests for files: only what is inside its app directory is served.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getOnAgent } from '../helpers/node-http';

const ROOT = resolve(__dirname, '..', '..');
const WAIT_MS = 30_000;

void describe('demos/angular server', () => {
  const base = mkdtempSync(join(tmpdir(), 'rxlog-angular-demo-server-'));
  const app = join(base, 'browser');
  let server: ChildProcess | undefined;
  let output = '';
  let port = 0;
  const agent = new Agent({ keepAlive: false });

  before(async () => {
    mkdirSync(app);
    writeFileSync(join(app, 'index.html'), 'the app');
    writeFileSync(join(app, 'main.js'), 'the script');
    writeFileSync(join(app, '..notes.txt'), 'a file of the app whose name starts with two dots');
    // Beside the app: a directory whose name starts with the app directory's, and a file above it.
    mkdirSync(join(base, 'browser-evil'));
    writeFileSync(join(base, 'browser-evil', 'secret.txt'), 'SECRET beside the app');
    writeFileSync(join(base, 'secret.txt'), 'SECRET above the app');
    server = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'demos', 'angular', 'server.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        DIST_DIR: app,
        LOG_DIR: join(base, 'logs'),
        TSX_TSCONFIG_PATH: join(ROOT, 'tsconfig.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo server did not start:\n${output}`)), WAIT_MS);
      server?.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /DEMO_URL=http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
        if (match !== null) {
          clearTimeout(timer);
          resolvePort(Number(match[1]));
        }
      });
      server?.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      server?.once('exit', (code) => reject(new Error(`the demo server exited with ${String(code)}:\n${output}`)));
    });
  });

  after(async () => {
    agent.destroy();
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((done) => server?.once('exit', done));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    rmSync(base, { recursive: true, force: true });
  });

  void it("serves the app's files, and the app for any other path", async () => {
    const script = await getOnAgent(port, agent, '/main.js');
    assert.deepEqual(
      [script.status, script.headers['content-type'], script.body],
      [200, 'text/javascript; charset=utf-8', 'the script'],
    );
    assert.equal((await getOnAgent(port, agent, '/..notes.txt')).body, 'a file of the app whose name starts with two dots');
    assert.equal((await getOnAgent(port, agent, '/orders/7')).body, 'the app');
  });

  // The request path is sent as written (a browser or curl would resolve `..` first): `%2f` is
  // no separator for the URL parser, but is one once decoded.
  void it('serves nothing outside the app directory: a sibling that shares its prefix, `..` encoded, backslashes', async () => {
    const paths = [
      '/..%2fbrowser-evil/secret.txt',
      '/%2e%2e%2fbrowser-evil%2fsecret.txt',
      '/..%2f..%2fbrowser-evil/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/../secret.txt',
      '/..%5csecret.txt',
      '/..%5cbrowser-evil%5csecret.txt',
      `/${encodeURIComponent(join(base, 'secret.txt'))}`,
    ];
    for (const path of paths) {
      const answer = await getOnAgent(port, agent, path);
      assert.deepEqual([answer.status, answer.body], [200, 'the app'], path);
    }
  });
});
