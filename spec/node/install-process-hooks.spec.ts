import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigurationError } from '../../lib/core/errors/configuration-error';
import { MAX_TIMER_MS } from '../../lib/core/max-timer-ms';
import { SelfLog, type SelfLogEvent } from '../../lib/core/self-log';
import { installProcessHooks, type HookableLogger } from '../../lib/node/install-process-hooks';

class FakeProcess extends EventEmitter {
  readonly exit = jest.fn<void, [number?]>();
}

interface FakeLogger extends HookableLogger {
  readonly calls: string[];
  readonly fatals: Array<{ error: Error; template: string }>;
  settleClose(): void;
}

/** A logger that records calls; its close settles when the test says so (or at once). */
function fakeLogger(closeSettles: 'now' | 'manually' | 'rejects' = 'now'): FakeLogger {
  const calls: string[] = [];
  const fatals: Array<{ error: Error; template: string }> = [];
  let settle: () => void = () => undefined;
  return {
    calls,
    fatals,
    settleClose: () => settle(),
    fatal(error, template) {
      calls.push('fatal');
      fatals.push({ error, template });
    },
    flushSync() {
      calls.push('flushSync');
    },
    close(options) {
      calls.push(`close:${options?.strategy}:${options?.timeoutMs}`);
      if (closeSettles === 'rejects') return Promise.reject(new Error('close failed'));
      if (closeSettles === 'now') return Promise.resolve({});
      return new Promise((resolve) => (settle = () => resolve({})));
    },
  };
}

