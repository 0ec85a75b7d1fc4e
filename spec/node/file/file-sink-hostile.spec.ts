import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../../lib/core/log-event';
import { FileSink } from '../../../lib/node/file/file-sink';
import { rollingPeriod } from '../../../lib/node/file/rolling-interval';

/** What happens between two steps of the app: it logs, the clock moves, or the files change under the sink. */
type Step =
  | { kind: 'log'; count: number; pad: number }
  | { kind: 'clock'; deltaMs: number }
  | { kind: 'flushSync' }
  /** logrotate's move-and-create, without the create: every file of the folder moved away. */
  | { kind: 'rotate' }
  /** The log folder replaced by a file: ENOTDIR until `heal`. */
  | { kind: 'folderIsFile' }
  /** A folder at the base path: EISDIR for a plain file, skipped by a rolling set. */
  | { kind: 'pathIsFolder' }
  /** logrotate's copytruncate: every file copied away, then cut to nothing in place. */
  | { kind: 'copytruncate' }
  /** Symlink loops at the names the set is at now and rolls to next: ELOOP for a plain file, skipped by a rolling set. */
  | { kind: 'loops' }
  | { kind: 'heal' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('log' as const), count: fc.integer({ min: 1, max: 60 }), pad: fc.integer({ min: 0, max: 60 }) }),
  // Back across a minute boundary as well as forward over several.
  fc.record({ kind: fc.constant('clock' as const), deltaMs: fc.integer({ min: -90_000, max: 200_000 }) }),
  fc.constantFrom<Step>(
    { kind: 'flushSync' },
    { kind: 'rotate' },
    { kind: 'folderIsFile' },
    { kind: 'pathIsFolder' },
    { kind: 'copytruncate' },
    { kind: 'loops' },
    { kind: 'heal' },
  ),
);

/** Whether `p` is a folder, through symlinks (false for a loop). */
function isFolder(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

/** The `N` of every line of every file under `folder`, checking that each file ends with a whole line. */
function loggedNumbers(folder: string): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync(folder)) {
    const file = path.join(folder, name);
    if (fs.lstatSync(file).isSymbolicLink()) continue;
    if (isFolder(file)) {
      found.push(...loggedNumbers(file));
      continue;
    }
    const text = fs.readFileSync(file, 'utf8');
    expect(text === '' || text.endsWith('\n')).toBe(true);
    for (const line of text.split('\n')) if (line !== '') found.push((JSON.parse(line) as { N: number }).N);
  }
  return found;
}

