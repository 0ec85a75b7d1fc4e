import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The real LoggerConfiguration + FileSink + installProcessHooks in a child process
// (spec/node/fixtures/hooks-scenarios.ts), ended by a real signal. Each run is bounded: a child
// still alive after 20 s is killed and the test fails on its exit.
describe('installProcessHooks in a child process, hostile cases', () => {
  const root = path.resolve(__dirname, '../..');
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-hooks-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  interface Ended {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    /** Milliseconds from the signal to the exit. */
    afterSignal: number;
  }

  /**
   * Runs the fixture in `mode` (the hooks' timeoutMs `hooksTimeoutMs`); sends `signal` once it is
   * ready (none: waits for it to end on its own).
   */
  function run(file: string, mode: string, signal?: NodeJS.Signals, hooksTimeoutMs = 1000): Promise<Ended> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'fixtures', 'hooks-scenarios.ts'), file, mode, String(hooksTimeoutMs)],
      {
        cwd: root,
      },
    );
    let stdout = '';
    let stderr = '';
    let signalledAt = 0;
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (signalledAt !== 0 || !stdout.includes('ready\n')) return;
      signalledAt = Date.now();
      if (signal !== undefined) child.kill(signal);
    });
    return new Promise((resolve) =>
      child.on('close', (code, endSignal) => {
        clearTimeout(killer);
        resolve({ code, signal: endSignal, stdout, stderr, afterSignal: Date.now() - signalledAt });
      }),
    );
  }

  /** The `@mt` of every line of the file, or none when it was never written. */
  const templates = (file: string): string[] =>
    fs.existsSync(file)
      ? fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => String((JSON.parse(line) as Record<string, unknown>)['@mt']))
      : [];

  it("exits within timeoutMs of SIGTERM when a sink's close never settles, with the file written and the timeout reported", async () => {
    const file = path.join(dir, 'app.log');
    const ended = await run(file, 'hang', 'SIGTERM');
    expect(ended.code).toBe(143);
    // The close's own timeout (1000 ms) ends it, not the last-resort exit 1000 ms later: the close
    // finished before the exit, which a close the last resort cut short never does. Told apart by
    // that, not by a bound 800 ms past the expected time, which a loaded machine can miss; the
    // bound left only says the process ended by itself, long before the kill at 20 s.
    expect(ended.stdout).toContain('closed\n');
    expect(ended.afterSignal).toBeLessThan(10_000);
    expect(templates(file)).toEqual(Array(100).fill('Event {N}'));
    expect(ended.stderr).toMatch(/^rxlog: logger closed on SIGTERM \(graceful, \d+ ms, timed out\): /m);
  }, 30_000);

  it("logs an uncaught exception thrown inside a sink as fatal after every event before it, keeping Node's exit code 1", async () => {
    const file = path.join(dir, 'app.log');
    const ended = await run(file, 'sink-throws');
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('Error: sink failed on purpose');
    expect(templates(file)).toEqual([...Array(100).fill('Event {N}'), 'Uncaught exception']);
  }, 30_000);

  it('leaves a signal to Node after uninstall(): the process dies of it, nothing written by the hooks', async () => {
    const file = path.join(dir, 'app.log');
    const ended = await run(file, 'uninstall', 'SIGTERM');
    expect(ended).toMatchObject({ code: null, signal: 'SIGTERM' });
    // The batch age timer (100 ms) may not have fired yet: no hook flushed it.
    expect(templates(file).length).toBeLessThanOrEqual(100);
  }, 30_000);

  it("writes what the app's own beforeExit listener logs once its async cleanup ends, instead of refusing it after the hooks' close", async () => {
    const file = path.join(dir, 'app.log');
    const ended = await run(file, 'before-exit-async');
    expect(ended.code).toBe(0);
    expect(templates(file)).toEqual([...Array(100).fill('Event {N}'), 'Cleanup done']);
    // The hooks still closed the logger, after the cleanup.
    expect(ended.stdout).toContain('closed\n');
  }, 30_000);

  it("still closes and ends when the app's beforeExit listener logs every time the loop runs dry", async () => {
    const file = path.join(dir, 'app.log');
    const ended = await run(file, 'before-exit-sync');
    expect(ended.code).toBe(0);
    const lines = templates(file);
    expect(lines.slice(0, 100)).toEqual(Array(100).fill('Event {N}'));
    expect(lines.slice(100).length).toBeGreaterThanOrEqual(1);
    expect(new Set(lines.slice(100))).toEqual(new Set(['Bye']));
    expect(ended.stdout).toContain('closed\n');
  }, 30_000);

  it("hooks twelve loggers at once without a MaxListenersExceededWarning, which eleven listeners of the app's own still raise", async () => {
    const file = path.join(dir, 'app.log');
    const ended = await run(file, 'many-loggers', 'SIGTERM');
    expect(ended.code).toBe(143);
    expect(templates(file)).toEqual(Array(100).fill('Event {N}'));
    // One warning: the app's eleventh uncaughtExceptionMonitor listener (the limit is 10 + 12 installs); none for the hooks' own.
    expect(ended.stderr.match(/MaxListenersExceededWarning/g)).toHaveLength(1);
    expect(ended.stderr).toContain('23 uncaughtExceptionMonitor listeners added to [process]. MaxListeners is 22');
  }, 30_000);

  it('closes both of two hooked loggers on SIGTERM, then exits with 143', async () => {
    const file = path.join(dir, 'app.log');
    // A long timeoutMs (the last resort 1 000 ms later): the two file closes take milliseconds, and
    // an exit that waited for either, or for a last resort, would take over 5 s.
    const ended = await run(file, 'two-loggers', 'SIGTERM', 5_000);
    expect(ended.code).toBe(143);
    expect(ended.afterSignal).toBeLessThan(2_500);
    expect(templates(file)).toEqual(Array(100).fill('Event {N}'));
    expect(templates(`${file}.2`)).toEqual(Array(100).fill('Event {N}'));
  }, 30_000);
});