const flushPromises = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('installProcessHooks', () => {
  let proc: FakeProcess;
  let diagnostics: SelfLogEvent[];
  let unsubscribe: () => void;

  beforeEach(() => {
    jest.useFakeTimers();
    proc = new FakeProcess();
    diagnostics = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    unsubscribe = () => subscription.unsubscribe();
  });

  afterEach(() => {
    unsubscribe();
    jest.useRealTimers();
  });

  it('closes gracefully on SIGTERM, flushes, then exits with 143', async () => {
    const log = fakeLogger();
    installProcessHooks(log, { timeoutMs: 2000 }, proc);
    proc.emit('SIGTERM', 'SIGTERM');
    await flushPromises();
    expect(log.calls).toEqual(['close:graceful:2000', 'flushSync']);
    expect(proc.exit).toHaveBeenCalledWith(143);
  });

  it('exits with 130 on SIGINT, or with the configured exitCode', async () => {
    installProcessHooks(fakeLogger(), {}, proc);
    proc.emit('SIGINT', 'SIGINT');
    await flushPromises();
    expect(proc.exit).toHaveBeenCalledWith(130);

    const other = new FakeProcess();
    installProcessHooks(fakeLogger(), { exitCode: 0 }, other);
    other.emit('SIGINT', 'SIGINT');
    await flushPromises();
    expect(other.exit).toHaveBeenCalledWith(0);
  });

  it('waits for the close before exiting', async () => {
    const log = fakeLogger('manually');
    installProcessHooks(log, {}, proc);
    proc.emit('SIGTERM', 'SIGTERM');
    await flushPromises();
    expect(proc.exit).not.toHaveBeenCalled();
    log.settleClose();
    await flushPromises();
    expect(proc.exit).toHaveBeenCalledTimes(1);
  });

  it('lets the close time out first, and exits 1000 ms after that when the close never settles, writing what is undelivered per sink to SelfLog', async () => {
    const log = fakeLogger('manually');
    const withMetrics: HookableLogger = {
      ...log,
      metrics: () => ({ sinks: { http: { pending: 7 }, file: { pending: 0 } } }),
    };
    installProcessHooks(withMetrics, { timeoutMs: 1000 }, proc);
    proc.emit('SIGTERM', 'SIGTERM');
    jest.advanceTimersByTime(1999);
    expect(proc.exit).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(log.calls).toEqual(['close:graceful:1000', 'flushSync']);
    expect(proc.exit).toHaveBeenCalledWith(143);
    const lost = diagnostics.filter((d) => d.message.includes('undelivered'));
    expect(lost.map((d) => d.args.slice(0, 2))).toEqual([['http', 7]]);
    log.settleClose();
    await flushPromises();
    expect(proc.exit).toHaveBeenCalledTimes(1);
  });

  it('exits once the close reports when it settles at its own timeout', async () => {
    const log = fakeLogger('manually');
    installProcessHooks(log, { timeoutMs: 1000 }, proc);
    proc.emit('SIGTERM', 'SIGTERM');
    jest.advanceTimersByTime(1000);
    log.settleClose();
    await flushPromises();
    expect(proc.exit).toHaveBeenCalledTimes(1);
    expect(diagnostics.filter((d) => d.message.includes('undelivered'))).toEqual([]);
  });

  it('exits at once on a second signal during the close', () => {
    installProcessHooks(fakeLogger('manually'), {}, proc);
    proc.emit('SIGINT', 'SIGINT');
    proc.emit('SIGINT', 'SIGINT');
    expect(proc.exit).toHaveBeenCalledWith(130);
  });

  it('exits even when the close rejects, and reports it', async () => {
    installProcessHooks(fakeLogger('rejects'), {}, proc);
    proc.emit('SIGTERM', 'SIGTERM');
    await flushPromises();
    expect(proc.exit).toHaveBeenCalledWith(143);
    expect(diagnostics.some((d) => d.message.includes('close failed'))).toBe(true);
  });

  it('closes but leaves the exit to another listener of the signal', async () => {
    const log = fakeLogger();
    proc.on('SIGTERM', () => undefined);
    installProcessHooks(log, {}, proc);
    proc.emit('SIGTERM', 'SIGTERM');
    await flushPromises();
    expect(log.calls).toEqual(['close:graceful:5000', 'flushSync']);
    expect(proc.exit).not.toHaveBeenCalled();
  });

  it('hooks only the configured signals', async () => {
    const log = fakeLogger();
    installProcessHooks(log, { signals: ['SIGHUP'] }, proc);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    proc.emit('SIGHUP', 'SIGHUP');
    await flushPromises();
    expect(proc.exit).toHaveBeenCalledWith(129);
  });

  it('closes gracefully once on beforeExit, without exiting', async () => {
    const log = fakeLogger();
    installProcessHooks(log, {}, proc);
    proc.emit('beforeExit', 0);
    await flushPromises();
    proc.emit('beforeExit', 0);
    expect(log.calls).toEqual(['close:graceful:5000']);
    expect(proc.exit).not.toHaveBeenCalled();
  });

  it('flushes synchronously on exit', () => {
    const log = fakeLogger();
    installProcessHooks(log, {}, proc);
    proc.emit('exit', 0);
    expect(log.calls).toEqual(['flushSync']);
  });

  it('logs an uncaught exception as fatal and flushes, leaving the exit to Node', () => {
    const log = fakeLogger();
    installProcessHooks(log, {}, proc);
    const error = new Error('boom');
    proc.emit('uncaughtExceptionMonitor', error, 'uncaughtException');
    expect(log.fatals).toEqual([{ error, template: 'Uncaught exception' }]);
    expect(log.calls).toEqual(['fatal', 'flushSync']);
    expect(proc.exit).not.toHaveBeenCalled();
  });

  it('logs an unhandled rejection as fatal, wrapping a reason that is not an Error', () => {
    const log = fakeLogger();
    installProcessHooks(log, {}, proc);
    proc.emit('uncaughtExceptionMonitor', 'just a string', 'unhandledRejection');
    expect(log.fatals).toHaveLength(1);
    expect(log.fatals[0].template).toBe('Unhandled rejection');
    expect(log.fatals[0].error).toBeInstanceOf(Error);
    expect(log.fatals[0].error.message).toBe('just a string');
  });

  it('logs a rejection reason String() cannot convert (a null-prototype object, a throwing toString) instead of throwing in the hook', () => {
    const log = fakeLogger();
    installProcessHooks(log, {}, proc);
    const hostile = {
      toString: () => {
        throw new Error('no text');
      },
    };
    expect(() => proc.emit('uncaughtExceptionMonitor', Object.create(null), 'unhandledRejection')).not.toThrow();
    expect(() => proc.emit('uncaughtExceptionMonitor', hostile, 'unhandledRejection')).not.toThrow();
    expect(log.fatals.map((f) => [f.template, f.error.message])).toEqual([
      ['Unhandled rejection', 'object'],
      ['Unhandled rejection', 'Object'],
    ]);
    expect(log.calls).toEqual(['fatal', 'flushSync', 'fatal', 'flushSync']);
  });

  it('never throws, whatever the logger does', async () => {
    const log: HookableLogger = {
      fatal: () => {
        throw new Error('fatal broke');
      },
      flushSync: () => {
        throw new Error('flush broke');
      },
      close: () => {
        throw new Error('close broke');
      },
    };
    installProcessHooks(log, {}, proc);
    expect(() => proc.emit('uncaughtExceptionMonitor', new Error('x'), 'uncaughtException')).not.toThrow();
    expect(() => proc.emit('exit', 0)).not.toThrow();
    expect(() => proc.emit('SIGTERM', 'SIGTERM')).not.toThrow();
    await flushPromises();
    expect(proc.exit).toHaveBeenCalledWith(143);
    const messages = diagnostics.map((d) => d.message).join('\n');
    expect(messages).toContain('fatal broke');
    expect(messages).toContain('flush broke');
    expect(messages).toContain('close broke');
  });

  it('removes every hook when uninstalled', () => {
    const uninstall = installProcessHooks(fakeLogger(), {}, proc);
    expect(proc.eventNames().sort()).toEqual(['SIGINT', 'SIGTERM', 'beforeExit', 'exit', 'uncaughtExceptionMonitor']);
    uninstall();
    uninstall();
    expect(proc.eventNames()).toEqual([]);
  });

  it('throws a ConfigurationError for an unknown signal or a bad timeout', () => {
    expect(() => installProcessHooks(fakeLogger(), { signals: ['SIGNOPE' as NodeJS.Signals] }, proc)).toThrow(ConfigurationError);
    expect(() => installProcessHooks(fakeLogger(), { signals: ['SIGNOPE' as NodeJS.Signals] }, proc)).toThrow(/SIGNOPE/);
    expect(() => installProcessHooks(fakeLogger(), { timeoutMs: -1 }, proc)).toThrow(/-1/);
    expect(() => installProcessHooks(fakeLogger(), { exitCode: 1.5 }, proc)).toThrow(/1\.5/);
    expect(proc.eventNames()).toEqual([]);
  });

  it('keeps its last-resort exit for a timeoutMs near the longest timer delay, instead of exiting 1 ms after the signal', async () => {
    const log = fakeLogger('manually');
    installProcessHooks(log, { timeoutMs: MAX_TIMER_MS - 500 }, proc);
    proc.emit('SIGTERM', 'SIGTERM');
    jest.advanceTimersByTime(60_000);
    await flushPromises();
    expect(proc.exit).not.toHaveBeenCalled();
    log.settleClose();
    await flushPromises();
    expect(proc.exit).toHaveBeenCalledWith(143);
  });

  it('throws a ConfigurationError naming a timeoutMs past the longest timer delay', () => {
    expect(() => installProcessHooks(fakeLogger(), { timeoutMs: MAX_TIMER_MS + 1 }, proc)).toThrow(ConfigurationError);
    expect(() => installProcessHooks(fakeLogger(), { timeoutMs: MAX_TIMER_MS + 1 }, proc)).toThrow(
      `installProcessHooks timeoutMs: expected milliseconds from 0 to ${MAX_TIMER_MS}, got number ${MAX_TIMER_MS + 1}`,
    );
    expect(proc.eventNames()).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an object without close', { fatal: () => undefined, flushSync: () => undefined }],
  ])('throws a ConfigurationError when the logger is %s, instead of hooking handlers that can never close it', (_, log) => {
    expect(() => installProcessHooks(log as never, {}, proc)).toThrow(ConfigurationError);
    expect(() => installProcessHooks(log as never, {}, proc)).toThrow(/installProcessHooks log: expected a logger/);
    expect(proc.eventNames()).toEqual([]);
  });
});

