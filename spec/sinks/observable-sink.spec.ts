import { config, filter } from 'rxjs';
import { LoggerConfiguration } from '../../lib/configuration/logger-configuration';
import type { LogEvent } from '../../lib/core/log-event';
import { SelfLog } from '../../lib/core/self-log';
import { ObservableSink } from '../../lib/sinks/observable-sink';
import { makeEvent } from '../helpers/events';
import { expectBreakerOpens, runBrokenSink } from '../helpers/sink-breaker';

describe('ObservableSink', () => {
  it('re-emits delivered events on events$ and completes on close', () => {
    const sink = new ObservableSink();
    const seen: LogEvent[] = [];
    let completed = false;
    sink.events$
      .pipe(filter((e) => e.level === 'error'))
      .subscribe({ next: (e) => seen.push(e), complete: () => (completed = true) });
    const info = makeEvent();
    const error = makeEvent({ level: 'error' });
    sink.emit([info, error]);
    sink.close();
    expect(seen).toEqual([error]);
    expect(completed).toBe(true);
  });

  it('refuses a batch once closed: emit throws a permanent error, as the Sink contract asks of a write that did not happen', () => {
    const sink = new ObservableSink();
    const seen: LogEvent[] = [];
    sink.events$.subscribe((e) => seen.push(e));
    sink.close();
    let thrown: unknown;
    try {
      sink.emit([makeEvent()]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toEqual(expect.objectContaining({ message: 'ObservableSink: closed', permanent: 'sink' }));
    expect(() => sink.emitSync([makeEvent()])).toThrow('ObservableSink: closed');
    expect(seen).toEqual([]);
  });

  // A closed sink refuses every batch, whatever it holds: its error used to be `permanent: true`,
  // a bad batch, which the breaker counts as a success, so it never opened and each batch reached
  // the fallback only after a failed try. It is the sink's (`permanent: 'sink'`) now.
  it('opens the circuit breaker once closed: later batches go to the fallback without a try, and SelfLog says so once', async () => {
    const viewer = new ObservableSink();
    viewer.close();
    expectBreakerOpens(await runBrokenSink(viewer), /ObservableSink: closed/);
  });

  it("counts an event delivered to it after it was closed as failed in the logger's metrics, not delivered", async () => {
    const viewer = new ObservableSink();
    const seen: string[] = [];
    viewer.events$.subscribe((e) => seen.push(e.messageTemplate.text));
    const log = new LoggerConfiguration().writeTo.sink(viewer, { name: 'viewer' }).createLogger();
    log.information('before');
    // Closed by someone else (another logger it was also given to, the app): the event is lost.
    viewer.close();
    log.information('after');
    await log.flush();
    expect(seen).toEqual(['before']);
    expect(log.metrics().sinks.viewer).toMatchObject({ received: 2, delivered: 1, failed: 1, retried: 0, pending: 0 });
    expect(log.metrics().sinks.viewer.lastError).toContain('ObservableSink: closed');
    await log.close();
  });

  it('is owned by each logger it is given to: the first to close closes it, and the other’s later events fail', async () => {
    const viewer = new ObservableSink();
    let completed = false;
    viewer.events$.subscribe({ complete: () => (completed = true) });
    const first = new LoggerConfiguration().writeTo.sink(viewer, { name: 'viewer' }).createLogger();
    const second = new LoggerConfiguration().writeTo.sink(viewer, { name: 'viewer' }).createLogger();
    await first.close();
    expect(completed).toBe(true);
    second.information('after the first logger closed');
    await second.flush();
    expect(second.metrics().sinks.viewer).toMatchObject({ received: 1, delivered: 0, failed: 1 });
    await second.close();
  });

  // RxJS hands what a subscriber throws to reportUnhandledError, which rethrows it on a timer:
  // in Node that ends the process. events$ keeps it to SelfLog, as log.events$ and level$ do.
  it('reports a subscriber that throws to SelfLog, and keeps delivering to it and to the others', () => {
    const unhandled = jest.fn();
    const previous = config.onUnhandledError;
    config.onUnhandledError = unhandled;
    const diagnostics: string[] = [];
    SelfLog.enable((line) => diagnostics.push(line));
    try {
      const sink = new ObservableSink();
      let calls = 0;
      const others: LogEvent[] = [];
      sink.events$.subscribe(() => {
        calls++;
        throw new Error('viewer broke');
      });
      sink.events$.subscribe((e) => others.push(e));
      const events = [makeEvent(), makeEvent()];
      expect(() => sink.emit(events)).not.toThrow();
      expect(calls).toBe(2);
      expect(others).toEqual(events);
      expect(unhandled).not.toHaveBeenCalled();
      expect(diagnostics.filter((line) => line.includes('viewer broke'))).toHaveLength(2);
    } finally {
      config.onUnhandledError = previous;
      SelfLog.disable();
    }
  });
});
