import { createServer } from 'node:http';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import { LogContext } from '../../lib/context/log-context';
import type { LogEvent } from '../../lib/core/log-event';
import { requestLogging } from '../../lib/node/http/request-logging';
import { enrich } from '../../lib/operators/enrich';
import { fingersCrossed } from '../../lib/operators/fingers-crossed';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { get, listen } from '../helpers/node-http';

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** The app's own events (not the completion events), as message, RequestId and what a later enricher saw. */
const own = (events: readonly LogEvent[]): unknown[] =>
  events
    .filter((e) => !e.messageTemplate.text.startsWith('HTTP'))
    .map((e) => [e.renderMessage(), e.properties.RequestId, e.properties.ReleasedIn]);

// docs/operators.md (fingersCrossed) and docs/configuration.md (Context and child loggers): an
// event held before its trigger carries the LogContext of its own log call, captured by
// `.enrich.fromLogContext()` when it was logged, whoever releases it and whenever a batch writes
// it; what reads LogContext downstream of the release (an enricher in the sink's pipe after
// fingersCrossed) runs on the trigger's log call and reads the trigger's.
describe('LogContext of events a fingersCrossed held, on a real node:http server', () => {
  it('carries each event’s own request, not the one whose error released it nor the batch’s flush', async () => {
    const batched = new MemorySink();
    const lateEnriched = new MemorySink();
    const log = new LoggerConfiguration().minimumLevel
      .debug()
      .enrich.fromLogContext()
      .writeTo.sink(batched, { name: 'batched', pipe: [fingersCrossed()], batch: { size: 100, maxDelayMs: 5 } })
      .writeTo.sink(lateEnriched, {
        name: 'late',
        pipe: [fingersCrossed(), enrich(() => ({ ReleasedIn: LogContext.current()?.RequestId }))],
      })
      .createLogger();
    const aLogged = gate();
    const bFailed = gate();
    const handle = requestLogging(log);
    const server = createServer((req, res) =>
      handle(req, res, async () => {
        if (req.url === '/a') {
          log.debug('Loaded cart');
          aLogged.open();
          await bFailed.opened;
          log.debug('Cart rendered');
        } else {
          await aLogged.opened;
          log.error('Payment declined');
          bFailed.open();
        }
        res.end('ok');
      }),
    );
    const { url, close } = await listen(server);
    try {
      await Promise.all([get(`${url}/a`, { 'x-request-id': 'a' }), get(`${url}/b`, { 'x-request-id': 'b' })]);
      await log.flush();
      // Held in a's request, released on b's error call, written by a batch later: a's RequestId.
      expect(own(batched.events)).toEqual([
        ['Loaded cart', 'a', undefined],
        ['Payment declined', 'b', undefined],
        ['Cart rendered', 'a', undefined],
      ]);
      // An enricher placed after the release reads the context of the call that released the event.
      expect(own(lateEnriched.events)).toEqual([
        ['Loaded cart', 'a', 'b'],
        ['Payment declined', 'b', 'b'],
        ['Cart rendered', 'a', 'a'],
      ]);
    } finally {
      await close();
      await log.close();
    }
  });
});
