import { filter } from 'rxjs';
import type { LogEvent } from '../../lib/core/log-event';
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
});
