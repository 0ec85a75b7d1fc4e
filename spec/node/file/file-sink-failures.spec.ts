import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../../lib/core/log-event';
import { SelfLog, type SelfLogEvent } from '../../../lib/core/self-log';
import { FileSink } from '../../../lib/node/file/file-sink';
import { makeEvents } from '../../helpers/events';

const root = path.resolve(__dirname, '../../..');

describe('FileSink failures name the file', () => {
  let diagnostics: SelfLogEvent[];
  let unsubscribe: () => void;

  beforeEach(() => {
    diagnostics = [];
    const subscription = SelfLog.events$.subscribe((d) => diagnostics.push(d));
    unsubscribe = () => subscription.unsubscribe();
  });

  afterEach(() => unsubscribe());

  // Node names the path of a failed open, but not of a failed write: a full disk reported
  // "ENOSPC: no space left on device, write" in metrics and SelfLog, and not which file.
  (fs.existsSync('/dev/full') ? it : it.skip)(
    'names the file a write failed on (ENOSPC on /dev/full) in lastError and SelfLog',
    async () => {
      const log = new LoggerConfiguration().writeTo
        .sink(new FileSink('/dev/full'), { name: 'file', batch: { size: 4, maxDelayMs: 0 }, retry: false })
        .createLogger();
      for (let i = 0; i < 4; i++) log.information('Event {N}', i);
      const report = await log.close({ timeoutMs: 2_000 });
      expect(report.sinks.file).toEqual({ delivered: 0, dropped: 0, failed: 4, undelivered: 0 });
      expect(log.metrics().sinks.file.lastError).toMatch(/ENOSPC: no space left on device, write '\/dev\/full'/);
      expect(diagnostics.some((d) => d.message.includes("write '/dev/full'"))).toBe(true);
    },
  );
});

describe('FileSink opening its file', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-open-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // The sink checked whether the path was a FIFO, then opened it: opened blocking when the check
  // found nothing, a FIFO made there in between (by another process) left the caller in open()
  // until a reader came, for ever without one. In a child process, so a hang is bounded.
  (fs.existsSync('/proc/self') ? it : it.skip)(
    'never blocks the caller in open when a FIFO without a reader appears at the path after the sink looked',
    () => {
      const file = path.join(dir, 'app.log');
      const script = `
        const fs = require('node:fs');
        const { execFileSync } = require('node:child_process');
        const file = ${JSON.stringify(file)};
        const statSync = fs.statSync;
        let made = false;
        fs.statSync = (p, ...rest) => {
          const found = statSync(p, ...rest);
          if (p === file && found === undefined && !made) {
            made = true;
            execFileSync('mkfifo', [file]);
          }
          return found;
        };
        const { FileSink } = require('./lib/node/file/file-sink');
        const { makeEvents } = require('./spec/helpers/events');
        const sink = new FileSink(file);
        const written = sink.emitSync(makeEvents(2));
        process.stdout.write(JSON.stringify({ made, written }));
      `;
      const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
        cwd: root,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(child.signal).toBeNull();
      expect(child.status).toBe(0);
      // No reader: the open fails (ENXIO), the batch is refused, the caller goes on.
      expect(JSON.parse(child.stdout)).toEqual({ made: true, written: false });
      expect(fs.statSync(file).isFIFO()).toBe(true);
    },
    40_000,
  );
});

describe('FileSink and symlink loops named like files of its set', () => {
  let dir: string;
  const numbered = { format: (e: LogEvent) => JSON.stringify({ N: e.properties.N }) };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxlog-loop-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // The listing stat'ed each link to see whether it led to a folder, and a loop threw: the whole
  // listing failed, so retention deleted nothing for the life of the process.
  it('keeps pruning the set as days roll when a symlink loop has the name of an old file, and leaves the loop alone', () => {
    let now = Date.UTC(2026, 10, 20, 12);
    for (const day of ['17', '18', '19']) fs.writeFileSync(path.join(dir, `app-202611${day}.log`), 'old\n');
    fs.symlinkSync('app-20261110.log', path.join(dir, 'app-20261110.log'));
    const sink = new FileSink(path.join(dir, 'app-.log'), {
      rollingInterval: 'day',
      retainedFileCountLimit: 2,
      clock: () => now,
      formatter: numbered,
    });
    try {
      expect(sink.emitSync(makeEvents(2))).toBe(true);
      now += 24 * 3600_000;
      expect(sink.emitSync(makeEvents(2))).toBe(true);
    } finally {
      void sink.close();
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['app-20261110.log', 'app-20261120.log', 'app-20261121.log']);
    expect(fs.lstatSync(path.join(dir, 'app-20261110.log')).isSymbolicLink()).toBe(true);
  });

  it('rolls past a symlink loop that has the name of the next file of the set, instead of failing every batch until the period ends', () => {
    fs.symlinkSync('app-20261122_001.log', path.join(dir, 'app-20261122_001.log'));
    const sink = new FileSink(path.join(dir, 'app-.log'), {
      rollingInterval: 'day',
      rollOnFileSizeLimit: true,
      fileSizeLimitBytes: 20,
      clock: () => Date.UTC(2026, 10, 22, 12),
      formatter: numbered,
    });
    try {
      for (let i = 0; i < 3; i++) expect(sink.emitSync(makeEvents(3))).toBe(true);
    } finally {
      void sink.close();
    }
    const read = (name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');
    expect(read('app-20261122.log')).toBe('{"N":0}\n{"N":1}\n');
    expect(read('app-20261122_002.log')).toBe('{"N":2}\n{"N":0}\n');
    expect(fs.lstatSync(path.join(dir, 'app-20261122_001.log')).isSymbolicLink()).toBe(true);
  });

  it('fails every batch, without spinning, when the folder of the set is itself a symlink loop', async () => {
    const folder = path.join(dir, 'logs');
    fs.symlinkSync('logs', folder);
    const log = new LoggerConfiguration().writeTo
      .sink(new FileSink(path.join(folder, 'app-.log'), { rollingInterval: 'day', rollOnFileSizeLimit: true }), {
        name: 'file',
        batch: { size: 2, maxDelayMs: 0 },
        retry: false,
      })
      .createLogger();
    for (let i = 0; i < 4; i++) log.information('Event {N}', i);
    const report = await log.close({ timeoutMs: 2_000 });
    expect(report.sinks.file).toEqual({ delivered: 0, dropped: 0, failed: 4, undelivered: 0 });
    expect(log.metrics().sinks.file.lastError).toMatch(/ELOOP/);
  });
});
