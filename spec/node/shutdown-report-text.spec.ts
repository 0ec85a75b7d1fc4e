import { shutdownReportLost, shutdownReportText } from '../../lib/node/shutdown-report-text';
import type { ShutdownReport } from '../../lib/pipeline/shutdown-report';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { filterEvents } from '../../lib/operators/filter-events';
import { throttleEvents } from '../../lib/operators/throttle-events';
import { MemorySink } from '../../lib/sinks/memory-sink';

const clean: ShutdownReport = {
  strategy: 'graceful',
  elapsedMs: 2.6,
  timedOut: false,
  sinks: { file: { delivered: 35, dropped: 0, failed: 0, undelivered: 0 } },
};

describe('shutdownReportText', () => {
  it('writes the strategy, the rounded time and every sink on one line', () => {
    expect(shutdownReportText(clean)).toBe('(graceful, 3 ms): file: 35 delivered, 0 dropped, 0 failed, 0 undelivered');
  });

  it('says when the close timed out, what the pipe operators lost, and when there are no sinks', () => {
    expect(shutdownReportText({ ...clean, timedOut: true, pipe: { dropped: 1, undelivered: 2 }, sinks: {} })).toBe(
      '(graceful, 3 ms, timed out): pipe: 1 dropped, 2 undelivered',
    );
    expect(shutdownReportText({ ...clean, sinks: {} })).toBe('(graceful, 3 ms): no sinks');
  });

  it('escapes the control characters of a sink name, so the report stays one line and cannot forge another', () => {
    const report = { ...clean, sinks: { 'http\nrxlog: all good\u001b[2J': clean.sinks.file } };
    expect(shutdownReportText(report)).toBe(
      '(graceful, 3 ms): http\\nrxlog: all good\\u001b[2J: 35 delivered, 0 dropped, 0 failed, 0 undelivered',
    );
  });
});

describe('shutdownReportLost', () => {
  it.each<[string, Partial<ShutdownReport>, boolean]>([
    ['a clean report', {}, false],
    ['a timeout', { timedOut: true }, true],
    ['an undelivered event', { sinks: { http: { delivered: 0, dropped: 0, failed: 0, undelivered: 1 } } }, true],
    ['a failed event', { sinks: { http: { delivered: 0, dropped: 0, failed: 1, undelivered: 0 } } }, true],
    ['an event the pipe dropped', { pipe: { dropped: 1, undelivered: 0 } }, true],
    ['a pipe that lost nothing', { pipe: { dropped: 0, undelivered: 0 } }, false],
  ])('%s: lost is %s', (_, change, lost) => {
    expect(shutdownReportLost({ ...clean, ...change })).toBe(lost);
  });
});

describe('shutdownReportLost with the logger metrics', () => {
  it('counts no loss for what the operators dropped by design, and counts every other drop', async () => {
    const log = new LoggerConfiguration()
      .pipe(filterEvents((e) => e.properties.Path !== '/health'))
      .writeTo.sink(new MemorySink(), { name: 'constructor', pipe: [throttleEvents({ windowMs: 60_000 })] })
      .createLogger();
    for (const path of ['/health', '/orders', '/orders']) log.information('GET {Path}', path);
    const report = await log.close();
    expect(report.pipe?.dropped).toBe(1);
    expect(Object.entries(report.sinks)).toEqual([['constructor', expect.objectContaining({ dropped: 1 })]]);
    // Without the metrics, every drop counts, as before.
    expect(shutdownReportLost(report)).toBe(true);
    expect(shutdownReportLost(report, log.metrics())).toBe(false);
  });

  it('counts a drop under another reason as a loss, in a sink and in .pipe()', () => {
    const report: ShutdownReport = {
      ...clean,
      pipe: { dropped: 2, undelivered: 0 },
      sinks: { file: { delivered: 1, dropped: 2, failed: 0, undelivered: 0 } },
    };
    const designed = { 'filterEvents.excluded': 1, 'sampleEvents.sampledOut': 1 };
    expect(shutdownReportLost(report, { pipe: { droppedBy: designed }, sinks: { file: { droppedBy: designed } } })).toBe(false);
    expect(
      shutdownReportLost(report, {
        pipe: { droppedBy: { 'filterEvents.excluded': 1, 'operator-failed': 1 } },
        sinks: { file: { droppedBy: designed } },
      }),
    ).toBe(true);
    expect(
      shutdownReportLost(report, {
        pipe: { droppedBy: designed },
        sinks: { file: { droppedBy: { 'filterEvents.excluded': 1 } } },
      }),
    ).toBe(true);
  });
});
