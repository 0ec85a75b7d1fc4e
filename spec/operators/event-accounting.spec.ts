import { defer, filter, type MonoTypeOperatorFunction, of } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import { type EventAccounting, injectEventAccounting, provideEventAccounting } from '../../lib/operators/event-accounting';
import { MemorySink } from '../../lib/sinks/memory-sink';
import { makeEvent } from '../helpers/events';
import { RecordingAccounting } from '../helpers/recording-accounting';

/** An app author's operator: drops health checks and reports them. */
const dropHealthChecks: MonoTypeOperatorFunction<LogEvent> = (source) =>
  defer(() => {
    const accounting = injectEventAccounting();
    return source.pipe(
      filter((event) => {
        const keep = event.properties.Path !== '/health';
        if (!keep) accounting.dropped(1, 'health-check');
        return keep;
      }),
    );
  });

describe('injectEventAccounting', () => {
  it('gives a no-op channel outside a sink lane, so operators work anywhere', () => {
    const accounting = injectEventAccounting();
    expect(() => {
      accounting.dropped(1, 'x');
      accounting.created(1);
    }).not.toThrow();
    const seen: LogEvent[] = [];
    of(makeEvent({ properties: { Path: '/health' } }), makeEvent({ properties: { Path: '/' } }))
      .pipe(dropHealthChecks)
      .subscribe((e) => seen.push(e));
    expect(seen).toHaveLength(1);
  });

  it('gives the provided channel while subscribing, and the previous one after', () => {
    const outer = new RecordingAccounting();
    const inner = new RecordingAccounting();
    let during: EventAccounting | undefined;
    provideEventAccounting(outer, () => {
      provideEventAccounting(inner, () => {
        during = injectEventAccounting();
      });
      expect(injectEventAccounting()).toBe(outer);
    });
    expect(during).toBe(inner);
    expect(injectEventAccounting()).not.toBe(outer);
  });

  it('restores the previous channel when subscribing throws', () => {
    const before = injectEventAccounting();
    expect(() =>
      provideEventAccounting(new RecordingAccounting(), () => {
        throw new Error('subscribe failed');
      }),
    ).toThrow('subscribe failed');
    expect(injectEventAccounting()).toBe(before);
  });

  it('lets an app operator in a sink pipe report its drops in dropped and droppedBy', async () => {
    const memory = new MemorySink();
    const log = new LoggerConfiguration().writeTo.sink(memory, { name: 'memory', pipe: [dropHealthChecks] }).createLogger();
    log.information('GET {Path}', '/health');
    log.information('GET {Path}', '/orders');
    log.information('GET {Path}', '/health');
    expect(log.metrics().sinks.memory).toMatchObject({
      received: 3,
      delivered: 1,
      dropped: 2,
      pending: 0,
      droppedBy: { 'health-check': 2 },
    });
    expect((await log.close()).sinks.memory).toEqual({ delivered: 1, dropped: 2, failed: 0, undelivered: 0 });
  });
});
