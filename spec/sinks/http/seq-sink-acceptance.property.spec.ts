import fc from 'fast-check';
import { LoggerConfiguration } from '../../../lib/configuration/logger-configuration';
import { SeqSink } from '../../../lib/sinks/http/seq-sink';
import { hostile } from '../../helpers/hostile-values';
import { startTestServer, type TestServer } from '../../helpers/http-test-server';
import { seqStandIn } from '../../helpers/seq-stand-in';

// Hostile values, property names and templates through a real SeqSink into a stand-in for Seq's CLEF
// ingestion on 127.0.0.1 (Seq itself cannot run here; the stand-in follows Seq's ingestion docs, see
// seq-stand-in.ts): Seq refuses a whole batch (400) for one line it cannot take, so every line must be
// one it takes, and every event must be delivered (a line over the event body limit as its placeholder).
describe('SeqSink (hostile values into a stand-in for Seq)', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const name = fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.constantFrom('@t', '@mt', '@@x', '@', '', 'a"b', 'new\nline', '\ud800', 'TraceId', 'SpanId', '__proto__'),
  );
  const template = fc.constantFrom(
    '{A}',
    '{@A}',
    '{$A}',
    '{A,-8:0.00}',
    '{A,12:yyyy-MM-dd HH:mm}',
    '{A:X8} {A:N2} {A:E3}',
    '{@A,5} {0:000}',
    'lone \udc00 {A:l}',
  );

  it.each([
    ['the default event body limit', undefined],
    ['a 4 KiB limit (placeholders)', 4096],
  ])(
    'sends only lines Seq takes and delivers every event, with %s',
    async (_title, limit) => {
      const refused: string[] = [];
      server = await startTestServer(seqStandIn(refused, limit));
      const sink = new SeqSink({ serverUrl: server.url, eventBodyLimitBytes: limit });
      const log = new LoggerConfiguration().minimumLevel
        .verbose()
        .writeTo.sink(sink, { batch: { size: 50, maxDelayMs: 5 }, retry: { attempts: 1 } })
        .createLogger();
      let logged = 0;
      fc.assert(
        fc.property(
          name,
          hostile,
          template,
          hostile,
          fc.constantFrom('verbose', 'debug', 'information', 'warning', 'error', 'fatal'),
          (key, contextValue, text, value, level) => {
            log.forContext(key, contextValue())[level](text, value());
            logged++;
          },
        ),
        { numRuns: 150, seed: 38 },
      );
      const report = await log.close({ strategy: 'flush', timeoutMs: 20_000 });
      expect(refused).toEqual([]);
      expect(report.sinks.seq).toEqual({ delivered: logged, dropped: 0, failed: 0, undelivered: 0 });
    },
    30_000,
  );
});