describe('FileSink under hostile file operations', () => {
  it('puts every event it reports delivered in exactly one file, whole, and reports every other one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 25 }),
        fc.integer({ min: 30, max: 400 }),
        fc.boolean(),
        fc.constantFrom('minute' as const, 'infinite' as const),
        fc.boolean(),
        async (steps, fileSizeLimitBytes, rollOnFileSizeLimit, rollingInterval, withFallback) => {
          const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-hostile-'));
          const folder = path.join(root, 'logs');
          const away = path.join(root, 'rotated');
          fs.mkdirSync(away);
          let now = Date.UTC(2026, 10, 22, 9, 58, 30);
          let rotated = 0;
          const rotate = (): void => {
            if (!isFolder(folder)) return;
            for (const name of fs.readdirSync(folder)) {
              const file = path.join(folder, name);
              if (!isFolder(file)) fs.renameSync(file, path.join(away, `${rotated++}`));
            }
          };
          try {
            const sink = new FileSink(path.join(folder, 'app-.log'), {
              rollingInterval,
              fileSizeLimitBytes,
              rollOnFileSizeLimit,
              retainedFileCountLimit: null,
              fallbackPath: withFallback ? path.join(root, 'fallback.log') : undefined,
              clock: () => now,
              formatter: { format: (e: LogEvent) => JSON.stringify({ N: e.properties.N, P: e.properties.P }) },
            });
            const log = new LoggerConfiguration().writeTo
              .sink(sink, {
                name: 'file',
                batch: { size: 16, maxDelayMs: 5 },
                retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 2 },
              })
              .createLogger();
            let logged = 0;
            for (const s of steps) {
              switch (s.kind) {
                case 'log':
                  for (let i = 0; i < s.count; i++) log.information('{N} {P}', logged++, 'x'.repeat(s.pad));
                  break;
                case 'clock':
                  now += s.deltaMs;
                  break;
                case 'flushSync':
                  log.flushSync();
                  break;
                case 'rotate':
                  rotate();
                  break;
                case 'folderIsFile':
                  rotate();
                  if (isFolder(folder)) fs.rmSync(folder, { recursive: true });
                  fs.writeFileSync(folder, '');
                  break;
                case 'pathIsFolder':
                  if (!fs.existsSync(folder)) fs.mkdirSync(folder);
                  rotate();
                  if (isFolder(folder)) fs.mkdirSync(path.join(folder, 'app-.log'), { recursive: true });
                  break;
                case 'copytruncate':
                  if (!isFolder(folder)) break;
                  for (const name of fs.readdirSync(folder)) {
                    const file = path.join(folder, name);
                    if (!fs.lstatSync(file).isFile()) continue;
                    fs.copyFileSync(file, path.join(away, `${rotated++}`));
                    fs.truncateSync(file, 0);
                  }
                  break;
                case 'loops': {
                  if (!isFolder(folder)) break;
                  const period = rollingPeriod(rollingInterval, now).text;
                  for (const name of [`app-${period}.log`, `app-${period}_001.log`, `app-${period}_002.log`]) {
                    const link = path.join(folder, name);
                    if (fs.lstatSync(link, { throwIfNoEntry: false }) === undefined) fs.symlinkSync(name, link);
                  }
                  break;
                }
                case 'heal':
                  if (fs.existsSync(folder) && !isFolder(folder)) fs.rmSync(folder);
                  if (isFolder(folder))
                    for (const name of fs.readdirSync(folder))
                      if (fs.lstatSync(path.join(folder, name)).isSymbolicLink()) fs.rmSync(path.join(folder, name));
                  break;
              }
              await new Promise((resolve) => setImmediate(resolve));
            }
            if (fs.existsSync(folder) && !isFolder(folder)) fs.rmSync(folder);
            const report = await log.close({ timeoutMs: 2_000 });
            const found = loggedNumbers(root);
            expect(new Set(found).size).toBe(found.length);
            const { delivered, failed, dropped, undelivered } = report.sinks.file;
            expect(delivered).toBe(found.length);
            expect(delivered + failed + dropped + undelivered).toBe(logged);
          } finally {
            fs.rmSync(root, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('FileSink and property values from data', () => {
  it('writes no byte a terminal runs or reorders: C1 controls, U+2028 / U+2029 and bidi controls are \\u escapes in the file', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-controls-'));
    try {
      const file = path.join(root, 'app.log');
      const log = new LoggerConfiguration().writeTo.sink(new FileSink(file), { name: 'file' }).createLogger();
      // What `tail -f app.log` would show: U+009B is CSI to xterm and VTE, U+202E reverses the rest of the line.
      const hostile = 'x\u009b2J\u009b?1049h\u202etxt.exe\u2028\u0085';
      log.information('Login by {User} from {@Client}', hostile, { agent: hostile });
      log.warning(new Error(hostile), hostile);
      await log.close();
      const bytes = fs.readFileSync(file);
      const text = bytes.toString('utf8');
      expect(text).not.toMatch(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
      // No UTF-8 form of a C1 control (C2 80–C2 9F) anywhere.
      expect(bytes.some((byte, at) => byte === 0xc2 && bytes[at + 1] >= 0x80 && bytes[at + 1] <= 0x9f)).toBe(false);
      const lines = text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines[0].User).toBe(hostile);
      expect(lines[0].Client).toEqual({ agent: hostile });
      expect(lines[1]['@mt']).toBe(hostile);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

// A name cut in the middle of an emoji (`name.slice(0, 10)`) holds a lone surrogate, which UTF-8
// cannot encode: Node writes it to the disk as U+FFFD, and that is what the folder's listing reads.
describe('FileSink with a lone surrogate in its path', () => {
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-surrogate-'));
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const event = (n: number): LogEvent[] => [
    {
      timestamp: new Date(0),
      level: 'information',
      messageTemplate: { text: 'e', tokens: [{ kind: 'text', text: 'e' }] },
      properties: { N: n },
      renderMessage: () => 'e',
    },
  ];

  it('keeps its rolling set within retainedFileCountLimit, as for any other name', () => {
    let now = Date.UTC(2026, 10, 18, 12);
    const sink = new FileSink(path.join(root, 'app\uD83D-.log'), {
      rollingInterval: 'day',
      retainedFileCountLimit: 2,
      clock: () => now,
    });
    for (let day = 0; day < 4; day++, now += 86_400_000) sink.emitSync(event(day));
    void sink.close();
    // Before: all four days stayed, the set never found on disk.
    expect(fs.readdirSync(root).sort()).toEqual(['app\uFFFD-20261120.log', 'app\uFFFD-20261121.log']);
  });

  it('goes on after a restart at the newest file of the set, rolled by size', () => {
    const options = { rollOnFileSizeLimit: true, fileSizeLimitBytes: 10, retainedFileCountLimit: 2 };
    const base = path.join(root, 'app\uDC00.log');
    const first = new FileSink(base, options);
    for (let n = 0; n < 3; n++) first.emitSync(event(n));
    void first.close();
    expect(fs.readdirSync(root).sort()).toEqual(['app\uFFFD_001.log', 'app\uFFFD_002.log']);
    const second = new FileSink(base, options);
    second.emitSync(event(3));
    void second.close();
    // Before: the restart wrote to `app�.log` again, the oldest name of the set, and nothing was pruned.
    expect(fs.readdirSync(root).sort()).toEqual(['app\uFFFD_002.log', 'app\uFFFD_003.log']);
    expect(fs.readFileSync(path.join(root, 'app\uFFFD_003.log'), 'utf8')).toContain('"N":3');
  });

  it("refuses a fallbackPath that the file system stores under the sink's own name", () => {
    expect(() => new FileSink(path.join(root, 'app\uD800.log'), { fallbackPath: path.join(root, 'app\uDBFF.log') })).toThrow(
      /fallbackPath: expected a file path other than the sink's own/,
    );
  });
});
