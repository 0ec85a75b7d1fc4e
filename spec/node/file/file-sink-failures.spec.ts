import * as fs from 'node:fs';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { SelfLog, type SelfLogEvent } from '../../../lib/core/self-log';
import { FileSink } from '../../../lib/node/file/file-sink';

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