// These run the real LoggerConfiguration + FileSink + hooks in a child process (node --import tsx).
describe('installProcessHooks in a child process', () => {
  const root = path.resolve(__dirname, '../..');
  const fixture = (name: string): string => path.join(__dirname, 'fixtures', name);
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The `N` of every "Event {N}" line, in file order, and the other lines as parsed objects. */
  function readLog(file: string): { numbers: number[]; others: Array<Record<string, unknown>> } {
    const numbers: number[] = [];
    const others: Array<Record<string, unknown>> = [];
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (line === '') continue;
      const event = JSON.parse(line) as Record<string, unknown>;
      if (event['@mt'] === 'Event {N}') numbers.push(event.N as number);
      else others.push(event);
    }
    return { numbers, others };
  }

  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  it('writes all 50 000 events logged right before process.exit(0)', () => {
    const file = path.join(dir, 'app.log');
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture('exit-after-logging.ts'), file, '50000'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(readLog(file).numbers).toEqual(range(50_000));
  });

  it.each([
    ['throw', 'Uncaught exception', 'child crashed on purpose'],
    ['reject', 'Unhandled rejection', 'child rejected on purpose'],
  ])(
    "writes the fatal event and everything before it on a crash (%s), keeping Node's exit code and message",
    (mode, template, message) => {
      const file = path.join(dir, 'app.log');
      const child = spawnSync(process.execPath, ['--import', 'tsx', fixture('uncaught-exception.ts'), file, '3000', mode], {
        cwd: root,
        encoding: 'utf8',
      });
      expect(child.status).toBe(1);
      expect(child.stderr).toContain(message);
      const { numbers, others } = readLog(file);
      expect(numbers).toEqual(range(3000));
      expect(others).toHaveLength(1);
      expect(others[0]).toMatchObject({ '@mt': template, '@l': 'Fatal' });
      expect(others[0]['@x']).toContain(message);
    },
  );

  it('exits within timeoutMs of SIGTERM with every event logged before it in the file', async () => {
    const file = path.join(dir, 'app.log');
    const timeoutMs = 3000;
    const child = spawn(process.execPath, ['--import', 'tsx', fixture('log-until-signal.ts'), file, '5000', String(timeoutMs)], {
      cwd: root,
    });
    let stdout = '';
    let signalledAt = 0;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (signalledAt === 0 && stdout.includes('ready\n')) {
        signalledAt = Date.now();
        child.kill('SIGTERM');
      }
    });
    const { code } = await exited;
    const elapsed = Date.now() - signalledAt;
    expect(signalledAt).toBeGreaterThan(0);
    expect(code).toBe(143);
    expect(elapsed).toBeLessThan(timeoutMs);
    const calls = Number(/calls (\d+)/.exec(stdout)?.[1]);
    const { numbers } = readLog(file);
    expect(numbers.length).toBeGreaterThanOrEqual(5000);
    expect(numbers.length).toBeLessThanOrEqual(calls);
    expect(numbers).toEqual(range(numbers.length));
  });
});
