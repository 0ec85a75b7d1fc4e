import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { SelfLog, type SelfLogEvent } from '../../../lib/core/self-log';
import { FileSink } from '../../../lib/node/file/file-sink';

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
