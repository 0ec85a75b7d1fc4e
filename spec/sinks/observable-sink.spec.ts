import { config, filter } from 'rxjs';
import type { LogEvent } from '../../lib/core/log-event';
import { SelfLog } from '../../lib/core/self-log';
import { ObservableSink } from '../../lib/sinks/observable-sink';
import { makeEvent } from '../helpers/events';

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
