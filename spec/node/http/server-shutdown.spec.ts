import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { Agent, get } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

// A real Express 5 and Fastify 5 service in a child process (spec/node/fixtures/drain-server.ts),
// with request logging and installProcessHooks, drained on a real SIGTERM as
// docs/http-servers.md shows. A keep-alive client holds its connection open throughout; the
// server's keepAliveTimeout is 60 s, so a drain that left that connection open would hold the
// process for a minute. Each run is bounded: a child still alive after 30 s is killed.
describe.each(['express', 'fastify'])('shutting down a %s service on SIGTERM', (kind) => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-drain-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers the request in flight, logs its completion event, and exits without waiting for idle keep-alive connections', async () => {
    const file = path.join(dir, 'app.log');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'drain-server.ts'), kind, file],
      {
        cwd: path.resolve(__dirname, '../../..'),
      },
    );
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const agent = new Agent({ keepAlive: true });
    const fetchText = (port: number, urlPath: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        }).on('error', reject);
      });
    const waitFor = (text: RegExp): Promise<RegExpExecArray> =>
      new Promise((resolve) => {
        const check = (): void => {
          const found = text.exec(stdout);
          if (found === null) return;
          child.stdout.off('data', check);
          resolve(found);
        };
        child.stdout.on('data', check);
        check();
      });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    const port = Number((await waitFor(/ready (\d+)\n/))[1]);
    expect(await fetchText(port, '/fast')).toEqual({ status: 200, body: 'ok' }); // its connection stays open, idle
    const slow = fetchText(port, '/slow');
    await waitFor(/in-flight\n/);
    const signalledAt = Date.now();
    child.kill('SIGTERM');

    expect(await slow).toEqual({ status: 200, body: 'late' });
    const code = await ended;
    const afterSignal = Date.now() - signalledAt;
    clearTimeout(killer);
    agent.destroy();

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('exit 0\n');
    // The keep-alive connection was closed once idle, not left for the drain's last resort
    // (closeAllConnections 10 s after the signal) nor for the 60 s keepAliveTimeout.
    expect(stdout).not.toContain('forced');
    expect(afterSignal).toBeLessThan(20_000);
    const events = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => [e['@mt'], e.RequestPath, e.StatusCode])).toEqual([
      ['HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms', '/fast', 200],
      ['Shutting down', undefined, undefined],
      ['HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms', '/slow', 200],
      ['Server closed', undefined, undefined],
    ]);
    // Logged after an await, in the handler's own context: not the last request's RequestId,
    // which a `server.close(callback)` callback would carry (it runs from that connection's close).
    expect(events[3]?.RequestId).toBeUndefined();
  }, 40_000);
});
